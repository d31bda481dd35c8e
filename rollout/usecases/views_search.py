"""Search as you type over the use-case library, and "similar use cases" while writing one.

Both are GET endpoints for every signed-in person (every use case is visible to everyone).
Input is cut to a fixed length and reduced to words before it reaches SQL, so odd input
(control characters, punctuation only, SQL, markup) gives an empty or normal result.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from portal.http import AuthenticatedHttpRequest
from portal.models import Department
from rollout.models import UseCase
from rollout.search import hybrid
from rollout.usecases.search import search_use_cases, similar_use_cases, use_case_source

RESULTS = 50
SIMILAR = 5
MAX_TITLE = 200


def _filtered(params: QueryDict) -> tuple[QuerySet, dict[str, str | int]]:
    """Return the use cases the filters allow, and the filters that were valid."""
    use_cases, chosen = UseCase.objects.all(), {}
    status, risk = params.get("status", ""), params.get("risk", "")
    department = _id_or_none(params.get("department", ""))
    if status in UseCase.Status.values:
        use_cases, chosen["status"] = use_cases.filter(status=status), status
    if risk in UseCase.Risk.values:
        use_cases, chosen["risk"] = use_cases.filter(risk=risk), risk
    if department is not None:
        use_cases, chosen["department"] = use_cases.filter(department_id=department), department
    return use_cases, chosen


def _id_or_none(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def usecase_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return ranked, highlighted hits (the fragment for htmx, else the page around it)."""
    query = hybrid.clean_text(request.GET.get("q"), hybrid.MAX_QUERY_LENGTH)
    use_cases, chosen = _filtered(request.GET)
    if query:
        hits = search_use_cases(query, queryset=use_cases, limit=RESULTS)
    else:
        hits = hybrid.listing(use_case_source(), use_cases, limit=RESULTS)
    context = {
        "q": query,
        "hits": hits,
        "semantic": hybrid.semantic_enabled(),
        "chosen": chosen,
    }
    template = "rollout/search/usecase_search.html"
    if request.htmx:
        return render(request, f"{template}#results", context)
    context |= {
        "statuses": UseCase.Status.choices,
        "risks": UseCase.Risk.choices,
        "departments": Department.objects.all(),
    }
    return render(request, template, context)


@login_required
def usecase_similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return up to five existing use cases like the one being typed (empty if none)."""
    params = request.GET
    title = hybrid.clean_text(params.get("title"), MAX_TITLE)
    text = "\n\n".join(
        hybrid.clean_text(params.get(name), hybrid.MAX_TEXT_LENGTH)
        for name in ("problem", "solution")
    )
    exclude = _id_or_none(params.get("exclude", ""))
    hits = similar_use_cases(title, text, exclude=exclude, limit=SIMILAR)
    return render(request, "rollout/search/_similar.html", {"hits": hits})
