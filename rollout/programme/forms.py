"""Forms for phases, milestones and KPIs (the service does the writing)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.models import User
from rollout.models import Kpi, Milestone, Phase
from rollout.programme import kpis as kpi_metrics
from rollout.programme.services import TRANSITIONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Milestones may fall this far before a phase's planned start or after its planned end.
MILESTONE_SLACK = timedelta(days=365)


def normalise_decimal(text: str) -> str:
    """Turn "1.234,5", "1,234.5", "12,5" or "12.5" into "1234.5" / "12.5".

    The separator that comes last is the decimal one; a lone comma is always decimal,
    so German input works whatever the page language.
    """
    text = re.sub(r"[\s\u00a0\u202f']", "", text.strip())
    comma, dot = text.rfind(","), text.rfind(".")
    if comma > dot:
        return text.replace(".", "").replace(",", ".") if text.count(",") == 1 else text
    if dot > comma and comma >= 0:
        return text.replace(",", "")
    return text


class LocalDecimalField(forms.DecimalField):
    """A one-decimal figure typed as people write it: "12,5" works in German and English."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = normalise_decimal(value)
        return super().to_python(value)


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.department})" if obj.department_id else obj.name


class KpiField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Kpi) -> str:
        return _("Phase %(n)s: %(name)s") % {"n": obj.phase.number, "name": obj.name}


class PhaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = OwnerField(label=_("Owner"), queryset=User.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"))
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE_WIDGET)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE_WIDGET)

    def __init__(self, *args, phase: Phase, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": phase.title,
                "goal": phase.goal,
                "owner": phase.owner_id,
                "status": phase.status,
                "planned_start": phase.planned_start,
                "planned_end": phase.planned_end,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True).select_related("department").order_by("name")
        )
        # Only the statuses the phase may move to: planned → active → done, done → active.
        allowed = {phase.status, *TRANSITIONS[Phase.Status(phase.status)]}
        self.fields["status"].choices = [
            (v, label) for v, label in Phase.Status.choices if v in allowed
        ]
        self.fields["status"].help_text = _(
            "Activating sets the actual start to today, completing sets the actual end."
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error(
                "planned_end", _("The planned end must not be before the planned start.")
            )
        return cleaned


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due_on = forms.DateField(label=_("Due"), widget=DATE_WIDGET)
    kpi = KpiField(
        label=_("Reached through KPI"),
        queryset=Kpi.objects.none(),
        required=False,
        empty_label=_("— none: marked done by hand —"),
        help_text=_(
            "With a KPI, the milestone is reached by itself on the day the KPI first meets "
            "the threshold, and cannot be marked done by hand."
        ),
    )
    threshold = LocalDecimalField(
        label=_("Reached at value"),
        required=False,
        help_text=_("For example 10. Empty: the KPI's target."),
    )

    def __init__(self, *args, phase: Phase, milestone: Milestone | None = None, **kwargs) -> None:
        if milestone is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": milestone.title,
                    "description": milestone.description,
                    "due_on": milestone.due_on,
                    "kpi": milestone.kpi_id,
                    "threshold": milestone.threshold,
                },
            )
        super().__init__(*args, **kwargs)
        self.phase = phase
        self.fields["kpi"].queryset = (
            Kpi.objects.filter(phase__programme_id=phase.programme_id)
            .select_related("phase")
            .order_by("phase__number", "order", "pk")
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        threshold = cleaned.get("threshold")
        if threshold is not None and cleaned.get("kpi") is None and "kpi" not in self.errors:
            self.add_error("threshold", _("A threshold needs a KPI to compare it with."))
        if threshold is not None and threshold <= 0:
            self.add_error("threshold", _("The threshold must be above zero."))
        return cleaned

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        earliest = self.phase.planned_start - MILESTONE_SLACK
        latest = self.phase.planned_end + MILESTONE_SLACK
        if not earliest <= due <= latest:
            raise forms.ValidationError(
                _(
                    "The due date must lie between %(start)s and %(end)s "
                    "(at most a year around the phase's planned dates)."
                )
                % {
                    "start": date_format(earliest, "SHORT_DATE_FORMAT"),
                    "end": date_format(latest, "SHORT_DATE_FORMAT"),
                }
            )
        return due


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    metric = forms.ChoiceField(
        label=_("Measured by"),
        choices=Kpi.Metric.choices,
        help_text=_("Computed from the portal's data, or entered by hand."),
    )
    definition = forms.CharField(
        label=_("Definition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Leave empty to use the standard definition of the measure."),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("", "—"), *Kpi.Unit.choices],
        required=False,
        help_text=_("Only for KPIs entered by hand; computed ones have their own unit."),
    )
    target = LocalDecimalField(label=_("Target"), help_text=_("For example 80 or 12,5."))
    manual_value = LocalDecimalField(
        label=_("Value entered by hand"),
        required=False,
        help_text=_("Only for KPIs entered by hand."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, kpi: Kpi | None = None, **kwargs) -> None:
        if kpi is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": kpi.name,
                    "metric": kpi.metric,
                    "definition": kpi.definition,
                    "unit": kpi.unit if kpi.metric == Kpi.Metric.MANUAL else "",
                    "target": kpi.target,
                    "manual_value": kpi.manual_value,
                    "order": kpi.order,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        metric, target = cleaned.get("metric"), cleaned.get("target")
        manual = metric == Kpi.Metric.MANUAL
        if metric and not manual and cleaned.get("manual_value") is not None:
            self.add_error(
                "manual_value",
                _("This KPI is computed from the portal's data; leave the value empty."),
            )
        if manual and not cleaned.get("unit"):
            self.add_error("unit", _("Choose the unit of a KPI entered by hand."))
        unit = cleaned.get("unit") if manual or not metric else kpi_metrics.METRICS[metric].unit
        if unit == Kpi.Unit.PERCENT and target is not None and target > 100:
            self.add_error("target", _("A percentage target cannot be above 100."))
        if not manual:
            cleaned["unit"] = ""
        return cleaned
