"""Committees: the steering committee's decision log and the ethics board's reviews.

Programme admins write; the works council / data protection role reads; others get 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, Role, role_required
from rollout.models import Decision, EthicsReview, Phase, Programme
from rollout.people import governance as service
from rollout.people.forms_governance import DecisionForm, EthicsReviewForm
from rollout.people.stakeholders import open_concerns
from rollout.programme import selectors


def _programme() -> Programme:
    programme = selectors.current_programme()
    if programme is None:
        raise Http404
    return programme


def _phase_filter(request: AuthenticatedHttpRequest, programme: Programme) -> Phase | None:
    raw = request.GET.get("phase", "")
    return programme.phases.filter(pk=raw).first() if raw.isdigit() else None


@role_required(*OVERSIGHT)
def governance(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the latest decisions and reviews and the open stakeholder concerns."""
    programme = selectors.current_programme()
    context = {"programme": programme, "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN)}
    if programme is not None:
        context.update(
            decisions=service.decisions(programme)[:3],
            reviews=service.ethics_reviews(programme)[:3],
            pending_reviews=programme.ethics_reviews.filter(
                outcome=EthicsReview.Outcome.PENDING
            ).count(),
            groups=programme.stakeholder_groups.count(),
            open_concerns=open_concerns(programme),
        )
    return render(request, "rollout/governance/overview.html", context)


@role_required(*OVERSIGHT)
def decision_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _programme()
    phase = _phase_filter(request, programme)
    page = Paginator(service.decisions(programme, phase=phase), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rollout/governance/decision_list.html",
        {
            "page": page,
            "phases": programme.phases.order_by("number"),
            "phase": phase,
            "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


@role_required(*OVERSIGHT)
def decision_detail(request: AuthenticatedHttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(
        Decision.objects.select_related("recorded_by").prefetch_related("phases", "use_cases"),
        pk=decision_id,
    )
    return render(
        request,
        "rollout/governance/decision_detail.html",
        {"decision": decision, "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN)},
    )


@role_required(Role.PROGRAMME_ADMIN)
def decision_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _programme()
    form = DecisionForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            decision = service.decision_create(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except service.GovernanceError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("rollout:decision-detail", decision.pk)
    return render(request, "rollout/governance/decision_form.html", {"form": form})


@role_required(Role.PROGRAMME_ADMIN)
def decision_edit(request: AuthenticatedHttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_id)
    initial = {name: getattr(decision, name) for name in service.DECISION_FIELDS}
    initial["phases"] = list(decision.phases.all())
    initial["use_cases"] = list(decision.use_cases.all())
    form = DecisionForm(request.POST or None, initial=initial, programme=decision.programme)
    if request.method == "POST" and form.is_valid():
        service.decision_update(decision=decision, by=request.user, **form.cleaned_data)
        messages.success(request, _("Decision saved."))
        return redirect("rollout:decision-detail", decision.pk)
    return render(
        request, "rollout/governance/decision_form.html", {"form": form, "decision": decision}
    )


@role_required(*OVERSIGHT)
def ethics_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _programme()
    phase = _phase_filter(request, programme)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in EthicsReview.Outcome.values else ""
    page = Paginator(service.ethics_reviews(programme, phase=phase, outcome=outcome), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "rollout/governance/ethics_list.html",
        {
            "page": page,
            "phases": programme.phases.order_by("number"),
            "phase": phase,
            "outcomes": EthicsReview.Outcome.choices,
            "outcome": outcome,
            "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


@role_required(*OVERSIGHT)
def ethics_detail(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        EthicsReview.objects.select_related("phase", "recorded_by", "use_case"), pk=review_id
    )
    return render(
        request,
        "rollout/governance/ethics_detail.html",
        {"review": review, "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN)},
    )


@role_required(Role.PROGRAMME_ADMIN)
def ethics_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _programme()
    form = EthicsReviewForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            review = service.ethics_review_create(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except service.GovernanceError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Ethics review recorded."))
            return redirect("rollout:ethics-detail", review.pk)
    return render(request, "rollout/governance/ethics_form.html", {"form": form})


@role_required(Role.PROGRAMME_ADMIN)
def ethics_edit(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(EthicsReview, pk=review_id)
    initial = {name: getattr(review, name) for name in service.REVIEW_FIELDS}
    form = EthicsReviewForm(request.POST or None, initial=initial, programme=review.programme)
    if request.method == "POST" and form.is_valid():
        service.ethics_review_update(review=review, by=request.user, **form.cleaned_data)
        messages.success(request, _("Ethics review saved."))
        return redirect("rollout:ethics-detail", review.pk)
    return render(request, "rollout/governance/ethics_form.html", {"form": form, "review": review})
