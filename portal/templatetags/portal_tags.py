from __future__ import annotations

from django import template

from portal.roles import Role

register = template.Library()


@register.filter
def role_label(name: str) -> str:
    """Return the translated label of a role group name."""
    try:
        return str(Role(name).label)
    except ValueError:
        return name


@register.filter
def audit_action(action: str) -> str:
    """Return the readable name of an audit action (the code itself if none is known)."""
    from portal.audit import action_label

    return action_label(action)
