"""The FAQ's card on the home page: a search box for everyone; open questions and
entries due for review for the FAQ team."""

from __future__ import annotations

from django.db.models import Count, Q

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
        mine = Question.objects.filter(asker=request.user).aggregate(
            answered=Count("pk", filter=Q(status="answered") | Q(faq_entry__isnull=False)),
            waiting=Count("pk", filter=Q(status="open", faq_entry__isnull=True)),
        )
        context |= mine
    return [HomeCard("rollout/faq/_card.html", context, order=30)]
