from __future__ import annotations

from django.db import migrations

from portal.roles import grant_role_permissions

_MANAGED = [
    "event",
    "eventseries",
    "eventmaterial",
    "milestone",
    "kpi",
    "multiplier",
    "stakeholdergroup",
    "stakeholderstatus",
    "decision",
    "ethicsreview",
]
PERMISSIONS = {
    "programme_admin": [
        ("rollout", f"{action}_{model}")
        for model in _MANAGED
        for action in ("view", "add", "change", "delete")
    ],
    "works_council": [("rollout", "view_decision"), ("rollout", "view_ethicsreview")],
}


def grant(apps, schema_editor) -> None:
    grant_role_permissions(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("rollout", "0005_programme_records"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
