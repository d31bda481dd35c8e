"""Event management for programme admins: events, series, the registrations export."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required
from portal.services import audit_record
from rollout.common.spreadsheet import BOM, csv_safe, csv_writer
from rollout.events.forms import EventForm, SeriesForm
from rollout.events.series import series_rhythm, series_save
from rollout.events.services import EventError, event_create, event_update
from rollout.models import Event, EventSeries, Registration


@role_required(Role.PROGRAMME_ADMIN)
def event_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = event_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("The event was created."))
        return redirect("rollout:event-detail", event.pk)
    return render(request, "rollout/event_form.html", {"form": form, "event": None})


@role_required(Role.PROGRAMME_ADMIN)
def event_edit(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event=event, by=request.user, **form.cleaned_data)
        except EventError as e:  # e.g. seats were taken while the form was open
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The event was saved."))
            return redirect("rollout:event-detail", event.pk)
    event.refresh_from_db()  # the form changed the instance in memory
    return render(request, "rollout/event_form.html", {"form": form, "event": event})


@role_required(Role.PROGRAMME_ADMIN)
def series_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    upcoming = Count("events", filter=Q(events__starts_at__gte=timezone.now()))
    series = EventSeries.objects.select_related("host").annotate(upcoming=upcoming)
    rows = [(s, series_rhythm(s)) for s in series]
    return render(request, "rollout/series_list.html", {"rows": rows})


def _series_form(request: AuthenticatedHttpRequest, series: EventSeries | None) -> HttpResponse:
    form = SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        _saved, created = series_save(series=series, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            ngettext(
                "The series was saved; %(n)s new session was created.",
                "The series was saved; %(n)s new sessions were created.",
                created,
            )
            % {"n": created},
        )
        return redirect("rollout:series-list")
    if series is not None:
        series.refresh_from_db()
    return render(request, "rollout/series_form.html", {"form": form, "series": series})


@role_required(Role.PROGRAMME_ADMIN)
def series_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _series_form(request, None)


@role_required(Role.PROGRAMME_ADMIN)
def series_edit(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    return _series_form(request, get_object_or_404(EventSeries, pk=series_id))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@role_required(Role.PROGRAMME_ADMIN)
def registrations_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """One row per registration, for Excel: UTF-8 with BOM, semicolons, no formulas."""
    rows = Registration.objects.select_related("event", "user__department").order_by(
        "event__starts_at", "event_id", "user__name", "pk"
    )
    event_id = request.GET.get("event", "")
    if event_id.isdigit():
        rows = rows.filter(event_id=int(event_id))
    # Labels now, while the request's language is active (the body streams later).
    header = [
        _("Event"), _("Date"), _("Kind"), _("Name"), _("Email"), _("Department"),
        _("Status"), _("Checked in"), _("Checked in at"),
    ]  # fmt: skip
    kinds = {value: str(label) for value, label in Event.Kind.choices}
    statuses = {value: str(label) for value, label in Registration.Status.choices}
    yes, no = _("yes"), _("no")
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for r in rows.iterator(chunk_size=2000):
            cells = [
                r.event.title,
                _when(r.event.starts_at),
                kinds.get(r.event.kind, r.event.kind),
                r.user.name,
                r.user.email,
                r.user.department.name if r.user.department else "",
                statuses.get(r.status, r.status),
                yes if r.attended_at else no,
                _when(r.attended_at),
            ]
            yield writer.writerow([csv_safe(c) for c in cells])

    audit_record(
        actor=request.user,
        action="event.registrations_exported",
        details={"event": int(event_id) if event_id.isdigit() else None},
    )
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="anmeldungen.csv"'
    return response
