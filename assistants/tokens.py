"""Counting a text's tokens in the web process, with the configured model's own tokenizer.

The form refuses a transcript that needs more parts than allowed before any job exists,
and the preview says how many parts and tokens it is; both must agree with the worker,
which counts with the loaded model. Here only the model's vocabulary is loaded
(`vocab_only`: no weights, a fraction of a second, once per process). A model served over
HTTP (`PORTAL_LLM_BACKEND=openai`) is counted by an estimate that errs on the long side
(3 bytes a token; German runs nearer 4 with today's tokenizers), so the worker never
meets more parts than the form promised.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
BYTES_PER_TOKEN_ESTIMATE = 3
_loaded: list = []  # the vocabularies, closed before llama_cpp's globals go at exit


@atexit.register
def _close() -> None:
    for llm in _loaded:
        llm.close()


@dataclass(frozen=True)
class Counter:
    label: str  # the tokenizer's name, for the preview ("the model's own" or "estimate")
    exact: bool
    count: object  # Callable[[str], int]

    def __call__(self, text: str) -> int:
        return self.count(text)


def estimate(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN_ESTIMATE)


def web_counter() -> Counter:
    """Return the configured model's token counter (its vocabulary), or the estimate."""
    path = settings.LLM_MODEL_PATH
    if settings.LLM_BACKEND == "llama_cpp" and path is not None and Path(path).is_file():
        stat = Path(path).stat()
        counter = _vocabulary(str(path), stat.st_mtime_ns, stat.st_size)
        if counter is not None:
            return counter
    return Counter(label="estimate", exact=False, count=estimate)


@lru_cache(maxsize=2)
def _vocabulary(path: str, _mtime: int, _size: int) -> Counter | None:
    """The model file's tokenizer alone; None (estimate) if llama.cpp cannot read it."""
    import llama_cpp

    try:
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    except (ValueError, RuntimeError, OSError) as error:
        logger.warning("tokenizer of %s not loaded (%s): counting by estimate", path, error)
        return None
    _loaded.append(llm)
    lock = threading.Lock()  # llama.cpp's tokenizer is not meant for concurrent calls

    def count(text: str) -> int:
        with lock:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    return Counter(label=Path(path).name, exact=True, count=count)
