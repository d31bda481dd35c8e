"""Both model backends on real llama.cpp: in-process, and an OpenAI-compatible server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assistants import schema
from assistants.llm import ContextTooSmall, GenerationCancelled, LlamaCppBackend, LlmError
from assistants.llm_openai import OpenAiBackend

MESSAGES = [
    {"role": "system", "content": "Antworte als JSON."},
    {"role": "user", "content": "Anna: Wir beschließen den Pilot."},
]


@pytest.fixture(scope="module")
def local(tiny_chat_model: Path) -> LlamaCppBackend:
    return LlamaCppBackend(tiny_chat_model, n_ctx=1024, n_threads=2, n_batch=256)


def test_tokens_are_counted_with_the_models_tokenizer(local) -> None:
    assert local.count_tokens("") == 0
    assert local.count_tokens("Grüße") > 0
    assert local.count_tokens("Grüße aus Köln " * 10) > local.count_tokens("Grüße aus Köln")


def test_structured_output_streams_and_validates(local) -> None:
    seen: list[str] = []
    generation = local.chat(
        MESSAGES,
        max_tokens=400,
        json_schema=schema.generation_schema(),
        on_text=lambda text: seen.append(text) or True,
    )
    assert seen and seen[-1] == generation.text
    assert generation.completion_tokens > 0 and generation.prompt_tokens > 0
    assert generation.seconds_to_first_token is not None
    json.loads(generation.text)  # the grammar keeps the structure


def test_context_is_enforced_before_the_call(local) -> None:
    with pytest.raises(ContextTooSmall):
        local.chat([{"role": "user", "content": "Wort " * 2000}], max_tokens=100)


def test_returning_false_stops_generation(local) -> None:
    with pytest.raises(GenerationCancelled):
        local.chat(MESSAGES, max_tokens=500, on_text=lambda text: len(text) < 5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_chat_model: Path):
    """llama-cpp-python's own OpenAI-compatible server, on loopback, with the tiny model."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(tiny_chat_model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "1024",
            "--n_threads",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=1).close()  # noqa: S310
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_openai_compatible_server(server: str) -> None:
    backend = OpenAiBackend(server, model="tiny", api_key="", allowed_hosts=["127.0.0.1"])
    assert backend.count_tokens("Grüße aus Köln") > 0
    seen: list[str] = []
    generation = backend.chat(
        MESSAGES,
        max_tokens=800,
        json_schema=schema.generation_schema(),
        on_text=lambda text: seen.append(text) or True,
    )
    assert seen
    json.loads(generation.text)
    assert generation.completion_tokens > 0


def test_server_host_must_be_allowed(server: str) -> None:
    with pytest.raises(LlmError) as refused:
        OpenAiBackend(server, model="tiny", api_key="", allowed_hosts=["llm.firma.test"])
    # the person whose job failed reads which server, not the name of a setting
    assert urlsplit(server).hostname in str(refused.value)
    assert "PORTAL_" not in str(refused.value)


def test_a_model_that_fails_to_load_leaves_no_closed_model_behind(
    settings, tiny_chat_model: Path, tmp_path: Path
) -> None:
    """Switching to a broken file closes the old model; switching back must load it anew
    (handing out the closed one crashed the process inside llama.cpp)."""
    from assistants.llm import get_backend

    settings.LLM_BACKEND = "llama_cpp"
    settings.LLM_MODEL_PATH, settings.LLM_N_CTX = tiny_chat_model, 1024
    first = get_backend()
    broken = tmp_path / "kaputt.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    settings.LLM_MODEL_PATH = broken
    with pytest.raises((LlmError, ValueError)):  # llama-cpp-python refuses the file
        get_backend()

    settings.LLM_MODEL_PATH = tiny_chat_model
    again = get_backend()

    assert again is not first
    assert again.context_length() == 1024
