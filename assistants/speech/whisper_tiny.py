"""A tiny random-weight Whisper model in CTranslate2 format, for tests and benchmark smoke runs.

`write_tiny_whisper(directory)` writes model.bin, config.json, vocabulary.json and
tokenizer.json (1.2 MB, a fraction of a second) that faster-whisper loads like a multilingual
Whisper: Whisper's special tokens in Whisper's order (faster-whisper's 100 languages, 1501
timestamps), 80 mel bins, but 256 byte tokens plus three words as text, d_model 32 and one
layer on each side. Its output is gibberish by design: tests assert on the structure of a
transcription, never on its words.

The weights make decoding short, certain and the same for every window. The decoder layers'
output projections are zero, so the logits depend on the current token alone, and the token
embeddings form a chain: <|startoftranscript|> -> <|en|> (so language detection says "en");
<|transcribe|> -> <|0.00|> -> " lorem ipsum dolor" -> <|endoftext|>; <|notimestamps|> -> the
same words; any other token -> <|endoftext|>. Each step has log-prob ~0, so there is no
temperature fallback and no "no speech" window (silence gets the words too). No closing
timestamp is emitted, so each 30 s window gives one segment spanning exactly that window, which
stays within the audio whatever its length.

>>> import tempfile
>>> from faster_whisper import WhisperModel
>>> model = WhisperModel(str(write_tiny_whisper(Path(tempfile.mkdtemp()))), device="cpu")
>>> segments, info = model.transcribe(np.full(16000 * 65, 0.1, np.float32), language="de")
>>> [(s.start, s.end, s.text) for s in segments]  # doctest: +NORMALIZE_WHITESPACE
[(0.0, 30.0, ' lorem ipsum dolor'), (30.0, 60.0, ' lorem ipsum dolor'),
 (60.0, 65.0, ' lorem ipsum dolor')]
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

D_MODEL, HEADS, FFN, N_MELS = 32, 2, 128, 80
WORDS = ("Ġlorem", "Ġipsum", "Ġdolor")  # byte-level spelling of " lorem ipsum dolor"
DETECTED_LANGUAGE = "en"
FILES = ("config.json", "vocabulary.json", "tokenizer.json", "model.bin")  # model.bin last


def _byte_chars() -> list[str]:
    """GPT-2's byte-level alphabet: the character standing for each byte value."""
    shown = {*range(33, 127), *range(161, 173), *range(174, 256)}
    extra = iter(range(256, 512))
    return [chr(b) if b in shown else chr(next(extra)) for b in range(256)]


def _tokens() -> tuple[list[str], list[str]]:
    """The text tokens and the special tokens (in Whisper's order, timestamps last)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    # Whisper's vocabulary holds an empty token (id 50256) and CTranslate2 4.8 takes it as the
    # mark of a multilingual model, so it is the last text token here too.
    text = [*_byte_chars(), *WORDS, ""]
    special = ["<|endoftext|>", "<|startoftranscript|>"]
    special += [f"<|{code}|>" for code in _LANGUAGE_CODES]
    special += ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>"]
    special += ["<|nospeech|>", "<|notimestamps|>"]
    special += [f"<|{i * 0.02:.2f}|>" for i in range(1501)]
    return text, special


def _hf_tokenizer(text: list[str], special: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tokenizer = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(text)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(special)
    return tokenizer


def _spec(vocab: list[str], rng: np.random.Generator):
    """A WhisperSpec: random encoder, decoder whose logits follow the token chain."""
    from ctranslate2.specs import whisper_spec

    d, ids = D_MODEL, {t: i for i, t in enumerate(vocab)}

    def rand(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    def zeros(*shape):
        return np.zeros(shape, np.float32)

    def norm(layer_norm):
        layer_norm.gamma, layer_norm.beta = np.ones(d, np.float32), zeros(d)

    def layer(spec, cross: bool):
        # Pre-norm layer with zero output projections: the residual stream passes unchanged.
        norm(spec.self_attention.layer_norm)
        spec.self_attention.linear[0].weight = rand(3 * d, d)
        spec.self_attention.linear[1].weight = zeros(d, d)
        if cross:
            norm(spec.attention.layer_norm)
            spec.attention.linear[0].weight = rand(d, d)
            spec.attention.linear[1].weight = rand(2 * d, d)
            spec.attention.linear[2].weight = zeros(d, d)
        norm(spec.ffn.layer_norm)
        spec.ffn.linear_0.weight, spec.ffn.linear_0.bias = rand(FFN, d), zeros(FFN)
        spec.ffn.linear_1.weight, spec.ffn.linear_1.bias = zeros(d, FFN), zeros(d)

    spec = whisper_spec.WhisperSpec(1, HEADS, 1, HEADS)
    enc, dec = spec.encoder, spec.decoder
    enc.conv1.weight, enc.conv1.bias = rand(d, N_MELS, 3), zeros(d)
    enc.conv2.weight, enc.conv2.bias = rand(d, d, 3), zeros(d)
    enc.position_encodings.encodings = rand(1500, d)
    norm(enc.layer_norm)
    layer(enc.layer[0], cross=False)
    layer(dec.layer[0], cross=True)
    norm(dec.layer_norm)
    dec.position_encodings.encodings = zeros(448, d)

    # Next token for each token; everything not listed ends the text.
    chain = {
        "<|startoftranscript|>": f"<|{DETECTED_LANGUAGE}|>",
        "<|transcribe|>": "<|0.00|>",
        "<|translate|>": "<|0.00|>",
        "<|0.00|>": WORDS[0],
        "<|notimestamps|>": WORDS[0],
        **dict(itertools.pairwise(WORDS)),
    }
    targets = ["<|endoftext|>", *dict.fromkeys(chain.values())]
    # Target k gets the direction e[2k] - e[2k+1]: its mean is zero, so the final layer norm
    # only scales it (by 4). A token's embedding is its successor's direction; the output row
    # of target k is 10 times direction k, so the successor scores 80 and all others 0.
    direction = zeros(len(targets), d)
    for k in range(len(targets)):
        direction[k, 2 * k], direction[k, 2 * k + 1] = 1.0, -1.0
    embeddings = np.repeat(direction[:1], len(vocab), axis=0)
    for token, target in chain.items():
        embeddings[ids[token]] = direction[targets.index(target)]
    projection = zeros(len(vocab), d)
    for k, target in enumerate(targets):
        projection[ids[target]] = direction[k] * 10.0
    dec.embeddings.weight, dec.projection.weight = embeddings, projection
    spec.register_vocabulary(vocab)
    return spec


def write_tiny_whisper(directory: Path) -> Path:
    """Write the tiny model into `directory` (unless it is complete there) and return it.

    Deterministic (fixed seed); files are written to a temporary folder and moved in with
    model.bin last, so concurrent callers (pytest-xdist) never see a half-written model.
    """
    directory = Path(directory)
    if all((directory / name).is_file() for name in FILES):
        return directory
    from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer

    text, special = _tokens()
    hf_tokenizer = _hf_tokenizer(text, special)
    spec = _spec(text + special, np.random.default_rng(20240607))
    eot = len(text)
    tokenizer = Tokenizer(hf_tokenizer, multilingual=True, task="transcribe", language="en")
    spec.config.suppress_ids = list(tokenizer.non_speech_tokens)
    spec.config.suppress_ids_begin = [hf_tokenizer.token_to_id("Ġ"), eot]
    spec.config.lang_ids = [hf_tokenizer.token_to_id(f"<|{c}|>") for c in _LANGUAGE_CODES]
    spec.config.alignment_heads = [(0, head) for head in range(HEADS)]
    spec.validate()
    spec.optimize()

    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tiny-whisper-", dir=directory))
    try:
        spec.save(str(staging))
        hf_tokenizer.save(str(staging / "tokenizer.json"))
        for name in FILES:
            os.replace(staging / name, directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


if __name__ == "__main__":  # self-check: python -m assistants.speech.whisper_tiny [folder]
    import sys
    import time
    import wave

    from faster_whisper import WhisperModel

    work = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
    started = time.perf_counter()
    path = write_tiny_whisper(work / "tiny-whisper")
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    print(f"written in {time.perf_counter() - started:.2f} s, {size / 1e6:.1f} MB: {path}")

    wav, t = work / "sweep.wav", np.arange(16000 * 65) / 16000  # 65 s sweep plus noise
    signal = 0.3 * np.sin(2 * np.pi * (200 + 20 * t) * t)
    signal += 0.05 * np.random.default_rng(0).standard_normal(t.size)
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((signal * 32767).astype("<i2").tobytes())

    texts = []
    for compute_type, options in [
        ("int8", {"language": "de"}),
        ("int8", {"language": "de"}),
        ("default", {"language": "de", "without_timestamps": True}),
        ("default", {"language": None, "beam_size": 1}),
    ]:
        model = WhisperModel(str(path), device="cpu", compute_type=compute_type, cpu_threads=2)
        assert model.model.is_multilingual
        started = time.perf_counter()
        segments, info = model.transcribe(str(wav), vad_filter=False, **options)
        segments = list(segments)
        elapsed = time.perf_counter() - started
        print(f"{compute_type} {options}: {elapsed:.2f} s, language {info.language}")
        for s in segments:
            print(f"  [{s.start:5.2f} -> {s.end:5.2f}] {s.text!r} avg_logprob {s.avg_logprob:.3f}")
            assert 0 <= s.start < s.end <= info.duration and s.text.strip()
            assert s.temperature == 0.0 and s.avg_logprob > -0.1 and s.no_speech_prob < 0.1
        assert {int(s.start // 30) for s in segments} == {0, 1, 2} and elapsed < 10
        assert info.language == (options["language"] or DETECTED_LANGUAGE)
        texts.append(" ".join(s.text for s in segments))
    assert texts[0] == texts[1]
    segments, info = model.transcribe(np.zeros(int(16000 * 2.345), np.float32), language="de")
    assert [(s.start, s.end) for s in segments] == [(0.0, 2.34)], "short clip"
    print("ok")
