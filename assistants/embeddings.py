"""Embeddings from a local GGUF embedding model (llama.cpp in this process).

Where they are computed:
- Query embeddings (search as you type, "similar use cases") are computed in the web
  process: a small embedding model answers a short query in milliseconds, and a round trip
  through Celery would cost more than the embedding. The model is loaded lazily on the first
  query in each process, i.e. after gunicorn forked its workers (llama.cpp is not fork-safe),
  never at import time.
- Document embeddings are computed by Celery tasks on the `default` queue after commit
  (`rollout.search.tasks`) and by `manage.py search_reindex`.

Without `PORTAL_EMBEDDING_MODEL_PATH` (or when the file cannot be loaded) `get_embedder()`
returns None and search falls back to full text only. An OpenAI-compatible embeddings
backend (like the chat model's `assistants.llm_openai`) is out of scope for now.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# Tokens per text. Small embedding models are trained on 256–512 tokens; more costs time
# and adds little for a use case or an FAQ entry.
N_CTX = 512


class Embedder:
    """One embedding model; `embed()` is serialised by a lock (a llama context is not shared)."""

    def __init__(self, path: Path, *, n_threads: int, n_ctx: int = N_CTX) -> None:
        import llama_cpp

        started = time.monotonic()
        self.llm = llama_cpp.Llama(
            model_path=str(path),
            embedding=True,
            n_ctx=n_ctx,
            n_batch=n_ctx,  # a whole (truncated) text fits one batch
            n_ubatch=n_ctx,  # non-causal models need the whole sequence in one micro-batch
            n_threads=n_threads,
            n_threads_batch=n_threads,
            verbose=False,
        )
        self.load_seconds = time.monotonic() - started
        self.model_name = path.name
        self.dimension = self.llm.n_embd()
        self.n_ctx = n_ctx
        self._lock = threading.Lock()

    def close(self) -> None:
        self.llm.close()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Return one L2-normalised vector per text (cosine distance = 1 − dot product)."""
        if not texts:
            return []
        with self._lock:
            prepared = [self._truncate(text) for text in texts]
            # truncate=True stays as a backstop: decoding truncated tokens and tokenising
            # the text again can differ by a token or two.
            vectors = self.llm.embed(prepared, truncate=True)
        return [_normalised(vector) for vector in vectors]

    def _truncate(self, text: str) -> str:
        # Cut by tokens, not characters: the context is counted in tokens, and German
        # compounds or digits make the characters-per-token ratio vary a lot.
        text = text.strip() or "."  # an empty input would be an empty batch
        tokens = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        room = self.n_ctx - 2  # BOS/EOS or CLS/SEP that embed() adds
        if len(tokens) <= room:
            return text
        # Some tokenizers detokenize with a leading space; the cut may split a character.
        return self.llm.detokenize(tokens[:room]).decode("utf-8", errors="ignore").strip()


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    if not norm or not math.isfinite(norm):
        return [0.0] * len(vector)  # never stored or searched (see rollout.search.vectors)
    return [x / norm for x in vector]


_lock = threading.Lock()
_embedder: Embedder | None = None
_key: tuple | None = None  # (pid, path, threads) the current state belongs to


@atexit.register
def _close() -> None:
    # Free the model before the interpreter tears down llama_cpp's globals (see assistants.llm).
    if _embedder is not None and _key is not None and _key[0] == os.getpid():
        _embedder.close()


def get_embedder() -> Embedder | None:
    """Return this process's embedder, loading it on first use; None if none is configured."""
    global _embedder, _key
    path = settings.EMBEDDING_MODEL_PATH
    if path is None:
        return None
    key = (os.getpid(), str(path), settings.LLM_N_THREADS)
    with _lock:
        if _key != key:
            if _embedder is not None and _key is not None and _key[0] == os.getpid():
                _embedder.close()  # settings changed (tests); a forked child leaves it alone
            _embedder, _key = _load(Path(path)), key  # a failure is remembered: no retry storm
        return _embedder


def reset_embedder() -> None:
    """Forget the loaded model (tests switch models with settings)."""
    global _embedder, _key
    with _lock:
        if _embedder is not None and _key is not None and _key[0] == os.getpid():
            _embedder.close()
        _embedder, _key = None, None


def _load(path: Path) -> Embedder | None:
    try:
        embedder = Embedder(path, n_threads=settings.LLM_N_THREADS)
    except (OSError, ValueError, RuntimeError) as e:
        logger.error("embedding model %s not loaded: %s", path.name, e)
        return None
    logger.info(
        "embedding model %s (%d dimensions) loaded in %.2f s",
        embedder.model_name,
        embedder.dimension,
        embedder.load_seconds,
    )
    return embedder
