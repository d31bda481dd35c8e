from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from portal.forms import clean_person_name
from portal.models import AuditEntry, Department, Invitation, User
from portal.services import audit_record


class _NameChecked(forms.ModelForm):
    def clean_name(self) -> str:
        person = self.instance if self.instance.pk else None
        if person is not None and "name" not in self.changed_data:
            return self.cleaned_data["name"]  # a flagged account stays editable (deactivate)
        return clean_person_name(self.cleaned_data["name"], person=person)


class PersonChangeForm(_NameChecked, UserChangeForm):
    pass


class PersonCreationForm(_NameChecked, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    ordering = ["name"]
    list_display = ["name", "email", "department", "is_active"]
    list_filter = ["department", "groups", "is_active"]
    search_fields = ["name", "email"]
    # Roles are changed on the portal's own people page, which records every change.
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "department", "preferred_language"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "department" in form.changed_data:
            before = form.initial.get("department")
            audit_record(
                actor=request.user,
                action="person.department_changed",
                target=obj,
                details={"from": before, "to": obj.department_id},
            )


# Departments group survey results, so the works council sees every change to them in the
# audit log (the admin's own history is not what it reads). Names are organisational, not
# personal: they go into the details.
@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]

    def save_model(self, request, obj, form, change) -> None:
        before = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        if not change:
            audit_record(
                actor=request.user,
                action="department.created",
                target=obj,
                details={"name": obj.name},
            )
        elif form.changed_data:
            audit_record(
                actor=request.user,
                action="department.changed",
                target=obj,
                details={  # "old → new", as the audit page shows details
                    name: f"{before[name] or '—'} → {form.cleaned_data[name] or '—'}"
                    for name in form.changed_data
                },
            )

    def delete_model(self, request, obj) -> None:
        self._deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self._deleted(request, obj)
        super().delete_queryset(request, queryset)

    def _deleted(self, request, obj: Department) -> None:
        audit_record(
            actor=request.user,
            action="department.deleted",
            target=obj,
            details={"name": obj.name, "people": obj.members.count()},
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "created_at", "expires_at", "accepted_at"]
    readonly_fields = ["token"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
