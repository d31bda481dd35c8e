"""Materials of an event: add and remove (host, admins), download (those with access)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from rollout.common.files import file_download
from rollout.events.forms import MaterialForm
from rollout.events.materials import material_add, material_delete, material_visible_to
from rollout.events.services import event_managed_by
from rollout.models import Event, EventMaterial


def _get_event_to_manage(request: AuthenticatedHttpRequest, event_id: int) -> Event:
    event = get_object_or_404(Event.objects.select_related("host"), pk=event_id)
    if not event_managed_by(event, request.user):
        raise PermissionDenied
    return event


@login_required
def material_new(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = _get_event_to_manage(request, event_id)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        material_add(
            event=event,
            by=request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"] or None,
            url=form.cleaned_data["url"],
        )
        messages.success(request, _("The material was added."))
        return redirect("rollout:event-detail", event.pk)
    return render(request, "rollout/event_material_form.html", {"event": event, "form": form})


@login_required
def material_download(
    request: AuthenticatedHttpRequest, event_id: int, material_id: int
) -> FileResponse:
    """Serve the file as an attachment to people with access; everyone else gets 404."""
    event = get_object_or_404(Event, pk=event_id)
    material = get_object_or_404(EventMaterial, pk=material_id, event=event)
    manages = event_managed_by(event, request.user)
    if not material.file or not material_visible_to(event, request.user, manages=manages):
        raise Http404
    return file_download(material.file)


@require_POST
@login_required
def material_remove(
    request: AuthenticatedHttpRequest, event_id: int, material_id: int
) -> HttpResponse:
    event = _get_event_to_manage(request, event_id)
    material = get_object_or_404(EventMaterial, pk=material_id, event=event)
    material_delete(material=material, by=request.user)
    messages.success(request, _("The material was removed."))
    return redirect("rollout:event-detail", event.pk)
