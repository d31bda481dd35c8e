"""The steering-committee status report: the programme's own facts, drafted by the local
model, checked and approved by a programme admin.

Its input is a text of facts that every app contributes through
`portal.registry.report_fact_providers`, so the model states nothing else; the result is a
`StatusReport` (its own document: summary, sections, risks, next steps), never a protocol.
The report also keeps those facts as headed lists with their figures (assistants/fact_blocks.py).
The "statusbericht" template holds the wording an admin may revise.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants import fact_blocks, prompts, report_schema
from assistants.chunking import split_transcript
from assistants.kinds import PROTOCOL, Generated, JobKind
from assistants.llm import ContextTooSmall, GenerationCancelled, LlmBackend
from assistants.models import ActionItem, GenerationJob, Protocol, ProtocolTemplate, StatusReport
from assistants.services import drafting
from assistants.services.jobs import generation_job_create
from portal.models import User
from portal.roles import Role
from portal.services import audit_record

REPORT_TEMPLATE = "statusbericht"


class ReportError(Exception):
    """A change to a report that is not allowed now; the message says why."""


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
    return fact_blocks.as_text(fact_blocks.gather(), timezone.localdate())


def report_title(day: date) -> str:
    return f"Statusbericht KI-Programm – {date_format(day, 'F Y')}"


def report_job_create(*, owner: User, language: str) -> GenerationJob:
    today = timezone.localdate()
    blocks = fact_blocks.gather()  # once: the text the model reads and the stored blocks agree
    return generation_job_create(
        kind=REPORT.key,
        owner=owner,
        title=report_title(today),
        day=today,
        # The wording an admin may revise; removed by hand, the built-in prompt still holds.
        template=ProtocolTemplate.objects.filter(key=REPORT_TEMPLATE, is_current=True).first(),
        output_language=language,
        source=fact_blocks.as_text(blocks, today),
        params={"fact_blocks": blocks},
    )


def monthly_report_owner() -> User | None:
    """The programme admin who owns the monthly report (the longest-serving one)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.PROGRAMME_ADMIN)
        .order_by("pk")
        .first()
    )


def report_generate(job: GenerationJob, backend: LlmBackend) -> Generated:
    """Write the report from the job's facts: in one go, or part by part when the facts do
    not fit the model's context (a small model, or a long programme), then joined."""
    facts, language, title = job.input_text, job.output_language, job.params.get("title", "")
    fixed = prompts.report_messages(template=job.template, language=language, title=title, facts="")
    overhead = sum(backend.count_tokens(m["content"]) + 8 for m in fixed)
    budget = int((backend.context_length() - overhead - settings.LLM_MAX_OUTPUT_TOKENS - 64) * 0.9)
    if budget < 64:
        raise ContextTooSmall(_("the model's context is too small for the programme's facts"))
    parts = split_transcript(facts, budget, backend.count_tokens)
    if len(parts) > settings.TRANSCRIPT_MAX_PARTS:
        raise ContextTooSmall(_("the model's context is too small for the programme's facts"))
    figures = {"prompt_tokens": 0, "completion_tokens": 0}
    progress = drafting.Progress(job, len(parts))
    drafts = []
    for index, part in enumerate(parts, start=1):
        if len(parts) > 1 and not progress.step(
            _("Part %(i)d of %(n)d") % {"i": index, "n": len(parts)}, part=index
        ):
            raise GenerationCancelled
        messages = prompts.report_messages(
            template=job.template, language=language, title=title, facts=part
        )
        # Figures are checked against all the facts: a part may name one stated in another.
        drafts.append(
            drafting.draft(
                backend,
                messages,
                json_schema=report_schema.generation_schema(),
                parse=lambda text: report_schema.parse_report(text, facts=facts),
                progress=progress,
                figures=figures,
            )
        )
    if len(parts) == 1:
        return Generated(document=drafts[0].model_dump(mode="json"), **figures)
    progress.step(_("Combining the parts"), part=len(parts) + 1)
    summaries = [d.summary for d in drafts]
    summary = drafting.joined_summary(
        backend,
        prompts.report_summary_messages(language=language, part_summaries=summaries),
        summaries,
        progress,
        figures,
    )
    joined = report_schema.join_parts(drafts, summary=summary)
    note = _(
        "The figures were more than the model can read at once; the report was written in "
        "%(n)d parts and joined."
    ) % {"n": len(parts)}
    return Generated(
        document=joined.model_dump(mode="json"), parts=len(parts), condensed_note=note, **figures
    )


def report_store(job: GenerationJob, generated: Generated, backend: LlmBackend) -> None:
    """Keep the report for review (inside the transaction that marks its job done)."""
    StatusReport.objects.create(
        job=job,
        owner=job.owner,
        title=job.params["title"],
        report_date=date.fromisoformat(job.params["meeting_date"]),
        output_language=job.output_language,
        facts=job.input_text,
        fact_blocks=job.params.get("fact_blocks") or [],
        schema_version=report_schema.REPORT_SCHEMA_VERSION,
        data=generated.document,
        model_name=backend.model_name[:200],
        prompt_version=prompts.REPORT_PROMPT_VERSION,
    )


def report_url(job: GenerationJob) -> str | None:
    report = StatusReport.objects.filter(job=job).only("pk").first()
    return reverse("assistants:report-detail", args=[report.pk]) if report else None


REPORT = JobKind(
    "report",
    gettext_lazy("Programme status report"),
    generate=report_generate,
    store=report_store,
    templates=(REPORT_TEMPLATE,),
    result_url=report_url,
    open_label=gettext_lazy("Open the report"),
    start_url="assistants:report-new",
)


def _locked_draft(report: StatusReport) -> StatusReport:
    locked = StatusReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != StatusReport.Status.DRAFT:
        raise ReportError(_("This report is approved and can no longer be changed."))
    return locked


@transaction.atomic
def report_edit(*, report: StatusReport, by: User, data: dict) -> StatusReport:
    """Replace the report's text with what a person wrote (cleaned like model output).

    The notes stay: they say what to check, and the approver sees them until approval."""
    locked = _locked_draft(report)
    cleaned = report_schema.report_validate(
        report_schema.clean_document(data), notes=locked.data.get("notes", [])
    )
    locked.data = cleaned.model_dump(mode="json")
    locked.edited_by, locked.edited_at = by, timezone.now()
    locked.save(update_fields=["data", "edited_by", "edited_at"])
    audit_record(actor=by, action="report.edited", target=locked)
    return locked


@transaction.atomic
def report_approve(*, report: StatusReport, by: User) -> StatusReport:
    """Approve the report as it stands; it is locked from now on."""
    locked = _locked_draft(report)
    locked.status = StatusReport.Status.APPROVED
    locked.approved_by, locked.approved_at = by, timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=by,
        action="report.approved",
        target=locked,
        details={"demo_model": locked.from_demo_model},
    )
    return locked
