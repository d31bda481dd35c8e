"""An OpenAI-compatible model server on the company network (llama.cpp server, vLLM, Ollama).

For scale-out: the model runs on a GPU box, the workers send it prompts. Only hosts that
the admin listed in PORTAL_LLM_ALLOWED_HOSTS are contacted; the check is repeated before
every request so that a redirect or a changed setting can never reach a public API.
Standard library HTTP only: no SDK that could phone home.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.utils.translation import gettext

from assistants.llm import (
    Generation,
    LlmError,
    LlmUnavailable,
    OnText,
    chat_request,
    collect_stream,
    ensure_fits,
)

TIMEOUT_SECONDS = 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None  # a redirect could lead to a host that is not allowed


class OpenAiBackend:
    name = "openai"
    load_seconds = 0.0

    def __init__(
        self, base_url: str, *, model: str, api_key: str, allowed_hosts: list[str]
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model
        self.api_key = api_key
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self._check_host()
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._n_ctx: int | None = None
        self._tokenize_path: str | None = None

    def _check_host(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https"):
            raise LlmError(gettext("the model server URL must start with http:// or https://"))
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            raise LlmError(
                gettext(
                    "the model server %(host)s is not among the servers an administrator allowed"
                )
                % {"host": host}
            )

    def _request(self, path: str, payload: dict | None = None, *, timeout: float = TIMEOUT_SECONDS):
        self._check_host()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(payload).encode() if payload is not None else None
        # Scheme and host were checked just above (http/https to an allowed host only).
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)  # noqa: S310
        try:
            return self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as e:
            if e.code >= 500 or e.code == 429:
                raise LlmUnavailable(
                    gettext("the model server answered %(code)d") % {"code": e.code}
                ) from e
            raise LlmError(
                gettext("the model server refused the request (%(code)d)") % {"code": e.code}
            ) from e
        except (urllib.error.URLError, OSError) as e:
            raise LlmUnavailable(gettext("the model server is unreachable")) from e

    def context_length(self) -> int:
        if self._n_ctx is None:
            from django.conf import settings

            self._n_ctx = self._probe_context() or settings.LLM_N_CTX
        return self._n_ctx

    def _probe_context(self) -> int | None:
        # llama.cpp server reports it under /props, vLLM in /v1/models.
        for path, keys in (
            ("/props", ("default_generation_settings", "n_ctx")),
            ("/v1/models", ("data", 0, "max_model_len")),
        ):
            try:
                with self._request(path, timeout=10) as response:
                    value = json.load(response)
                for key in keys:
                    value = value[key]
                return int(value)
            except (LlmError, KeyError, IndexError, TypeError, ValueError):
                continue
        return None

    def count_tokens(self, text: str) -> int:
        """Count with the server's tokenizer; estimate generously if it offers none."""
        candidates = (
            [self._tokenize_path] if self._tokenize_path else ["/tokenize", "/extras/tokenize"]
        )
        for path in candidates:
            try:
                with self._request(path, {"content": text, "input": text}, timeout=30) as response:
                    body = json.load(response)
            except LlmError:
                continue
            tokens = body.get("tokens")
            if isinstance(tokens, list):
                self._tokenize_path = path
                return len(tokens)
        return math.ceil(len(text.encode("utf-8")) / 3)

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        json_schema: dict | None = None,
        on_text: OnText | None = None,
    ) -> Generation:
        prompt = ensure_fits(self, messages, max_tokens)
        payload = {"model": self.model_name, **chat_request(messages, max_tokens, json_schema)}
        started = time.monotonic()
        # Leaving the block early (cancel) closes the connection, which stops the server.
        with self._request("/v1/chat/completions", payload) as response:
            result = collect_stream(_sse_events(response), on_text, started)
        return Generation(
            text=result.text,
            prompt_tokens=prompt,
            completion_tokens=result.pieces,
            seconds_to_first_token=result.first,
            seconds=time.monotonic() - started,
            finish_reason=result.finish,
        )


def _sse_events(response) -> Iterator[dict]:
    for raw in response:
        line = raw.decode("utf-8").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            yield json.loads(data)
        except json.JSONDecodeError as e:
            raise LlmError(gettext("the model server sent an unreadable answer")) from e
