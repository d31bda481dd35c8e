"""Reads of the AI layer that pages show; never loads the model in the web process."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from assistants.kinds import LLM_QUEUE, TRANSCRIPT, kinds_on_queue
from assistants.models import GenerationJob
from portal.models import User

logger = logging.getLogger(__name__)


def model_facts() -> dict:
    """Return what a person should know about the configured model, from its file only."""
    path = settings.LLM_MODEL_PATH
    size = path.stat().st_size if path is not None and path.is_file() else None
    return {
        "backend": settings.LLM_BACKEND,
        "model_name": path.name if path is not None else settings.LLM_SERVER_MODEL,
        "model_size": size,
        "model_present": size is not None or settings.LLM_BACKEND == "openai",
        "demo_model": settings.LLM_DEMO_MODEL,
        "chosen_by": settings.LLM_MODEL_CHOSEN_BY,
        "n_ctx": settings.LLM_N_CTX,
        "n_threads": settings.LLM_N_THREADS,
    }


def jobs_for(user: User, kind: str) -> QuerySet[GenerationJob]:
    """The person's jobs of one kind, newest first (protocols, or their status reports)."""
    return (
        GenerationJob.objects.filter(owner=user, kind=kind)
        .select_related("template", "protocol")
        .defer("input_text", "partial_output")
    )


def model_status() -> dict:
    """Return the admin's view: configuration, file metadata, load time, last throughput."""
    facts = model_facts()
    path = settings.LLM_MODEL_PATH
    if path is not None and facts["model_size"] is not None:
        facts.update(gguf_metadata(str(path), path.stat().st_mtime))
        template = facts.get("chat_template")  # None when the file could not be read
        if template:
            facts["system_role"] = _system_role(template)  # renders it once: this page only
        elif template == "":
            from assistants.chat_templates import no_template_message

            facts["template_problem"] = no_template_message(Path(path).name)
    facts["worker"] = cache.get("assistants:model-status")
    last = (
        GenerationJob.objects.filter(status=GenerationJob.Status.DONE)
        .exclude(first_token_at=None)
        .order_by("-finished_at")
        .only(
            "pk",
            "first_token_at",
            "finished_at",
            "completion_tokens",
            "prompt_tokens",
            "started_at",
            "model_name",
        )
        .first()
    )
    facts["last_job"] = last
    facts["last_tokens_per_second"] = last.tokens_per_second() if last else None
    llm_jobs = GenerationJob.objects.filter(kind__in=kinds_on_queue(LLM_QUEUE))
    facts["queued"] = llm_jobs.filter(status=GenerationJob.Status.QUEUED).count()
    facts["running"] = llm_jobs.filter(status=GenerationJob.Status.RUNNING).count()
    facts["speech"] = speech_status()
    facts["server_url"] = settings.LLM_SERVER_URL
    return facts


@functools.lru_cache(maxsize=4)
def gguf_metadata(path: str, mtime: float) -> dict:
    """Read name, architecture, trained context and quantisation from the GGUF header."""
    import gguf

    try:
        reader = gguf.GGUFReader(path)
    except (OSError, ValueError) as e:
        logger.warning("cannot read GGUF metadata of %s: %s", Path(path).name, e)
        return {"gguf_error": True}

    def value(key: str):
        field = reader.fields.get(key)
        if field is None:
            return None
        raw = field.parts[field.data[0]]
        return (
            bytes(raw).decode("utf-8", "replace")
            if field.types[0] == gguf.GGUFValueType.STRING
            else raw[0].item()
        )

    arch = value("general.architecture") or ""
    file_type = value("general.file_type")
    try:
        quantisation = (
            gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
            if file_type is not None
            else None
        )
    except ValueError:
        quantisation = str(file_type)
    template = value("tokenizer.chat_template")
    return {
        "gguf_name": value("general.name"),
        "architecture": arch,
        "trained_context": value(f"{arch}.context_length"),
        "quantisation": quantisation,
        "parameters_hint": value("general.size_label"),
        "chat_template": template or "",  # "": the file has none (a base model)
    }


def _system_role(template: str) -> bool:
    """Whether the chat template has a system role (else the system prompt is folded in)."""
    from assistants import chat_templates

    try:
        chat_formatter = chat_templates.formatter(template, bos_token="", eos_token="")
    except Exception:  # a template Jinja cannot parse; the worker's load says so too
        return False
    return chat_templates.takes_system_role(chat_formatter)


def protocol_editors(protocol) -> list[str]:
    """Return the names of the people who edited or decided items (provenance)."""
    names = protocol.edits.values_list("user__name", flat=True).distinct()
    return sorted({n for n in names if n})


def assigned_people(data: dict) -> dict[int, User]:
    """Return the people the protocol's action items were assigned to, by id (one query)."""
    ids = {
        item.get("owner_id")
        for item in data.get("action_items", [])
        if isinstance(item.get("owner_id"), int)
    }
    return {person.pk: person for person in User.objects.filter(pk__in=ids)} if ids else {}


def speech_status() -> dict:
    """The speech-to-text model: configuration, the worker's load time, the last job's speed."""
    from assistants.speech import engine

    jobs = GenerationJob.objects.filter(kind=TRANSCRIPT)
    last = (
        jobs.filter(status=GenerationJob.Status.DONE, started_at__isnull=False)
        .order_by("-finished_at")
        .only("params", "started_at", "finished_at")
        .first()
    )
    speed = None
    if last and last.params.get("seconds"):
        took = (last.finished_at - last.started_at).total_seconds()
        speed = round(took / last.params["seconds"], 2)  # seconds of work per second of audio
    return {
        "model": engine.model_name(),
        "configured": settings.STT_MODEL_PATH is not None,
        "compute_type": settings.STT_COMPUTE_TYPE,
        "threads": settings.STT_THREADS,
        "beam_size": settings.STT_BEAM_SIZE,
        "max_length": settings.AUDIO_MAX_SECONDS // 60,
        "worker": cache.get("assistants:stt-status"),
        "real_time_factor": speed,
        "queued": jobs.filter(status=GenerationJob.Status.QUEUED).count(),
        "running": jobs.filter(status=GenerationJob.Status.RUNNING).count(),
    }
