"""Multipliers: the directory for everyone, candidates and confirmation for admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.models import Department, User
from portal.roles import Role, role_required
from rollout.models import Multiplier
from rollout.people import multipliers as service
from rollout.people.forms import FocusForm, MultiplierAddForm


@login_required
def multiplier_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show everyone who the multipliers are, by department, and what they do."""
    raw = request.GET.get("department", "")
    department_id = int(raw) if raw.isdigit() else None
    groups = service.multiplier_directory(department_id=department_id)
    own = request.user.department.name if request.user.department_id else None
    # "Who is my multiplier?": the person's own department comes first.
    groups.sort(key=lambda group: group[0] != own)
    context = {
        "groups": groups,
        "own_department": own,
        "counters": service.activity_counters(),
        "departments": Department.objects.all(),
        "department": raw if department_id else "",
        "is_multiplier": request.user.has_role(Role.MULTIPLIER),
        "is_admin": request.user.has_role(Role.PROGRAMME_ADMIN),
    }
    if request.htmx:
        return render(request, "rollout/multipliers/list.html#directory", context)
    return render(request, "rollout/multipliers/list.html", context)


@role_required(Role.MULTIPLIER)
def multiplier_focus(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Let a multiplier say what they take care of."""
    record = Multiplier.objects.filter(user=request.user).first()
    form = FocusForm(request.POST or None, initial={"focus": record.focus if record else ""})
    if request.method == "POST" and form.is_valid():
        service.multiplier_focus_set(user=request.user, focus=form.cleaned_data["focus"])
        messages.success(request, _("Your focus is saved."))
        return redirect("rollout:multiplier-list")
    return render(request, "rollout/multipliers/focus.html", {"form": form})


@role_required(Role.PROGRAMME_ADMIN)
def multiplier_admin(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show workshop attendees waiting for confirmation and the current multipliers."""
    return render(
        request,
        "rollout/multipliers/admin.html",
        {
            "candidates": service.multiplier_candidates(),
            "multipliers": service.multipliers(),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def multiplier_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm someone without a workshop in the portal (e.g. an external training)."""
    form = MultiplierAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["user"]
        _confirm(request, person, focus=form.cleaned_data["focus"])
        return redirect("rollout:multiplier-admin")
    return render(request, "rollout/multipliers/add.html", {"form": form})


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def multiplier_confirm(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, is_active=True)
    form = FocusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The focus is too long (at most 300 characters)."))
    else:
        _confirm(request, person, focus=form.cleaned_data["focus"])
    return redirect("rollout:multiplier-admin")


def _confirm(request: AuthenticatedHttpRequest, person: User, *, focus: str) -> None:
    # A workshop attended in the portal is the record's source, however the admin got here.
    workshop = service.latest_workshop_attended(person)
    try:
        service.multiplier_confirm(user=person, by=request.user, focus=focus, source_event=workshop)
    except service.MultiplierError as e:
        messages.info(request, str(e))
    else:
        messages.success(request, _("%(name)s is now a multiplier.") % {"name": person.name})


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def multiplier_dismiss(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    try:
        service.multiplier_candidate_dismiss(user=person, by=request.user)
    except service.MultiplierError as e:
        messages.info(request, str(e))
    else:
        messages.success(
            request, _("%(name)s is no longer on the list of candidates.") % {"name": person.name}
        )
    return redirect("rollout:multiplier-admin")


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def multiplier_end(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    try:
        service.multiplier_end(user=person, by=request.user)
    except service.MultiplierError as e:
        messages.info(request, str(e))
    else:
        messages.success(request, _("%(name)s is no longer a multiplier.") % {"name": person.name})
    return redirect("rollout:multiplier-admin")
