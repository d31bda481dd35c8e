"""The FAQ's card on the home page: a search box for everyone; open questions and
entries due for review for the FAQ team."""

from __future__ import annotations

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard
from rollout.faq.views import is_faq_team
from rollout.faq.views_admin import stale_before
from rollout.models import FaqEntry, Question


def faq_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    context: dict = {"team": is_faq_team(request)}
    if context["team"]:
        context["open"] = Question.objects.in_status(Question.Status.OPEN).count()
        context["stale"] = FaqEntry.objects.filter(reviewed_on__lt=stale_before()).count()
    else:
        mine = Question.objects.filter(asker=request.user).status_counts()
        S = Question.Status
        context["answered"] = mine.get(S.ANSWERED, 0) + mine.get(S.PUBLISHED, 0)
        context["waiting"] = mine.get(S.OPEN, 0)
    return [HomeCard("rollout/faq/_card.html", context, order=30)]
