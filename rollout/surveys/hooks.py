"""What the pulse surveys plug into the rest of the portal (called from AppConfig.ready()).

- the KPI metric "confidence using AI" (one aggregate query),
- the audit log's names for the survey and feedback actions (never one per answer),
- the home card "a survey is waiting for you" (`survey_cards`),
- the navigation entry.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard, NavItem

AUDIT_LABELS = {
    "survey.created": _("Survey created"),
    "survey.changed": _("Survey changed"),
    "survey.opened": _("Survey opened"),
    "survey.closed": _("Survey closed"),
    "survey.exported": _("Survey results exported"),
    "feedback.handled": _("Feedback message marked handled"),
    "feedback.reopened": _("Feedback message reopened"),
}


def survey_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    """Return the card "a survey is waiting for you" while an open survey awaits the person."""
    from rollout.surveys.services import open_surveys_waiting

    waiting = list(open_surveys_waiting(request.user)[:3])
    if not waiting:
        return []
    return [HomeCard("rollout/surveys/_card.html", {"surveys": waiting}, order=12)]


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_home_cards, register_nav
    from rollout.models import Kpi
    from rollout.programme.kpis import register_metric
    from rollout.surveys.trends import describe_confidence, survey_confidence

    register_metric(Kpi.Metric.SURVEY_CONFIDENCE, survey_confidence, describe=describe_confidence)
    register_action_labels(AUDIT_LABELS)
    register_home_cards(survey_cards)
    register_nav(
        NavItem(
            _("Surveys"),
            "rollout:survey-list",
            order=35,
            active_prefix="/umfragen/",
            group="participate",
        )
    )
