"""`manage.py check`: the configured model must be an instruction-tuned chat model."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register("llm")
def model_has_chat_template(app_configs=None, **kwargs) -> list[Error]:
    """A GGUF without a chat template is a base model: refuse it here, not in a worker."""
    if settings.LLM_BACKEND != "llama_cpp" or settings.LLM_MODEL_PATH is None:
        return []
    path = Path(settings.LLM_MODEL_PATH)
    if not path.is_file():
        return []  # not written yet (the demo model) or not there: the status page says so
    return model_file_errors(path)


def model_file_errors(path: Path) -> list[Error]:
    """Return why this GGUF cannot serve the assistants (none: it can); `model_pull` asks
    the same of a file it installed before making it active."""
    from assistants.chat_templates import no_template_message
    from assistants.selectors import gguf_metadata

    metadata = gguf_metadata(str(path), path.stat().st_mtime)
    if metadata.get("gguf_error"):
        return [
            Error(
                f"{path.name} is not a readable GGUF model file.",
                hint="Set PORTAL_LLM_MODEL_PATH to a GGUF file (llama.cpp's format).",
                id="assistants.E002",
            )
        ]
    if not metadata["chat_template"]:
        return [
            Error(
                no_template_message(path.name),
                hint="For example a Qwen2.5-Instruct or Llama-3.1-Instruct GGUF.",
                id="assistants.E001",
            )
        ]
    return []
