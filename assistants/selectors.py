"""Reads of the AI layer that pages show; never loads the model in the web process."""

from __future__ import annotations

from django.conf import settings


def model_facts() -> dict:
    """Return what a person should know about the configured model, from its file only."""
    path = settings.LLM_MODEL_PATH
    size = path.stat().st_size if path is not None and path.is_file() else None
    return {
        "backend": settings.LLM_BACKEND,
        "model_name": path.name if path is not None else "",
        "model_size": size,
        "model_present": size is not None,
        "demo_model": settings.LLM_DEMO_MODEL,
        "n_ctx": settings.LLM_N_CTX,
        "n_threads": settings.LLM_N_THREADS,
    }
