from __future__ import annotations

from django.db import migrations

from portal.roles import grant_role_permissions

PERMISSIONS = {
    "programme_admin": [
        ("assistants", "view_protocoltemplate"),
        ("assistants", "change_protocoltemplate"),
        ("assistants", "view_generationjob"),
    ],
}


def grant(apps, schema_editor) -> None:
    grant_role_permissions(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("assistants", "0002_protocol_templates"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
