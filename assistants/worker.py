"""Load the model once per llm worker process, right after the process is forked.

Connected in AssistantsConfig.ready(). Only workers that consume the `llm` queue load it;
the `default` workers (mail, embeddings, reaper) never do.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)
LLM_QUEUE = "llm"
_consumes_llm = False


def remember_queues(sender: str, instance, **kwargs) -> None:
    """celeryd_after_setup: note whether this worker consumes the llm queue (before fork)."""
    global _consumes_llm
    _consumes_llm = LLM_QUEUE in instance.app.amqp.queues.consume_from


def preload_model(**kwargs) -> None:
    """worker_process_init: load the model in the fresh child process."""
    if not _consumes_llm:
        return
    _yield_cpu()
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


def _yield_cpu() -> None:
    """Lower this process's CPU priority before llama.cpp starts its threads (they inherit it).

    On a small server the web pages must stay quick while a protocol is generated: under
    contention the kernel then gives the web server and PostgreSQL the CPU first; an idle
    machine still runs the model at full speed.
    """
    from django.conf import settings

    if settings.LLM_NICE:
        os.nice(settings.LLM_NICE)
