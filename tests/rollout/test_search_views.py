"""The search fragment and page, and the similar-use-cases fragment."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistants.embeddings import reset_embedder
from rollout.models import UseCase
from rollout.usecases.search import use_cases_reindex

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def no_model(settings):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = None
    yield
    reset_embedder()


@pytest.fixture
def tiny_model(settings, tiny_embedding_model: Path):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_embedding_model
    yield
    reset_embedder()


@pytest.fixture
def library(bob, charlie) -> dict[str, UseCase]:
    return {
        "protocol": UseCase.objects.create(
            title="Protokoll der Teamrunde <em>schneller</em>",
            problem="Das Protokoll <script>alert(1)</script> kostet Zeit.",
            solution="Der Assistent schreibt den Entwurf.",
            owner=bob,
            department=bob.department,
            status=UseCase.Status.PILOT,
        ),
        "offers": UseCase.objects.create(
            title="Angebote im Vertrieb",
            problem="Angebote kosten Zeit.",
            solution="Die KI formuliert Angebotstexte vor.",
            owner=charlie,
            department=charlie.department,
        ),
    }


def test_fragment_with_ranked_highlighted_hits(client, alice, library, no_model) -> None:
    client.force_login(alice)
    response = client.get("/anwendungsfaelle/suche/", {"q": "Protokolle"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the fragment only
    assert f'href="/anwendungsfaelle/{library["protocol"].pk}/"' in html
    assert "<mark>Protokoll</mark>" in html
    assert "&lt;em&gt;schneller&lt;/em&gt;" in html and "<script>" not in html
    assert "Angebote im Vertrieb" not in html
    assert 'id="semantic-off"' in html


def test_the_number_of_queries_does_not_grow_with_the_hits(client, alice, bob, no_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/anwendungsfaelle/suche/", {"q": "Protokoll"}, **HTMX)
        return len(captured), response.content.decode()

    def add(n: int) -> None:
        for i in range(n):
            UseCase.objects.create(
                title=f"Protokoll {i}", problem="p", solution="s", owner=bob,
                department=bob.department,
            )  # fmt: skip

    add(1)
    few, html = queries()
    add(11)
    many, html_many = queries()
    assert html.count("<li>") == 1 and html_many.count("<li>") == 12
    assert many == few


def test_filters_narrow_the_hits(client, alice, library, no_model) -> None:
    client.force_login(alice)
    pilot = {"q": "Zeit", "status": "pilot"}
    html = client.get("/anwendungsfaelle/suche/", pilot, **HTMX).content.decode()
    assert "Teamrunde" in html and "Angebote im Vertrieb" not in html

    by_department = {"q": "Zeit", "department": library["offers"].department_id}
    html = client.get("/anwendungsfaelle/suche/", by_department, **HTMX).content.decode()
    assert "Teamrunde" not in html and "Angebote im Vertrieb" in html

    html = client.get("/anwendungsfaelle/suche/", {"q": "Zeit", "risk": "high"}, **HTMX)
    assert "Teamrunde" not in html.content.decode()


def test_full_page_without_javascript(client, alice, library, no_model) -> None:
    client.force_login(alice)
    response = client.get("/anwendungsfaelle/suche/", {"q": "Angebot", "status": "idea"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="usecase-results"' in html
    assert 'name="q" type="search" value="Angebot"' in html
    assert '<option value="idea" selected>' in html
    assert "<mark>Angebote</mark>" in html


def test_empty_query_lists_the_filtered_use_cases(client, alice, library, no_model) -> None:
    client.force_login(alice)
    html = client.get("/anwendungsfaelle/suche/", {"status": "pilot"}, **HTMX).content.decode()
    assert "Teamrunde" in html and "Angebote im Vertrieb" not in html
    assert "<mark>" not in html


def test_semantic_search_on_with_a_model(client, alice, library, tiny_model) -> None:
    use_cases_reindex()
    client.force_login(alice)
    html = client.get("/anwendungsfaelle/suche/", {"q": "Protokoll"}, **HTMX).content.decode()
    assert 'id="semantic-off"' not in html
    assert "<mark>Protokoll</mark>" in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Protokoll " * 10_000},
        {"q": "\x00\x01\x02 Protokoll \x1b[31m"},
        {"q": "!!! ??? :* & | ()"},
        {"q": "'; DROP TABLE rollout_usecase; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "Protokoll", "status": "bogus", "department": "abc", "risk": "'"},
        {"q": "Protokoll", "department": "99999999999999999999"},
        {"q": "ŞŒ 中文 🙂 Prötökoll"},
    ],
)
def test_odd_search_input_never_fails(client, alice, library, tiny_model, params) -> None:
    client.force_login(alice)
    for headers in (HTMX, {}):
        response = client.get("/anwendungsfaelle/suche/", params, **headers)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_similar_fragment(client, bob, library, no_model) -> None:
    client.force_login(bob)
    typed = {"title": "Protokoll der Teamrunde", "problem": "Protokolle kosten Zeit"}

    html = client.get("/anwendungsfaelle/aehnliche/", typed, **HTMX).content.decode()
    assert f'href="/anwendungsfaelle/{library["protocol"].pk}/"' in html
    assert "Angebote im Vertrieb" not in html and "<script>" not in html

    editing = {**typed, "exclude": str(library["protocol"].pk)}
    assert client.get("/anwendungsfaelle/aehnliche/", editing).content.decode().strip() == ""
    short = {"title": "Pr"}
    assert client.get("/anwendungsfaelle/aehnliche/", short).content.decode().strip() == ""


@pytest.mark.parametrize(
    "params",
    [
        {"title": "Protokoll " * 1000, "problem": "x" * 100_000, "solution": "ü" * 20_000},
        {"title": "\x00\x00", "problem": "\x07 Protokoll"},
        {"title": "<img src=x onerror=alert(1)>", "exclude": "-1"},
        {"title": "Protokoll", "exclude": "1 OR 1=1"},
        {"title": "' OR '1'='1", "problem": "|| & !"},
    ],
)
def test_odd_similar_input_never_fails(client, alice, library, tiny_model, params) -> None:
    client.force_login(alice)
    response = client.get("/anwendungsfaelle/aehnliche/", params, **HTMX)
    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, library) -> None:
    for path in ("/anwendungsfaelle/suche/?q=Protokoll", "/anwendungsfaelle/aehnliche/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
