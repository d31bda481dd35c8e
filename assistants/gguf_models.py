"""Write tiny random-weight GGUF models for tests and the demo.

Tests and `make run` use the real llama.cpp through llama-cpp-python, but nothing may be
downloaded from a model hub. So the project writes its own models with the `gguf` package:
a llama-architecture network with random weights and a small SentencePiece-style vocabulary
with byte fallback (any UTF-8 text round-trips) and a ChatML chat template. Loading, prompt
formatting, tokenisation, sampling, grammars (JSON schema) and embeddings all run for real;
only the output is gibberish. Assert on structure and behaviour, never on wording.

The chat model never samples a control or byte token on its own (their output rows are
pushed far down, see `_write_llama`), so a free completion always yields visible text and
ends with `finish_reason == "length"`; under a grammar the end-of-generation token is still
reachable, so constrained JSON finishes normally.

Only `gguf` and `numpy` are used, imported inside the functions: importing this module is
cheap and never loads `llama_cpp` (STYLE.md rule 12).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# Exactly llama-cpp-python's CHATML_CHAT_TEMPLATE, so it recognises the format ("chatml").
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_UNK, _BOS, _EOS = "<unk>", "<s>", "</s>"
_CHAT_CONTROLS = ("<|im_start|>", "<|im_end|>")
_SPACE = "\u2581"  # SentencePiece's "▁", which stands for a space inside pieces

# Frequent words, most frequent first; each becomes "▁word" plus the prefixes the SPM merge
# needs to reach it. German first: the portal's users write German.
_WORDS = (
    "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an"
    " werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum"
    " war haben nur oder aber vor zur bis mehr durch man kann wir ich ihr können müssen soll"
    " schon wenn sehr heute gut neue Arbeit Team Projekt Daten Frage Antwort Beispiel Thema"
    " Zusammenfassung Protokoll bitte danke Grüße größer schön später für über"
    " the of and to a in is that for it on with as was be by this are from at or have not you"
    " they we an which will can all has been their more one about would what there when so"
    " use case team data model answer question summary"
)
# Frequent word endings and inner pieces (without "▁").
_FRAGMENTS = (
    "en er ch ein ich sch ung ungen ten ter gen lich keit heit ern st te ie ei"
    " ing ed ly tion th he re an ou es ll"
)
_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüßÄÖÜ0123456789"
    " .,;:!?-'\"()[]{}/*&%+=<>#@_"
)


def _pieces() -> list[str]:
    """Return the normal (non-byte, non-control) pieces in a fixed order, without duplicates."""
    pieces: dict[str, None] = {}
    for char in _CHARS:
        pieces[_SPACE if char == " " else char] = None
    for word in _WORDS.split():
        text = _SPACE + word
        for end in range(2, len(text) + 1):
            pieces[text[:end]] = None
    for fragment in _FRAGMENTS.split():
        for end in range(2, len(fragment) + 1):
            pieces[fragment[:end]] = None
    return list(pieces)


def _vocab(gguf: Any, *, chat: bool) -> tuple[list[str], list[float], list[int]]:
    """Return tokens, scores and token types: unk, bos, eos, 256 bytes, pieces, controls."""
    token_type = gguf.TokenType
    tokens = [_UNK, _BOS, _EOS]
    types = [token_type.UNKNOWN, token_type.CONTROL, token_type.CONTROL]
    tokens += [f"<0x{byte:02X}>" for byte in range(256)]
    types += [token_type.BYTE] * 256
    scores = [0.0] * len(tokens)
    pieces = _pieces()
    tokens += pieces
    types += [token_type.NORMAL] * len(pieces)
    # SPM merges the adjacent pair whose piece scores highest; longer pieces win.
    scores += [float(len(piece)) - index / 1000 for index, piece in enumerate(pieces)]
    if chat:
        tokens += list(_CHAT_CONTROLS)
        types += [token_type.CONTROL] * len(_CHAT_CONTROLS)
        scores += [0.0] * len(_CHAT_CONTROLS)
    return tokens, scores, [int(t) for t in types]


def _write_llama(
    path: Path,
    *,
    name: str,
    n_embd: int,
    n_layer: int,
    n_head: int,
    n_head_kv: int,
    n_ff: int,
    n_ctx: int,
    seed: int,
    chat: bool,
    chat_template: str | None = CHATML_TEMPLATE,
) -> Path:
    """Write a random llama-arch GGUF atomically (temp file + os.replace) and return `path`.

    With `chat`, dimension 0 of the residual stream is a constant that no layer writes to, and
    the output rows of control and byte tokens read it with a large negative weight: they are
    never sampled freely, only when a grammar leaves nothing else.
    """
    import gguf
    import numpy as np

    if n_embd % n_head or n_head % n_head_kv:
        raise ValueError("n_embd must divide by n_head, and n_head by n_head_kv")
    head_dim = n_embd // n_head
    tokens, scores, types = _vocab(gguf, chat=chat)
    n_vocab = len(tokens)
    rng = np.random.default_rng(seed)

    def weight(rows: int, cols: int, scale: float = 0.02) -> np.ndarray:
        # numpy shape (rows, cols) is GGUF/ggml shape [cols, rows]: ggml lists dims reversed.
        return (rng.standard_normal((rows, cols), dtype=np.float32) * scale).astype(np.float16)

    def ones() -> np.ndarray:
        return np.ones(n_embd, dtype=np.float32)  # 1-D norm weights stay f32, as llama.cpp wants

    tensors: list[tuple[str, np.ndarray]] = []
    token_embd = weight(n_vocab, n_embd, scale=1.0)
    output = weight(n_vocab, n_embd, scale=0.1)
    if chat:
        token_embd[:, 0] = 1.0
        output[:, 0] = 0.0
        output[[i for i, t in enumerate(types) if t != gguf.TokenType.NORMAL], 0] = -20.0
    tensors += [("token_embd.weight", token_embd)]
    for layer in range(n_layer):
        block = f"blk.{layer}"
        attn_output = weight(n_embd, n_head * head_dim)
        ffn_down = weight(n_embd, n_ff)
        if chat:
            attn_output[0, :] = 0.0
            ffn_down[0, :] = 0.0
        tensors += [
            (f"{block}.attn_norm.weight", ones()),
            (f"{block}.attn_q.weight", weight(n_head * head_dim, n_embd)),
            (f"{block}.attn_k.weight", weight(n_head_kv * head_dim, n_embd)),
            (f"{block}.attn_v.weight", weight(n_head_kv * head_dim, n_embd)),
            (f"{block}.attn_output.weight", attn_output),
            (f"{block}.ffn_norm.weight", ones()),
            (f"{block}.ffn_gate.weight", weight(n_ff, n_embd)),
            (f"{block}.ffn_up.weight", weight(n_ff, n_embd)),
            (f"{block}.ffn_down.weight", ffn_down),
        ]
    tensors += [("output_norm.weight", ones()), ("output.weight", output)]

    writer = gguf.GGUFWriter(None, arch="llama")
    writer.add_name(name)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    if chat:
        if chat_template is not None:  # None: a base model, without a template
            writer.add_chat_template(chat_template)
    else:
        writer.add_pooling_type(gguf.PoolingType.MEAN)  # key "llama.pooling_type"
    for tensor_name, data in tensors:
        writer.add_tensor(tensor_name, data)
    _write_atomically(writer, Path(path))
    return Path(path)


def _write_atomically(writer: Any, path: Path) -> None:
    """Write `writer`'s GGUF to a temp file beside `path`, then move it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        try:
            writer.write_header_to_file(Path(tmp_name))
            writer.write_kv_data_to_file()
            writer.write_tensors_to_file()
        finally:
            writer.close()
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; workers may run as another user
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_chat_model(
    path: Path,
    *,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_head_kv: int = 2,
    n_ff: int = 128,
    n_ctx: int = 2048,
    seed: int = 0,
    name: str = "portal-tiny-random",
    chat_template: str | None = CHATML_TEMPLATE,
) -> Path:
    """Write a random chat model (about 330 KB with the defaults) and return `path`.

    ChatML by default; `chat_template` another template, or None for a base model without
    one. Deterministic: the same arguments give a byte-identical file.
    """
    return _write_llama(
        path,
        name=name,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_head_kv=n_head_kv,
        n_ff=n_ff,
        n_ctx=n_ctx,
        seed=seed,
        chat=True,
        chat_template=chat_template,
    )


def write_embedding_model(
    path: Path,
    *,
    n_embd: int = 32,
    n_layer: int = 1,
    n_head: int = 2,
    n_head_kv: int = 1,
    n_ff: int = 64,
    n_ctx: int = 2048,
    seed: int = 1,
    name: str = "portal-tiny-random-embed",
) -> Path:
    """Write a random mean-pooling model for `Llama(embedding=True)` and return `path`.

    `embed()` returns one vector of length `n_embd` per input. Deterministic like the chat
    model.
    """
    return _write_llama(
        path,
        name=name,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_head_kv=n_head_kv,
        n_ff=n_ff,
        n_ctx=n_ctx,
        seed=seed,
        chat=False,
    )


def ensure_demo_model(path: Path) -> bool:
    """Write the demo chat model to `path` unless a file is there; return True if written."""
    path = Path(path)
    if path.exists():
        return False
    write_chat_model(
        path, n_embd=128, n_layer=4, n_head=4, n_head_kv=2, n_ff=256, name="portal-demo-random"
    )
    return True
