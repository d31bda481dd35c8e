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


@register.filter
def audit_target(entry) -> str:
    """Return the object of an audit entry as people read it ("Terminserie 4")."""
    from portal.audit import target_label

    return target_label(entry.target_type, entry.target_id)


@register.filter
def audit_details(entry) -> list[tuple[str, str]]:
    """Return the details of an audit entry as readable (label, value) pairs."""
    from portal.audit import detail_items

    return detail_items(entry.target_type, entry.details)


@register.simple_tag
def mail_signature() -> str:
    """The closing lines of a plain-text mail: the portal, the company, its address.

    For text mails only (inside `{% autoescape off %}`): the company name is not escaped."""
    from django.conf import settings
    from django.utils.translation import gettext

    from portal.branding import current

    company = current().company_name
    name = gettext("AI portal") + (f" · {company}" if company else "")
    return f"-- \n{name}\n{settings.SITE_URL}/"
