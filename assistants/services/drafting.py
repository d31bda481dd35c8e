"""What every kind does while the model writes its document: progress on the job row, one
request with its answer validated, kept when cut off, asked once more when unusable, and the
reduce step that joins the summaries of parts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from assistants import prompts, schema
from assistants.kinds import ResultInvalid
from assistants.llm import ContextTooSmall, Generation, LlmBackend, prompt_tokens
from assistants.models import GenerationJob
from assistants.services.jobs import job_heartbeat

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
Draft = TypeVar("Draft", bound=schema.ProtocolDraft)  # or a ReportDraft: both keep `notes`


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


def count(figures: dict, generation: Generation) -> None:
    figures["prompt_tokens"] += generation.prompt_tokens
    figures["completion_tokens"] += generation.completion_tokens


def draft(
    backend: LlmBackend,
    messages: list[dict[str, str]],
    *,
    json_schema: dict,
    parse: Callable[[str], Draft],
    progress: Callable,
    figures: dict,
) -> Draft:
    """Ask for one document and return it parsed by `parse` (which raises ResultInvalid).

    An answer cut off at the output limit keeps what was finished, with a note saying so;
    an unusable answer is asked for once more, showing the model its answer and the problem.
    """
    answers: list[str] = []

    def ask(chat: list[dict[str, str]]) -> Draft:
        generation = backend.chat(
            chat,
            max_tokens=settings.LLM_MAX_OUTPUT_TOKENS,
            json_schema=json_schema,
            on_text=progress,
        )
        count(figures, generation)
        answers.append(generation.text)
        if generation.finish_reason != "length":
            return parse(generation.text)
        closed = schema.close_truncated_json(generation.text)
        if closed is None:
            raise ResultInvalid(_("the answer was cut off at the output limit"))
        document = parse(closed)
        document.notes.append(
            _(
                "The answer reached the output limit of %(n)d tokens and was cut "
                "off there; later items may be missing."
            )
            % {"n": settings.LLM_MAX_OUTPUT_TOKENS}
        )
        return document

    try:
        return ask(messages)
    except ResultInvalid as problem:
        logger.info("invalid output, one repair attempt")
        try:
            return ask(prompts.repair_messages(messages, answers[-1], str(problem)))
        except ContextTooSmall:
            raise problem from None


def reduced_summary(
    backend: LlmBackend,
    messages_for: Callable[[list[str]], list[dict[str, str]]],
    summaries: list[str],
    progress: Callable,
    figures: dict,
) -> str:
    """The reduce step in rounds: as many summaries as fit one request become one, until one
    is left. Its length grows with the number of parts, never past the model's context, so
    a transcript's length is limited by time only (a round per factor of about ten)."""
    level, rounds = list(summaries), 0
    while len(level) > 1:
        groups = _fitting_groups(backend, messages_for, level)
        if len(groups) == len(level):  # not even two fit one request: join them as they are
            return " ".join(level)
        rounds += 1
        if rounds > 1:
            progress.step(_("Combining the parts, round %(n)d") % {"n": rounds})
        level = [
            joined_summary(backend, messages_for(group), group, progress, figures)
            if len(group) > 1
            else group[0]
            for group in groups
        ]
    return level[0] if level else ""


def _fitting_groups(
    backend: LlmBackend,
    messages_for: Callable[[list[str]], list[dict[str, str]]],
    summaries: list[str],
) -> list[list[str]]:
    room = backend.context_length() - min(600, settings.LLM_MAX_OUTPUT_TOKENS) - 64
    overhead = prompt_tokens(backend, messages_for([]))
    groups: list[list[str]] = []
    used = room  # forces a new group first
    for summary in summaries:
        tokens = backend.count_tokens(summary) + 4  # "- " and the line break
        if groups and used + tokens <= room:
            groups[-1].append(summary)
            used += tokens
        else:
            groups.append([summary])
            used = overhead + tokens
    return groups


def joined_summary(
    backend: LlmBackend,
    messages: list[dict[str, str]],
    summaries: list[str],
    progress: Callable,
    figures: dict,
) -> str:
    """The reduce step: one summary of the parts' summaries (`messages` ask for it); the
    parts' own summaries, joined, if the model cannot (still nothing lost)."""
    try:
        generation = backend.chat(
            messages,
            max_tokens=min(600, settings.LLM_MAX_OUTPUT_TOKENS),
            json_schema=prompts.SUMMARY_SCHEMA,
            on_text=progress,
        )
    except ContextTooSmall:
        return " ".join(summaries)
    count(figures, generation)
    try:
        return schema.parse_summary(generation.text)
    except ResultInvalid:
        return " ".join(summaries)
