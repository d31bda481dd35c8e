"""The model's own chat template: how a GGUF wants its conversation written.

An instruction-tuned GGUF carries its chat template (`tokenizer.chat_template`, Jinja). The
llama.cpp backend formats every prompt with exactly that template (llama-cpp-python's Jinja
formatter), never with a guessed or default format. Some templates have no system role
(Gemma's raises an error, others drop the message): then the system prompt is folded into
the first user message, so the instructions still reach the model. A GGUF without any
template is a base model: it continues text instead of following instructions, so it is
refused with a message that says what to use instead.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

_SYSTEM_MARK = "portal-system-probe-7f3a"
_USER_MARK = "portal-user-probe-91c2"


class NoChatTemplate(ValueError):
    """The GGUF has no chat template: a base model, not an instruction-tuned chat model."""


def no_template_message(model_name: str) -> str:
    return gettext(
        "The model file %(name)s has no chat template: it is a base model, which continues "
        "text instead of following instructions, so its protocols would be useless. Use an "
        "instruction-tuned (“Instruct” or “Chat”) GGUF model instead."
    ) % {"name": model_name}


def formatter(
    template: str, *, bos_token: str, eos_token: str, stop_token_ids: list[int] | None = None
) -> Any:
    """llama-cpp-python's Jinja formatter for `template` (a sandboxed Jinja environment)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    chat_formatter = Jinja2ChatFormatter(
        template=template,
        bos_token=bos_token,
        eos_token=eos_token,
        stop_token_ids=stop_token_ids,
    )
    # Templates with a thinking switch (Qwen3) get it off: protocols need no reasoning text,
    # which would cost minutes on a CPU and break the JSON the portal asks for.
    chat_formatter._environment.globals["enable_thinking"] = False
    return chat_formatter


def takes_system_role(chat_formatter: Any) -> bool:
    """Whether the template writes a system message into the prompt (rendered once, here)."""
    probe = [
        {"role": "system", "content": _SYSTEM_MARK},
        {"role": "user", "content": _USER_MARK},
    ]
    try:
        prompt = chat_formatter(messages=probe).prompt
    except Exception:  # the template's raise_exception("System role not supported"), or worse
        return False
    return _SYSTEM_MARK in prompt and _USER_MARK in prompt


def fold_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Put the system messages' text in front of the first user message, for a template
    that has no system role."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system:
        return rest
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [{"role": "user", "content": system}, *rest]
