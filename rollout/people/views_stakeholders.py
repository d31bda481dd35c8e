"""Stakeholder groups and their status per phase: admins edit, the works council reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, Role, role_required
from rollout.models import Phase, Programme, StakeholderGroup, StakeholderStatus
from rollout.people import stakeholders as service
from rollout.people.forms import StakeholderGroupForm, StakeholderStatusForm
from rollout.programme import selectors


def _programme() -> Programme:
    programme = selectors.current_programme()
    if programme is None:
        raise Http404
    return programme


def _to_group(group: StakeholderGroup) -> HttpResponse:
    return redirect(f"{reverse('rollout:stakeholder-list')}#group-{group.pk}")


@role_required(*OVERSIGHT)
def stakeholder_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the groups, their status per phase and where concerns are open."""
    programme = selectors.current_programme()
    phases, rows = service.stakeholder_matrix(programme) if programme else ([], [])
    return render(
        request,
        "rollout/stakeholders/list.html",
        {
            "programme": programme,
            "phases": phases,
            "rows": rows,
            "open_concerns": service.open_concerns(programme) if programme else [],
            "can_edit": request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def stakeholder_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = _programme()
    form = StakeholderGroupForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            group = service.stakeholder_group_create(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except service.StakeholderError as e:
            form.add_error("name", str(e))
        else:
            messages.success(request, _("Stakeholder group added."))
            return _to_group(group)
    return render(request, "rollout/stakeholders/form.html", {"form": form, "group": None})


@role_required(Role.PROGRAMME_ADMIN)
def stakeholder_edit(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(StakeholderGroup, pk=group_id)
    initial = {name: getattr(group, name) for name in service.GROUP_FIELDS}
    form = StakeholderGroupForm(
        request.POST or None, initial=initial, programme=group.programme, group=group
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.stakeholder_group_update(group=group, by=request.user, **form.cleaned_data)
        except service.StakeholderError as e:
            form.add_error("name", str(e))
        else:
            messages.success(request, _("Stakeholder group saved."))
            return _to_group(group)
    return render(request, "rollout/stakeholders/form.html", {"form": form, "group": group})


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def stakeholder_delete(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = StakeholderGroup.objects.filter(pk=group_id).first()
    if group is None:  # a second click: already gone
        messages.info(request, _("This stakeholder group was already deleted."))
    else:
        service.stakeholder_group_delete(group=group, by=request.user)
        messages.success(request, _("Stakeholder group deleted."))
    return redirect("rollout:stakeholder-list")


@role_required(Role.PROGRAMME_ADMIN)
def stakeholder_status(
    request: AuthenticatedHttpRequest, group_id: int, phase_id: int
) -> HttpResponse:
    """Edit one cell of the matrix: a page without JavaScript, the cell in place with htmx."""
    group = get_object_or_404(StakeholderGroup, pk=group_id)
    phase = get_object_or_404(Phase, pk=phase_id, programme_id=group.programme_id)
    status = StakeholderStatus.objects.filter(group=group, phase=phase).first()
    initial = {
        "level": status.level if status else StakeholderStatus.Level.NOT_INVOLVED,
        "note": status.note if status else "",
    }
    form = StakeholderStatusForm(
        request.POST or None, initial=initial, auto_id=f"id_%s_{group.pk}_{phase.pk}"
    )
    context = {"group": group, "phase": phase, "status": status, "form": form, "can_edit": True}
    if request.method == "POST" and form.is_valid():
        context["status"] = service.stakeholder_status_set(
            group=group, phase=phase, by=request.user, **form.cleaned_data
        )
        if request.htmx:
            return render(request, "rollout/stakeholders/_cell.html", context)
        messages.success(request, _("Status saved."))
        return _to_group(group)
    if request.htmx:
        return render(request, "rollout/stakeholders/_cell_form.html", context)
    return render(request, "rollout/stakeholders/status.html", context)
