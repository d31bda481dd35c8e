from __future__ import annotations

from django.db import migrations

from portal.roles import grant_role_permissions

PERMISSIONS = {
    "programme_admin": [
        ("rollout", "view_programme"),
        ("rollout", "change_programme"),
        ("rollout", "view_phase"),
        ("rollout", "add_phase"),
        ("rollout", "change_phase"),
    ],
}


def grant(apps, schema_editor) -> None:
    grant_role_permissions(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
