"""Load the model once per llm or stt worker process, right after the process is forked.

Connected in AssistantsConfig.ready(). Only workers that consume the `llm` queue load the
language model, only those of the `stt` queue the speech model; the `default` workers
(mail, embeddings, reaper) load neither.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings

from assistants.kinds import LLM_QUEUE, STT_QUEUE

logger = logging.getLogger(__name__)
_consumes_llm = False
_consumes_stt = False


def remember_queues(sender: str, instance, **kwargs) -> None:
    """celeryd_after_setup: note which model queues this worker consumes (before fork)."""
    global _consumes_llm, _consumes_stt
    queues = instance.app.amqp.queues.consume_from
    _consumes_llm, _consumes_stt = LLM_QUEUE in queues, STT_QUEUE in queues


def preload_model(**kwargs) -> None:
    """worker_process_init: load the model in the fresh child process."""
    if _consumes_stt or _consumes_llm:
        _yield_cpu()
    if _consumes_stt:
        _preload_speech_model()
    if not _consumes_llm:
        return
    from django.core.cache import cache
    from django.utils import timezone

    from assistants.llm import LlmError, get_backend

    try:
        backend = get_backend()
    except LlmError as e:
        logger.error("model not loaded: %s", e)  # jobs then fail with this message
        return
    cache.set(
        "assistants:model-status",
        {
            "backend": backend.name,
            "model": backend.model_name,
            "load_seconds": round(backend.load_seconds, 2),
            "loaded_at": timezone.now().isoformat(),
            "n_ctx": backend.context_length(),
        },
        timeout=None,
    )


def _preload_speech_model() -> None:
    from django.core.cache import cache
    from django.utils import timezone

    from assistants.speech import engine

    try:
        engine.get_model()
    except engine.SpeechModelError as e:
        logger.error("speech model not loaded: %s", e)  # jobs then fail with this message
        return
    cache.set(
        "assistants:stt-status",
        {
            "model": engine.model_name(),
            "load_seconds": round(engine.load_seconds, 2),
            "loaded_at": timezone.now().isoformat(),
            "threads": settings.STT_THREADS,
            "compute_type": settings.STT_COMPUTE_TYPE,
        },
        timeout=None,
    )


def _yield_cpu() -> None:
    """Lower this process's CPU priority before llama.cpp starts its threads (they inherit it).

    On a small server the web pages must stay quick while a protocol is generated: under
    contention the kernel then gives the web server and PostgreSQL the CPU first; an idle
    machine still runs the model at full speed.
    """
    if settings.LLM_NICE:
        os.nice(settings.LLM_NICE)
