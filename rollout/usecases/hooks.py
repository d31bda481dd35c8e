"""What the use-case library plugs into the rest of the portal (called from AppConfig.ready()).

- the KPI metrics "use cases logged", "use cases validated" and "time saved" (one aggregate
  query each; the counts also say on which day they reached each value),
- the multiplier directory's "use cases logged" counter,
- the audit log's names for the use-case actions,
- the use-case lines of the steering-committee report,
- the navigation entry.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.registry import NavItem
from rollout.programme.kpis import Reading

AUDIT_LABELS = {
    "usecase.created": _("Use case logged"),
    "usecase.updated": _("Use case changed"),
    "usecase.status_changed": _("Use case moved in the pipeline"),
    "usecase.checklist_recorded": _("Use-case validation checklist recorded"),
    "usecase.signed_off": _("Use case signed off by data protection"),
    "usecase.commented": _("Use case commented"),
    "usecase.comment_deleted": _("Use-case comment deleted"),
    "usecase.attachment_added": _("Use-case file added"),
    "usecase.attachment_removed": _("Use-case file removed"),
}


def _describe_validated(reading: Reading) -> str:
    n = int(reading.parts["n"])
    return ngettext("%(n)s use case validated", "%(n)s use cases validated", n) % {"n": n}


def _describe_logged(reading: Reading) -> str:
    n = int(reading.parts["n"])
    return ngettext("%(n)s use case logged", "%(n)s use cases logged", n) % {"n": n}


def _describe_time_saved(reading: Reading) -> str:
    n = int(reading.parts["n"])
    return ngettext(
        "%(hours)s hours per week saved by %(n)s validated use case",
        "%(hours)s hours per week saved by %(n)s validated use cases",
        n,
    ) % {"hours": number_format(reading.parts["hours"], decimal_pos=1), "n": n}


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_inbox, register_nav, register_report_facts
    from rollout.models import Kpi
    from rollout.people.multipliers import ActivityCounter, register_activity_counter
    from rollout.programme.kpis import register_metric
    from rollout.search.sources import register_search_source
    from rollout.usecases.impact import (
        time_saved,
        use_cases_logged,
        use_cases_logged_days,
        use_cases_logged_total,
        use_cases_validated,
        use_cases_validated_days,
        usecase_facts,
    )
    from rollout.usecases.inbox import usecase_inbox
    from rollout.usecases.search import use_case_source

    register_metric(
        Kpi.Metric.USE_CASES_VALIDATED,
        use_cases_validated,
        describe=_describe_validated,
        count_days=use_cases_validated_days,
    )
    register_metric(
        Kpi.Metric.USE_CASES_LOGGED,
        use_cases_logged_total,
        describe=_describe_logged,
        count_days=use_cases_logged_days,
    )
    register_metric(Kpi.Metric.TIME_SAVED, time_saved, describe=_describe_time_saved)
    register_activity_counter(
        ActivityCounter("use_cases_logged", _("Use cases logged"), use_cases_logged, order=30)
    )
    register_action_labels(AUDIT_LABELS)
    register_search_source("use cases", use_case_source)
    register_report_facts(usecase_facts)
    register_inbox(usecase_inbox)
    register_nav(
        NavItem(
            _("Use cases"),
            "rollout:usecase-list",
            order=25,
            active_prefix="/anwendungsfaelle/",
            group="participate",
        )
    )
