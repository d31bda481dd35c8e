"""Kinds of generation job: the handler table of the job machinery.

The machinery (assistants/services/jobs.py, generation.py) claims, leases, cancels and reaps
jobs of any kind; what a kind generates and where its result goes is the kind's own. Every
user of the machinery registers its kind in its AppConfig.ready(): the assistants their
meeting protocol and status report, the newsletter its draft. A kind names itself, the
protocol templates it keeps for itself (the meeting-protocol form offers only templates that
no other kind holds), how it generates (`generate`), how it stores its result (`store`,
inside the transaction that marks the job done; `None` keeps the document on the job in
`GenerationJob.result` for its owner to adopt) and where its result is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from assistants.llm import LlmBackend
    from assistants.models import GenerationJob

PROTOCOL = "protocol"
TRANSCRIPT = "transcript"
LLM_QUEUE, STT_QUEUE = "llm", "stt"


class ResultInvalid(ValueError):
    """The model's output is not a usable result of its kind; the message says why, briefly."""


@dataclass
class Generated:
    """What a kind's `generate` hands back: the validated document and the run's figures."""

    document: dict
    prompt_tokens: int = 0
    completion_tokens: int = 0
    parts: int = 1
    condensed_note: str = ""


Generate = Callable[["GenerationJob", "LlmBackend"], Generated]
Store = Callable[["GenerationJob", Generated, "LlmBackend"], None]


@dataclass(frozen=True)
class JobKind:
    key: str  # stored in GenerationJob.kind (at most 20 characters)
    label: Promise
    generate: Generate | None  # None: not the language model's work (speech to text)
    store: Store | None = None  # None: the document stays on the job (GenerationJob.result)
    templates: tuple[str, ...] = ()  # template keys only this kind uses
    # The finished result's page for a done job, or None (then the job page is all there is).
    result_url: Callable[[GenerationJob], str | None] = field(default=lambda job: None)
    open_label: Promise = field(default_factory=lambda: gettext_lazy("Open the result"))
    start_url: str = ""  # url name of the page that starts another job of this kind
    queue: str = LLM_QUEUE  # the Celery queue whose worker holds this kind's model


KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    if len(kind.key) > 20:
        raise ValueError(f"job kind {kind.key!r} is longer than 20 characters")
    KINDS.setdefault(kind.key, kind)


def kind_choices() -> list[tuple[str, Promise]]:
    """The model field's choices, read when they are used (after every app registered)."""
    return [(kind.key, kind.label) for kind in KINDS.values()]


def job_kind(key: str) -> JobKind | None:
    """The registered kind, or None when the app that registered it is gone."""
    return KINDS.get(key)


def kinds_on_queue(queue: str) -> list[str]:
    return [kind.key for kind in KINDS.values() if kind.queue == queue]


def reserved_templates() -> set[str]:
    return {key for kind in KINDS.values() for key in kind.templates}
