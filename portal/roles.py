"""Roles and the access helpers every view uses.

A role is an auth group whose name is one of `Role`; the groups and their permissions are
created by a data migration. Outsiders get 404 for objects (they must not learn that an
object exists); signed-in people without the role get 403 for pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpResponse

    from portal.http import AuthenticatedHttpRequest


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    MULTIPLIER = "multiplier", _("Multiplier")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")
    WORKS_COUNCIL = "works_council", _("Works council / data protection")


# Who may do what, named once; views, navigation and services use these sets.
OVERSIGHT = (Role.PROGRAMME_ADMIN, Role.WORKS_COUNCIL)  # aggregates, committees, audit log
REVIEWERS = (Role.REVIEWER, Role.PROGRAMME_ADMIN)  # validate use cases and AI results
HOSTS = (Role.MULTIPLIER, Role.REVIEWER, Role.PROGRAMME_ADMIN)  # host events, office hours

ROLE_DESCRIPTIONS = {
    Role.EMPLOYEE: _("Reads the roadmap and FAQ, books office hours, answers surveys."),
    Role.MULTIPLIER: _("Logs use cases, hosts office hours and community rounds."),
    Role.REVIEWER: _("Validates AI results and use cases before they are adopted."),
    Role.PROGRAMME_ADMIN: _("Runs the programme: phases, events, newsletter, surveys, FAQ."),
    Role.WORKS_COUNCIL: _("Sees aggregates only, the audit log and the retention rules."),
}


def role_required(*roles: Role) -> Callable:
    """Let signed-in people with one of `roles` in; others signed in get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # read by the access-matrix test
        return wrapped

    return decorator


def grant_role_permissions(apps, permissions: dict[str, list[tuple[str, str]]]) -> None:
    """Add permissions to role groups; for data migrations of every app (uses `apps`)."""
    from django.contrib.auth.management import create_permissions

    # Permissions of freshly created models exist only after post_migrate; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
