"""Suggest sections for the next issue from the portal's own activity.

"Since" is the moment the last issue was sent (or 30 days back when none was). The result
is a Markdown draft for the German text: the admin edits it before anyone receives it.
Titles come from people's input, so Markdown characters in them are escaped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from newsletter.models import Issue
from rollout.models import Event, FaqEntry, OfficeHourSlot, Phase, UseCase
from rollout.programme import selectors

AHEAD = timedelta(weeks=3)
FIRST_ISSUE_LOOKBACK = timedelta(days=30)
MAX_ITEMS = 8  # per section: a newsletter, not a report
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def suggestions_since() -> datetime:
    """Return when the last issue went out (30 days ago when none has)."""
    last = (
        Issue.objects.filter(status=Issue.Status.SENT, sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return last or timezone.now() - FIRST_ISSUE_LOOKBACK


def markdown_text(value: str) -> str:
    """Return `value` as one line of Markdown text: no markup of its own survives."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _link(title: str, url_name: str, *args: int) -> str:
    return f"[{markdown_text(title)}]({settings.SITE_URL}{reverse(url_name, args=args)})"


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _section(heading: str, lines: list[str]) -> str:
    return f"## {heading}\n\n" + "\n".join(f"- {line}" for line in lines[:MAX_ITEMS])


def _use_cases(since: datetime) -> list[str]:
    sections = []
    new = UseCase.objects.filter(created_at__gte=since).exclude(
        status__in=[UseCase.Status.PARKED, UseCase.Status.REJECTED]
    )
    lines = [_link(uc.title, "rollout:usecase-detail", uc.pk) for uc in new.order_by("created_at")]
    if lines:
        sections.append(_section(_("New use cases"), lines))
    validated = UseCase.objects.filter(
        status__in=[UseCase.Status.VALIDATED, UseCase.Status.ROLLED_OUT],
        status_changed_at__gte=since,
    ).order_by("status_changed_at")
    lines = [
        f"{_link(uc.title, 'rollout:usecase-detail', uc.pk)} ({uc.get_status_display()})"
        for uc in validated
    ]
    if lines:
        sections.append(_section(_("Validated use cases"), lines))
    return sections


def _dates(now: datetime) -> list[str]:
    sections = []
    events = Event.objects.filter(starts_at__gte=now, starts_at__lt=now + AHEAD).order_by(
        "starts_at"
    )
    lines = [
        f"{_when(e.starts_at)}: {_link(e.title, 'rollout:event-detail', e.pk)}"
        f" ({e.get_kind_display()})"
        for e in events
    ]
    if lines:
        sections.append(_section(_("Upcoming events"), lines))
    slots = (
        OfficeHourSlot.objects.filter(
            starts_at__gte=now,
            starts_at__lt=now + AHEAD,
            cancelled=False,
            office_hour__active=True,
        )
        .select_related("office_hour__host")
        .order_by("starts_at")
    )
    first_slot: dict[int, OfficeHourSlot] = {}
    for slot in slots:
        first_slot.setdefault(slot.office_hour_id, slot)
    lines = [
        _("{when}: {topic} with {host}").format(
            when=_when(slot.starts_at),
            topic=markdown_text(slot.office_hour.topic),
            host=markdown_text(slot.office_hour.host.get_full_name()),
        )
        for slot in first_slot.values()
    ]
    if lines:
        lines.append(
            _("Book a slot: {url}").format(
                url=f"{settings.SITE_URL}{reverse('rollout:officehour-list')}"
            )
        )
        sections.append(_section(_("Office hours"), lines))
    return sections


def _faq(since: datetime) -> list[str]:
    entries = FaqEntry.objects.filter(published=True, created_at__gte=since).order_by("created_at")
    lines = [_link(e.question_de, "rollout:faq-entry", e.pk) for e in entries]
    return [_section(_("New in the FAQ"), lines)] if lines else []


def _progress(since: datetime) -> list[str]:
    """Phases begun, under way or completed, and milestones reached since `since`: as the
    roadmap shows them (milestones tied to a KPI are reached by the data)."""
    programme = selectors.current_programme()
    if programme is None:
        return []
    day = timezone.localtime(since).date()
    overview = selectors.programme_overview(programme)
    lines = []
    for row in overview.rows:
        phase = row.phase
        if row.status == Phase.Status.DONE and phase.actual_end and phase.actual_end >= day:
            lines.append(_("Phase {phase} is completed.").format(phase=markdown_text(str(phase))))
        elif row.status == Phase.Status.ACTIVE:
            lines.append(
                _("Phase {phase} is under way ({percent} % of the planned time).").format(
                    phase=markdown_text(str(phase)), percent=row.time_percent
                )
            )
    milestones = [m for m in overview.milestones if m.reached_on and m.reached_on >= day]
    reached = _("Milestone reached: {title}")
    lines += [
        reached.format(title=markdown_text(m.title))
        for m in sorted(milestones, key=lambda m: (m.reached_on, m.pk))
    ]
    return [_section(_("Where the programme stands"), lines)] if lines else []


def suggested_sections(*, now: datetime | None = None) -> str:
    """Return a German Markdown draft of what happened since the last issue ("" if nothing)."""
    now = now or timezone.now()
    since = suggestions_since()
    with translation.override("de"):
        sections = _use_cases(since) + _dates(now) + _faq(since) + _progress(since)
    return "\n\n".join(sections)
