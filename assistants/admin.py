from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from assistants.models import GenerationJob, ProtocolTemplate
from assistants.services.templates import EDITABLE, template_revise


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(admin.ModelAdmin):
    """Saving never overwrites: it stores the next version (jobs keep the one they used)."""

    list_display = ["name", "key", "version", "is_current", "created_at", "created_by"]
    list_filter = ["is_current"]
    fields = ["key", "version", *EDITABLE]
    readonly_fields = ["key", "version"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_current

    def save_model(self, request, obj, form, change) -> None:
        changes = {name: form.cleaned_data[name] for name in EDITABLE}
        original = ProtocolTemplate.objects.get(pk=obj.pk)
        revised = template_revise(template=original, changes=changes, by=request.user)
        obj.pk = revised.pk  # the admin's redirect then shows the new version
        messages.info(request, _("Saved as version %(v)d.") % {"v": revised.version})

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing related to save; the new version was stored in save_model."""


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    """Figures only: the transcript and the output are not shown here."""

    list_display = [
        "pk",
        "kind",
        "owner",
        "status",
        "attempts",
        "created_at",
        "finished_at",
        "completion_tokens",
    ]
    list_filter = ["status", "kind"]
    fields = [
        "kind",
        "owner",
        "status",
        "attempts",
        "worker",
        "created_at",
        "started_at",
        "first_token_at",
        "finished_at",
        "prompt_tokens",
        "completion_tokens",
        "parts_total",
        "model_name",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
