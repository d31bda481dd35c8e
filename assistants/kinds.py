"""Kinds of generation job. The assistants know only their own, the meeting protocol; every
other user of the job machinery (the status report, the newsletter draft) registers its kind
in its AppConfig.ready(). A kind names itself, the protocol templates it keeps for
itself (the meeting-protocol form offers only templates that no other kind holds) and what
becomes of its result: a `Protocol` that people review and approve, or a document kept on
the job (`GenerationJob.result`) for its owner to adopt, as the newsletter draft is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROTOCOL = "protocol"


@dataclass(frozen=True)
class JobKind:
    key: str  # stored in GenerationJob.kind (at most 20 characters)
    label: Promise
    templates: tuple[str, ...] = ()  # template keys only this kind uses
    reviewed: bool = True  # the result becomes a Protocol; else it stays on the job


KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    if len(kind.key) > 20:
        raise ValueError(f"job kind {kind.key!r} is longer than 20 characters")
    KINDS.setdefault(kind.key, kind)


def kind_choices() -> list[tuple[str, Promise]]:
    """The model field's choices, read when they are used (after every app registered)."""
    return [(kind.key, kind.label) for kind in KINDS.values()]


def job_kind(key: str) -> JobKind:
    """The registered kind; an unknown one (its app removed) is treated as reviewed."""
    return KINDS.get(key) or JobKind(key, key)


def reserved_templates() -> set[str]:
    return {key for kind in KINDS.values() for key in kind.templates}


register_job_kind(JobKind(PROTOCOL, _("Meeting protocol")))
