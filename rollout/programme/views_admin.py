"""Running the programme: programme admins edit phases, milestones and KPIs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required
from rollout.models import Kpi, Milestone, Phase
from rollout.programme import selectors
from rollout.programme import services as service
from rollout.programme.forms import KpiForm, MilestoneForm, PhaseForm

admin_only = role_required(Role.PROGRAMME_ADMIN)


def _data(request: AuthenticatedHttpRequest):
    """Bind forms on POST, even an empty one (so that it shows its errors)."""
    return request.POST if request.method == "POST" else None


def _back(phase: Phase) -> str:
    return f"{reverse('rollout:programme-manage')}#phase-{phase.number}"


def _form_page(request, form, *, title: str, phase: Phase, subject: str = "") -> HttpResponse:
    return render(
        request,
        "rollout/programme/form.html",
        {"form": form, "title": title, "phase": phase, "subject": subject, "back": _back(phase)},
    )


@admin_only
def programme_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the phases with their milestones and KPIs, each with its edit links."""
    programme = selectors.current_programme()
    overview = selectors.programme_overview(programme) if programme else None
    return render(
        request, "rollout/programme/manage.html", {"programme": programme, "overview": overview}
    )


@admin_only
def phase_edit(request: AuthenticatedHttpRequest, phase_id: int) -> HttpResponse:
    phase = get_object_or_404(Phase.objects.select_related("owner"), pk=phase_id)
    form = PhaseForm(_data(request), phase=phase)
    if request.method == "POST" and form.is_valid():
        try:
            service.phase_update(phase=phase, by=request.user, **form.cleaned_data)
        except service.ProgrammeError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The phase is saved."))
            return redirect(_back(phase))
    return _form_page(request, form, title=_("Edit phase"), phase=phase)


@admin_only
def milestone_create(request: AuthenticatedHttpRequest, phase_id: int) -> HttpResponse:
    phase = get_object_or_404(Phase, pk=phase_id)
    form = MilestoneForm(_data(request), phase=phase)
    if request.method == "POST" and form.is_valid():
        try:
            service.milestone_create(phase=phase, by=request.user, **form.cleaned_data)
        except service.ProgrammeError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The milestone is added."))
            return redirect(_back(phase))
    return _form_page(request, form, title=_("New milestone"), phase=phase)


@admin_only
def milestone_edit(request: AuthenticatedHttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("phase"), pk=milestone_id)
    form = MilestoneForm(_data(request), phase=milestone.phase, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            service.milestone_update(milestone=milestone, by=request.user, **form.cleaned_data)
        except service.ProgrammeError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The milestone is saved."))
            return redirect(_back(milestone.phase))
    return _form_page(
        request, form, title=_("Edit milestone"), phase=milestone.phase, subject=milestone.title
    )


@require_POST
@admin_only
def milestone_done(request: AuthenticatedHttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("phase"), pk=milestone_id)
    try:
        service.milestone_mark_done(milestone=milestone, by=request.user)
    except service.ProgrammeError as e:
        messages.info(request, str(e))
    else:
        messages.success(request, _("“%(title)s” is marked done.") % {"title": milestone.title})
    return redirect(_back(milestone.phase))


@require_POST
@admin_only
def milestone_reopen(request: AuthenticatedHttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("phase"), pk=milestone_id)
    try:
        service.milestone_reopen(milestone=milestone, by=request.user)
    except service.ProgrammeError as e:
        messages.info(request, str(e))
    else:
        messages.success(request, _("“%(title)s” is open again.") % {"title": milestone.title})
    return redirect(_back(milestone.phase))


def _kpi_save(request, form: KpiForm, *, phase: Phase, kpi: Kpi | None) -> bool:
    try:
        if kpi is None:
            service.kpi_create(phase=phase, by=request.user, **form.cleaned_data)
        else:
            service.kpi_update(kpi=kpi, by=request.user, **form.cleaned_data)
    except service.ProgrammeError as e:
        form.add_error(None, str(e))
        return False
    messages.success(request, _("The KPI is saved."))
    return True


@admin_only
def kpi_create(request: AuthenticatedHttpRequest, phase_id: int) -> HttpResponse:
    phase = get_object_or_404(Phase, pk=phase_id)
    form = KpiForm(_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _kpi_save(request, form, phase=phase, kpi=None)
    ):
        return redirect(_back(phase))
    return _form_page(request, form, title=_("New KPI"), phase=phase)


@admin_only
def kpi_edit(request: AuthenticatedHttpRequest, kpi_id: int) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("phase"), pk=kpi_id)
    form = KpiForm(_data(request), kpi=kpi)
    if (
        request.method == "POST"
        and form.is_valid()
        and _kpi_save(request, form, phase=kpi.phase, kpi=kpi)
    ):
        return redirect(_back(kpi.phase))
    return _form_page(request, form, title=_("Edit KPI"), phase=kpi.phase, subject=kpi.name)
