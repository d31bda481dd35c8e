"""The meeting-protocol kind: from a transcript to a validated protocol for review.

Its `generate` is also what the newsletter draft runs (a protocol-shaped document)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants import prompts, schema
from assistants.chunking import split_transcript
from assistants.kinds import PROTOCOL, Generated, JobKind
from assistants.llm import ContextTooSmall, GenerationCancelled, LlmBackend
from assistants.models import GenerationJob, Protocol, ProtocolTemplate
from assistants.services import drafting
from assistants.services.jobs import generation_job_create
from portal.models import User


def protocol_job_create(
    *,
    owner: User,
    title: str,
    meeting_date: date,
    participants: list[str],
    template: ProtocolTemplate,
    output_language: str,
    transcript: str,
) -> GenerationJob:
    """Ask for the protocol of a meeting; the llm worker wakes after commit."""
    return generation_job_create(
        kind=PROTOCOL,
        owner=owner,
        title=title,
        day=meeting_date,
        template=template,
        output_language=output_language,
        source=transcript,
        params={"participants": participants},
    )


def protocol_generate(job: GenerationJob, backend: LlmBackend) -> Generated:
    """Write a protocol of the job's text with its template: in one go, or part by part."""
    template, meta, transcript = job.template, job.params, job.input_text
    language = job.output_language
    max_out = settings.LLM_MAX_OUTPUT_TOKENS
    fixed = prompts.protocol_messages(
        template=template, language=language, meta=meta, transcript=""
    )
    overhead = sum(backend.count_tokens(m["content"]) + 8 for m in fixed)
    # Room for the part header, and slack: a joined part can take a few more tokens than
    # its pieces counted one by one.
    budget = int((backend.context_length() - overhead - max_out - 64) * 0.9)
    if budget < 64:
        raise ContextTooSmall(_("the model's context is too small for this template"))
    tokens = backend.count_tokens(transcript)
    figures = {"prompt_tokens": 0, "completion_tokens": 0, "condensed_note": "", "parts": 1}
    if tokens <= budget:
        progress = drafting.Progress(job, 1)
        result = _one_protocol(backend, template, language, meta, transcript, progress, figures)
        return _generated(job, result, figures)

    parts = split_transcript(transcript, budget, backend.count_tokens)
    if len(parts) > settings.TRANSCRIPT_MAX_PARTS:
        raise ContextTooSmall(
            _("the text needs %(n)d parts, more than the %(max)d allowed; please shorten it")
            % {"n": len(parts), "max": settings.TRANSCRIPT_MAX_PARTS}
        )
    GenerationJob.objects.filter(pk=job.pk).update(parts_total=len(parts))
    progress = drafting.Progress(job, len(parts))
    results = []
    for index, part in enumerate(parts, start=1):
        if not progress.step(_("Part %(i)d of %(n)d") % {"i": index, "n": len(parts)}, part=index):
            raise GenerationCancelled
        results.append(
            _one_protocol(
                backend, template, language, meta, part, progress, figures, part=(index, len(parts))
            )
        )
    progress.step(_("Combining the parts"), part=len(parts) + 1)
    summaries = [r.summary for r in results]
    summary = drafting.joined_summary(
        backend,
        prompts.summary_messages(language=language, part_summaries=summaries),
        summaries,
        progress,
        figures,
    )
    merged = schema.verify_sources(
        schema.merge_protocols(results, summary=summary), transcript=transcript
    )
    figures["parts"] = len(parts)
    figures["condensed_note"] = _(
        "The text (%(tokens)d tokens) was longer than the model can read at once (%(budget)d "
        "tokens). It was processed in %(n)d parts; decisions, action items and questions were "
        "collected from all parts, and the summary was condensed from the parts' summaries."
    ) % {"tokens": tokens, "budget": budget, "n": len(parts)}
    return _generated(job, merged, figures)


def _generated(job: GenerationJob, protocol: schema.ProtocolDraft, figures: dict) -> Generated:
    meeting_date = job.params.get("meeting_date")
    schema.check_against_meeting(
        protocol,
        meeting_date=date.fromisoformat(meeting_date) if meeting_date else None,
        participants=job.params.get("participants", []),
    )
    return Generated(document=protocol.model_dump(mode="json"), **figures)


def _one_protocol(
    backend: LlmBackend,
    template,
    language,
    meta,
    transcript,
    progress: Callable,
    figures: dict,
    part: tuple[int, int] | None = None,
) -> schema.ProtocolDraft:
    messages = prompts.protocol_messages(
        template=template, language=language, meta=meta, transcript=transcript, part=part
    )
    return drafting.draft(
        backend,
        messages,
        json_schema=schema.generation_schema(),
        parse=lambda text: schema.parse_protocol(text, transcript=transcript),
        progress=progress,
        figures=figures,
    )


def protocol_store(job: GenerationJob, generated: Generated, backend: LlmBackend) -> None:
    """Keep a meeting protocol for review (inside the transaction that marks its job done)."""
    Protocol.objects.create(
        job=job,
        owner=job.owner,
        title=job.params["title"],
        meeting_date=date.fromisoformat(job.params["meeting_date"]),
        template=job.template,
        output_language=job.output_language,
        schema_version=schema.SCHEMA_VERSION,
        data=generated.document,
        model_name=backend.model_name[:200],
        prompt_version=prompts.PROMPT_VERSION,
    )


def protocol_url(job: GenerationJob) -> str | None:
    protocol = Protocol.objects.filter(job=job).only("pk").first()
    return reverse("assistants:protocol-detail", args=[protocol.pk]) if protocol else None


PROTOCOL_KIND = JobKind(
    PROTOCOL,
    gettext_lazy("Meeting protocol"),
    generate=protocol_generate,
    store=protocol_store,
    result_url=protocol_url,
    open_label=gettext_lazy("Open the protocol"),
    start_url="assistants:protocol-new",
)
