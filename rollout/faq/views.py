"""The FAQ for everyone: overview by category with search as you type, entries, votes.

Unpublished entries are known to the FAQ team (programme admins) only: others get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role
from rollout.faq.render import localize, localize_categories, render_answer
from rollout.faq.search import faq_search, published, related_entries
from rollout.faq.services import faq_entry_vote
from rollout.models import FaqCategory, FaqEntry
from rollout.search import hybrid

FAQ_TEAM = (Role.PROGRAMME_ADMIN,)
RESULTS = 30
VOTED = "faq_voted"  # session key: ids of the entries this session has voted on
MAX_VOTED = 500


def is_faq_team(request: AuthenticatedHttpRequest) -> bool:
    return request.user.has_role(*FAQ_TEAM)


def get_entry_for_user(request: AuthenticatedHttpRequest, entry_id: int) -> FaqEntry:
    """Return the entry; unpublished ones only for the FAQ team (404 for everyone else)."""
    entries = FaqEntry.objects.select_related("category", "reviewed_by")
    if not is_faq_team(request):
        entries = entries.filter(published=True)
    return get_object_or_404(entries, pk=entry_id)


@login_required
def faq_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the categories with their entries, or the hits for `q` (fragment for htmx)."""
    language = request.user.preferred_language
    query = hybrid.clean_text(request.GET.get("q"), hybrid.MAX_QUERY_LENGTH)
    context: dict = {"q": query, "semantic": hybrid.semantic_enabled()}
    if query:
        hits = faq_search(query, language=language, limit=RESULTS)
        localize_categories((hit.obj.category for hit in hits), language)
        context["hits"] = hits
    else:
        entries = published().order_by("question_de")
        categories = list(
            FaqCategory.objects.prefetch_related(
                Prefetch("entries", queryset=entries, to_attr="shown_entries")
            )
        )
        localize_categories(categories, language)
        for category in categories:
            localize(category.shown_entries, language)
        context["categories"] = [c for c in categories if c.shown_entries]
    template = "rollout/faq/overview.html"
    if request.htmx:
        return render(request, f"{template}#results", context)
    context["is_team"] = is_faq_team(request)
    return render(request, template, context)


@login_required
def faq_entry(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_for_user(request, entry_id)
    language = request.user.preferred_language
    related = related_entries(entry)
    localize([entry, *related], language)
    localize_categories([entry.category], language)
    return render(
        request,
        "rollout/faq/entry.html",
        {
            "entry": entry,
            "answer": render_answer(entry.shown_answer),
            "related": related,
            "voted": entry.pk in request.session.get(VOTED, []),
            "is_team": is_faq_team(request),
        },
    )


@require_POST
@login_required
def faq_vote(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """Count "was this helpful?" once per session; the fragment for htmx, else the page."""
    entry = get_object_or_404(FaqEntry, pk=entry_id, published=True)
    choice = request.POST.get("helpful", "")
    voted = list(request.session.get(VOTED, []))
    problem = ""
    if choice not in ("yes", "no"):
        problem = _("Please choose yes or no.")
    elif entry.pk in voted:
        problem = _("You have already told us about this answer.")
    elif faq_entry_vote(entry_id=entry.pk, helpful=choice == "yes"):
        request.session[VOTED] = [*voted, entry.pk][-MAX_VOTED:]
    if request.htmx:
        context = {
            "entry": entry,
            "voted": entry.pk in request.session.get(VOTED, []),
            "problem": problem,
        }
        return render(request, "rollout/faq/_helpful.html", context)
    if problem:
        messages.info(request, problem)
    return redirect("rollout:faq-entry", entry.pk)
