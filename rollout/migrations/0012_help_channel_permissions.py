from __future__ import annotations

from django.db import migrations

from portal.roles import grant_role_permissions

_ADMIN_MANAGED = ["faqcategory", "faqentry", "question", "officehour"]
PERMISSIONS = {
    "programme_admin": [
        ("rollout", f"{action}_{model}")
        for model in _ADMIN_MANAGED
        for action in ("view", "add", "change", "delete")
    ],
}


def grant(apps, schema_editor) -> None:
    grant_role_permissions(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("rollout", "0011_help_channels"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
