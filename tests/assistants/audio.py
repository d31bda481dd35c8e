"""Recordings for the speech tests, written here with PyAV (the same FFmpeg libraries the
portal reads with), and the one real German speech sample in tests/data/audio/."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# 13.5 s of German (espeak-ng, two voices, a pause between them), Opus in Ogg.
SPEECH = ROOT / "tests" / "data" / "audio" / "besprechung.ogg"
RATE = 16000


def speech_samples() -> np.ndarray:
    """The speech sample as 16 kHz mono float samples."""
    with av.open(str(SPEECH)) as source:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        return np.concatenate(
            [
                frame.to_ndarray().reshape(-1)
                for packet in source.decode(audio=0)
                for frame in resampler.resample(packet)
            ]
        )


def tone(seconds: float, *, frequency: float = 440.0, loud: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (loud * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


# container format → (codec, file suffix)
ENCODINGS = {
    "mp3": ("libmp3lame", ".mp3"),
    "ipod": ("aac", ".m4a"),
    "ogg": ("libopus", ".ogg"),
    "webm": ("libopus", ".webm"),
    "mp4": ("aac", ".mp4"),
}


def write_encoded(path: Path, samples: np.ndarray, container: str) -> Path:
    """Encode mono float samples into `container` (a key of ENCODINGS)."""
    codec, _ = ENCODINGS[container]
    rate = 48000 if codec == "libopus" else RATE
    if rate != RATE:
        samples = np.repeat(samples, rate // RATE)
    with av.open(str(path), mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        step = 960 if codec == "libopus" else 1152
        for start in range(0, len(samples), step):
            chunk = samples[start : start + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
