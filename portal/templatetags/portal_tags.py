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
