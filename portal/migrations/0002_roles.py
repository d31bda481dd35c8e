"""Create the roles as auth groups, with the base's permissions.

Later apps add their own permissions to these groups in their own migrations.
"""

from __future__ import annotations

from django.db import migrations

from portal.roles import grant_role_permissions

ROLES = ["employee", "multiplier", "reviewer", "programme_admin", "works_council"]

PERMISSIONS = {
    "employee": [],
    "multiplier": [],
    "reviewer": [],
    "programme_admin": [
        ("portal", "view_auditentry_all"),
        ("portal", "invite_people"),
        ("portal", "view_user"),
        ("portal", "view_department"),
        ("portal", "add_department"),
        ("portal", "change_department"),
        ("portal", "view_invitation"),
    ],
    "works_council": [("portal", "view_auditentry_all")],
}


def create_roles(apps, schema_editor) -> None:
    grant_role_permissions(apps, PERMISSIONS)


def remove_roles(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
