"""The meeting-protocol kind: from a transcript to a validated protocol for review.

Its `generate` is also what the newsletter draft runs (a protocol-shaped document)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assistants import prompts, schema, tokens
from assistants.chunking import split_transcript
from assistants.kinds import PROTOCOL, Generated, JobKind
from assistants.llm import ContextTooSmall, GenerationCancelled, LlmBackend
from assistants.models import GenerationJob, Protocol, ProtocolTemplate, Transcript
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
    from_transcript: Transcript | None = None,
) -> GenerationJob:
    """Ask for the protocol of a meeting; the llm worker wakes after commit. A protocol made
    from a recording's transcript keeps its id, so that quotes can link to their time."""
    params: dict = {"participants": participants}
    if from_transcript is not None:
        params["transcript_id"] = from_transcript.pk
    return generation_job_create(
        kind=PROTOCOL,
        owner=owner,
        title=title,
        day=meeting_date,
        template=template,
        output_language=output_language,
        source=transcript,
        params=params,
    )


def protocol_budget(
    count: Callable[[str], int], context: int, *, template, language: str, meta: dict
) -> int:
    """Tokens of transcript one request can take beside the prompt and the answer.

    The worker (with the loaded model) and the form (with the model's tokenizer, see
    assistants.tokens) compute it alike, so a job the form accepts is never refused later.
    """
    fixed = prompts.protocol_messages(
        template=template, language=language, meta=meta, transcript=""
    )
    overhead = sum(count(m["content"]) + 8 for m in fixed)
    # Room for the part header, and slack: a joined part can take a few more tokens than
    # its pieces counted one by one.
    budget = int((context - overhead - settings.LLM_MAX_OUTPUT_TOKENS - 64) * 0.9)
    if budget < 64:
        raise ContextTooSmall(_("the model's context is too small for this template"))
    return budget


@dataclass(frozen=True)
class TranscriptPlan:
    """What a transcript will take, shown before the job starts and checked by the form."""

    characters: int
    tokens: int
    budget: int  # tokens of transcript per part
    parts: int
    max_parts: int
    tokenizer: str  # the model file whose tokenizer counted, or "estimate"
    seconds: float | None  # from this model's recent jobs; None without any

    @property
    def fits(self) -> bool:
        return self.parts <= self.max_parts

    @property
    def duration_text(self) -> str:
        seconds = round(self.seconds or 0)
        if seconds < 120:
            return ngettext("about %(n)d second", "about %(n)d seconds", seconds) % {"n": seconds}
        minutes = round(seconds / 60)
        if minutes < 120:
            return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
        return _("about %(h)d hours %(m)d minutes") % {"h": minutes // 60, "m": minutes % 60}

    @property
    def characters_to_cut(self) -> int:
        """About how many characters must go for the text to fit (parts grow linearly)."""
        if self.fits:
            return 0
        keep = self.characters * self.max_parts / self.parts * 0.97
        return max(1, math.ceil(self.characters - keep))


def protocol_plan(transcript: str, *, template, language: str, meta: dict) -> TranscriptPlan:
    """Count and split `transcript` as the worker will (the form's check and preview)."""
    counter = tokens.web_counter()
    budget = protocol_budget(
        counter, settings.LLM_N_CTX, template=template, language=language, meta=meta
    )
    parts = len(transcript_parts(transcript, budget, counter))
    return TranscriptPlan(
        characters=len(transcript),
        tokens=counter(transcript),
        budget=budget,
        parts=parts,
        max_parts=settings.TRANSCRIPT_MAX_PARTS,
        tokenizer=counter.label,
        seconds=estimated_seconds(parts),
    )


def estimated_seconds(parts: int) -> float | None:
    """Seconds a job of `parts` parts takes, from the configured model's last protocols."""
    model = settings.LLM_MODEL_PATH.name if settings.LLM_MODEL_PATH else settings.LLM_SERVER_MODEL
    recent = (
        GenerationJob.objects.filter(
            kind=PROTOCOL,
            status=GenerationJob.Status.DONE,
            model_name=model,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at", "parts_total")[:10]
    )
    # A job of n parts makes n requests, and about one more to combine them.
    per_request = [
        (finished - started).total_seconds() / (total + (1 if total > 1 else 0))
        for started, finished, total in recent
    ]
    if not per_request:
        return None
    return sum(per_request) / len(per_request) * (parts + (1 if parts > 1 else 0))


def transcript_parts(transcript: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """The transcript whole if it fits one request, else in parts that do."""
    if count(transcript) <= budget:
        return [transcript]
    return split_transcript(transcript, budget, count)


def protocol_generate(job: GenerationJob, backend: LlmBackend) -> Generated:
    """Write a protocol of the job's text with its template: in one go, or part by part."""
    template, meta, transcript = job.template, job.params, job.input_text
    language = job.output_language
    count = backend.count_tokens
    budget = protocol_budget(
        count, backend.context_length(), template=template, language=language, meta=meta
    )
    figures = {"prompt_tokens": 0, "completion_tokens": 0, "condensed_note": "", "parts": 1}
    parts = transcript_parts(transcript, budget, count)
    if len(parts) == 1:
        progress = drafting.Progress(job, 1)
        result = _one_protocol(backend, template, language, meta, transcript, progress, figures)
        return _generated(job, result, figures)
    if len(parts) > settings.TRANSCRIPT_MAX_PARTS:  # the form refuses these; settings changed
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
    summary = drafting.reduced_summary(
        backend,
        lambda summaries: prompts.summary_messages(language=language, part_summaries=summaries),
        [r.summary for r in results],
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
    ) % {"tokens": count(transcript), "budget": budget, "n": len(parts)}
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
