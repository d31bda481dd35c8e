"""Django admin for the programme's records: the fallback for what the pages do not edit."""

from __future__ import annotations

from django.contrib import admin

from rollout import models as m


class PhaseInline(admin.TabularInline):
    model = m.Phase
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = m.Milestone
    extra = 0


class KpiInline(admin.StackedInline):
    model = m.Kpi
    extra = 0


class MaterialInline(admin.TabularInline):
    model = m.EventMaterial
    extra = 0


@admin.register(m.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    inlines = [PhaseInline]


@admin.register(m.Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "planned_start", "planned_end"]
    inlines = [MilestoneInline, KpiInline]


@admin.register(m.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "seats_taken"]
    list_filter = ["kind"]
    inlines = [MaterialInline]


@admin.register(m.EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "first_date", "interval_weeks", "active"]


@admin.register(m.StakeholderGroup)
class StakeholderGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact"]


admin.site.register([m.Multiplier, m.Decision, m.EthicsReview])


@admin.register(m.UseCase)
class UseCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "status", "risk", "owner"]
    list_filter = ["status", "risk"]
    search_fields = ["title"]
    exclude = ["search_vector"]


@admin.register(m.FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question_de", "category", "published", "reviewed_on"]
    list_filter = ["category", "published"]
    exclude = ["search_de", "search_en"]


@admin.register(m.OfficeHour)
class OfficeHourAdmin(admin.ModelAdmin):
    list_display = ["topic", "host", "first_date", "weekly"]


# Surveys and questions are not in the admin on purpose: answers are anonymous, and the
# admin's list and edit views must not become a way around the k-threshold.
admin.site.register([m.FaqCategory])
