from __future__ import annotations

from django.contrib import admin

from rollout.models import Phase, Programme


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    inlines = [PhaseInline]
