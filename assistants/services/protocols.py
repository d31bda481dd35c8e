"""The meeting-protocol kind: from a transcript to a validated protocol for review.

Its `generate` is also what the newsletter draft runs (a protocol-shaped document)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants import prompts, schema
from assistants.chunking import split_transcript
from assistants.kinds import PROTOCOL, Generated, JobKind
from assistants.llm import ContextTooSmall, GenerationCancelled, LlmBackend
from assistants.models import GenerationJob, Protocol, ProtocolTemplate
from assistants.services.jobs import generation_job_create, job_heartbeat
from portal.models import User

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0


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


class Progress:
    """Writes partial output and progress to the job row at most about once a second."""

    def __init__(self, job: GenerationJob, parts: int) -> None:
        self.job, self.parts, self.part = job, parts, 1
        self.last = 0.0
        self.first_token_seen = False

    def __call__(self, text: str) -> bool:
        now = time.monotonic()
        fields: dict = {}
        if not self.first_token_seen:
            self.first_token_seen = True
            fields["first_token_at"] = timezone.now()
        elif now - self.last < HEARTBEAT_SECONDS:
            return True
        self.last = now
        share = min(0.95, len(text) / (settings.LLM_MAX_OUTPUT_TOKENS * 3))
        progress = int(
            100 * ((self.part - 1) + share) / (self.parts + (1 if self.parts > 1 else 0))
        )
        return job_heartbeat(self.job, partial_output=text[-20000:], progress=progress, **fields)

    def step(self, note: str, part: int | None = None) -> bool:
        if part is not None:
            self.part = part
        return job_heartbeat(self.job, progress_note=note[:200], partial_output="")


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
        progress = Progress(job, 1)
        result = _one_protocol(backend, template, language, meta, transcript, progress, figures)
        return _generated(job, result, figures)

    parts = split_transcript(transcript, budget, backend.count_tokens)
    if len(parts) > settings.TRANSCRIPT_MAX_PARTS:
        raise ContextTooSmall(
            _("the text needs %(n)d parts, more than the %(max)d allowed; please shorten it")
            % {"n": len(parts), "max": settings.TRANSCRIPT_MAX_PARTS}
        )
    GenerationJob.objects.filter(pk=job.pk).update(parts_total=len(parts))
    progress = Progress(job, len(parts))
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
    summary = _combined_summary(backend, language, [r.summary for r in results], progress, figures)
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
    generation = backend.chat(
        messages,
        max_tokens=settings.LLM_MAX_OUTPUT_TOKENS,
        json_schema=schema.generation_schema(),
        on_text=progress,
    )
    _count(figures, generation)
    if generation.finish_reason == "length":
        return _salvage(generation.text, transcript)
    try:
        return schema.parse_protocol(generation.text, transcript=transcript)
    except schema.ProtocolInvalid as first_problem:
        logger.info("invalid protocol output, one repair attempt")
        repair = prompts.repair_messages(messages, generation.text, str(first_problem))
        try:
            retry = backend.chat(
                repair,
                max_tokens=settings.LLM_MAX_OUTPUT_TOKENS,
                json_schema=schema.generation_schema(),
                on_text=progress,
            )
        except ContextTooSmall:
            raise first_problem from None
        _count(figures, retry)
        return schema.parse_protocol(retry.text, transcript=transcript)


def _salvage(text: str, transcript: str) -> schema.ProtocolDraft:
    """Keep what the model finished before it hit the output limit, and say so."""
    closed = schema.close_truncated_json(text)
    if closed is None:
        raise schema.ProtocolInvalid(_("the answer was cut off at the output limit"))
    protocol = schema.parse_protocol(closed, transcript=transcript)
    protocol.notes.append(
        _(
            "The answer reached the output limit of %(n)d tokens and was cut "
            "off there; later items may be missing."
        )
        % {"n": settings.LLM_MAX_OUTPUT_TOKENS}
    )
    return protocol


def _combined_summary(
    backend: LlmBackend, language: str, summaries: list[str], progress: Callable, figures: dict
) -> str:
    messages = prompts.summary_messages(language=language, part_summaries=summaries)
    try:
        generation = backend.chat(
            messages,
            max_tokens=min(600, settings.LLM_MAX_OUTPUT_TOKENS),
            json_schema=prompts.SUMMARY_SCHEMA,
            on_text=progress,
        )
    except ContextTooSmall:
        return " ".join(summaries)  # still nothing lost: the parts' own summaries
    _count(figures, generation)
    try:
        return schema.parse_summary(generation.text)
    except schema.ProtocolInvalid:
        return " ".join(summaries)


def _count(figures: dict, generation) -> None:
    figures["prompt_tokens"] += generation.prompt_tokens
    figures["completion_tokens"] += generation.completion_tokens


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
