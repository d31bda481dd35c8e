"""The model behind one adapter: generation, token counting, the per-process model.

`llama_cpp` is imported inside functions only: it is heavy, and llama.cpp is not fork-safe,
so the model is loaded once per worker process (in `worker_process_init`, see
`assistants.worker`), never per task, never in the web process, never at import time.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext

from assistants import chat_templates
from assistants.cpu_share import CpuShare

logger = logging.getLogger(__name__)

# Receives the text generated so far; returning False stops the generation (cancel).
OnText = Callable[[str], bool]
# Chat-template tokens around each message (ChatML and friends use ~4–6); kept generous.
MESSAGE_OVERHEAD_TOKENS = 8


class LlmError(Exception):
    """A generation could not be done; the message is meant for the person who asked."""


class LlmUnavailable(LlmError):
    """The model server did not answer; worth retrying later."""


class ContextTooSmall(LlmError):
    """The prompt does not fit the model's context window."""


class GenerationCancelled(LlmError):
    """The person cancelled the job while it was generating."""


@dataclass
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds_to_first_token: float | None
    seconds: float
    finish_reason: str


class LlmBackend(Protocol):
    """What a model server offers the generators (llama.cpp in process, or a local server)."""

    name: str
    model_name: str
    load_seconds: float

    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        json_schema: dict | None = None,
        on_text: OnText | None = None,
    ) -> Generation: ...


def chat_request(messages: list[dict[str, str]], max_tokens: int, json_schema: dict | None) -> dict:
    """Return the OpenAI-style chat request both backends send (streamed, low temperature)."""
    request: dict = {
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": 0.2,
        "stream": True,
    }
    if json_schema is not None:
        # The form llama.cpp (in-process and its server) takes for grammar-constrained JSON.
        request["response_format"] = {"type": "json_object", "schema": json_schema}
    return request


@dataclass
class Streamed:
    text: str
    pieces: int
    first: float | None
    finish: str


def collect_stream(
    chunks: Iterable[dict],
    on_text: OnText | None,
    started: float,
    cpu_share: CpuShare | None = None,
) -> Streamed:
    """Gather streamed chat chunks; stop (GenerationCancelled) when on_text returns False.

    `cpu_share` (a model computed here, in this process) may pause after each token.
    """
    text, pieces, first, finish = "", 0, None, "length"
    for chunk in chunks:
        if cpu_share is not None:
            cpu_share.after_token()
        choice = (chunk.get("choices") or [{}])[0]
        piece = (choice.get("delta") or {}).get("content") or ""
        if piece:
            pieces += 1
            first = first if first is not None else time.monotonic() - started
            text += piece
            if on_text is not None and not on_text(text):
                raise GenerationCancelled
        finish = choice.get("finish_reason") or finish
    return Streamed(text=text, pieces=pieces, first=first, finish=finish)


def prompt_tokens(backend: LlmBackend, messages: list[dict[str, str]]) -> int:
    """Count a chat prompt with the model's own tokenizer (plus template overhead)."""
    return sum(backend.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def ensure_fits(backend: LlmBackend, messages: list[dict[str, str]], max_tokens: int) -> int:
    """Return the prompt's token count, or raise ContextTooSmall before calling the model."""
    needed = prompt_tokens(backend, messages)
    if needed + max_tokens > backend.context_length():
        raise ContextTooSmall(
            gettext(
                "the text needs %(needed)d tokens plus %(out)d for the answer, more than the "
                "model's context of %(ctx)d tokens"
            )
            % {"needed": needed, "out": max_tokens, "ctx": backend.context_length()}
        )
    return needed


class LlamaCppBackend:
    """llama.cpp in this process. Reuses its KV cache for the common prefix of prompts.

    Prompts are written with the GGUF's own chat template (assistants/chat_templates.py);
    a GGUF without one (a base model) is refused when it loads.
    """

    name = "llama_cpp"

    def __init__(self, path: Path, *, n_ctx: int, n_threads: int, n_batch: int) -> None:
        import llama_cpp

        started = time.monotonic()
        self.llm = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=n_batch,
            verbose=False,
        )
        self.load_seconds = time.monotonic() - started
        self.model_name = path.name
        self.path = path
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            self.llm.close()
            raise LlmError(chat_templates.no_template_message(path.name))
        eos = self.llm.token_eos()
        chat_formatter = chat_templates.formatter(
            template,
            bos_token=self._token_text(self.llm.token_bos()),
            eos_token=self._token_text(eos),
            stop_token_ids=[eos] if eos != -1 else None,
        )
        # The template as written in the file, never a built-in format llama-cpp-python
        # guesses from it (its "gemma" drops the system message).
        self.llm.chat_handler = chat_formatter.to_chat_handler()
        self.takes_system_role = chat_templates.takes_system_role(chat_formatter)

    def _token_text(self, token: int) -> str:
        if token == -1:
            return ""
        return self.llm.detokenize([token], special=True).decode("utf-8", "replace")

    def context_length(self) -> int:
        return self.llm.n_ctx()

    def close(self) -> None:
        self.llm.close()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        json_schema: dict | None = None,
        on_text: OnText | None = None,
    ) -> Generation:
        if not self.takes_system_role:
            messages = chat_templates.fold_system(messages)
        ensure_fits(self, messages, max_tokens)
        started = time.monotonic()
        stream = self.llm.create_chat_completion(**chat_request(messages, max_tokens, json_schema))
        try:
            share = CpuShare(settings.LLM_BUSY_SHARE_PERCENT / 100)
            result = collect_stream(stream, on_text, started, share)
        finally:
            stream.close()  # stops llama.cpp mid-generation when we leave early
        # llama-cpp-python streams one chunk per sampled token (a split multi-byte character
        # waits for its rest); the context then holds the prompt plus those tokens.
        return Generation(
            text=result.text,
            prompt_tokens=max(0, self.llm.n_tokens - result.pieces),
            completion_tokens=result.pieces,
            seconds_to_first_token=result.first,
            seconds=time.monotonic() - started,
            finish_reason=result.finish,
        )


_lock = threading.Lock()
_backend: LlmBackend | None = None
_backend_key: tuple | None = None


def _configured_key() -> tuple:
    return (
        settings.LLM_BACKEND,
        str(settings.LLM_MODEL_PATH),
        settings.LLM_SERVER_URL,
        settings.LLM_N_CTX,
        settings.LLM_N_THREADS,
        settings.LLM_N_BATCH,
    )


@atexit.register
def _close_backend() -> None:
    # Free the model before the interpreter tears down llama_cpp's module globals;
    # Llama.__del__ at that point fails noisily.
    close = getattr(_backend, "close", None)
    if close is not None:
        close()


def get_backend() -> LlmBackend:
    """Return this process's backend, loading the model on first use (workers preload it)."""
    global _backend, _backend_key
    key = _configured_key()
    with _lock:
        if _backend is None or _backend_key != key:
            if hasattr(_backend, "close"):
                _backend.close()  # settings changed (tests): free the old model first
            # Forget it before loading: if the new one fails to load, a later call must
            # load afresh, never hand out the closed model (llama.cpp would crash on it).
            _backend, _backend_key = None, None
            _backend = _load()
            _backend_key = key
        return _backend


def _load() -> LlmBackend:
    if settings.LLM_BACKEND == "openai":
        from assistants.llm_openai import OpenAiBackend

        return OpenAiBackend(
            settings.LLM_SERVER_URL,
            model=settings.LLM_SERVER_MODEL,
            api_key=settings.LLM_API_KEY,
            allowed_hosts=settings.LLM_ALLOWED_HOSTS,
        )
    path = settings.LLM_MODEL_PATH
    if not Path(path).is_file():
        raise LlmError(gettext("the model file %(name)s is missing") % {"name": Path(path).name})
    backend = LlamaCppBackend(
        path,
        n_ctx=settings.LLM_N_CTX,
        n_threads=settings.LLM_N_THREADS,
        n_batch=settings.LLM_N_BATCH,
    )
    logger.info("model %s loaded in %.2f s", backend.model_name, backend.load_seconds)
    return backend
