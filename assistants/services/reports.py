"""The steering-committee report: the programme's own facts, drafted by the local model.

It runs through the protocol machinery (job, schema, review, exports) with the
"statusbericht" template; its input is a text of facts that every app contributes
through `portal.registry.report_fact_providers`, so the model states nothing else.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assistants.kinds import PROTOCOL, JobKind
from assistants.models import ActionItem, GenerationJob, Protocol, ProtocolTemplate
from assistants.services.jobs import generation_job_create
from portal import registry
from portal.models import User
from portal.roles import Role

REPORT_TEMPLATE = "statusbericht"
REPORT = JobKind("report", _("Programme status report"), templates=(REPORT_TEMPLATE,))


def assistant_facts() -> list[tuple[str, list[str]]]:
    since = timezone.now() - timezone.timedelta(days=30)
    meetings = PROTOCOL  # not the reports themselves, not newsletter drafts
    protocols = Protocol.objects.filter(created_at__gte=since, job__kind=meetings).aggregate(
        generated=Count("pk"), approved=Count("pk", filter=Q(status=Protocol.Status.APPROVED))
    )
    today = timezone.localdate()
    items = ActionItem.objects.aggregate(
        open=Count("pk", filter=Q(status=ActionItem.Status.OPEN)),
        overdue=Count("pk", filter=Q(status=ActionItem.Status.OPEN, due_date__lt=today)),
    )
    jobs = GenerationJob.objects.filter(created_at__gte=since, kind=meetings)
    users = jobs.values("owner").distinct().count()
    return [
        (
            "KI-Assistenten (letzte 30 Tage)",
            [
                f"Erstellte Protokolle: {protocols['generated']}, "
                f"davon freigegeben: {protocols['approved']}",
                f"Personen, die den Protokollgenerator genutzt haben: {users}",
                f"Offene Aufgaben aus Protokollen: {items['open']}, "
                f"davon überfällig: {items['overdue']}",
            ],
        )
    ]


def report_facts() -> str:
    """Return the facts of all apps as text: the report's only source."""
    sections = [f"Stand: {date_format(timezone.localdate(), 'SHORT_DATE_FORMAT')}"]
    for provider in registry.report_fact_providers:
        for heading, lines in provider():
            sections.append(f"{heading}:\n" + "\n".join(f"- {line}" for line in lines))
    return "\n\n".join(sections)


def report_job_create(*, owner: User, language: str) -> GenerationJob:
    today = timezone.localdate()
    return generation_job_create(
        kind=REPORT.key,
        owner=owner,
        title=f"Statusbericht KI-Programm – {date_format(today, 'F Y')}",
        day=today,
        template=ProtocolTemplate.objects.get(key=REPORT_TEMPLATE, is_current=True),
        output_language=language,
        source=report_facts(),
    )


def monthly_report_owner() -> User | None:
    """The programme admin who owns the monthly report (the longest-serving one)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.PROGRAMME_ADMIN)
        .order_by("pk")
        .first()
    )
