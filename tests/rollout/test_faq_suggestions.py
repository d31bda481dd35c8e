"""While a question is typed, published FAQ entries that may answer it are offered."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.models import FaqCategory, FaqEntry

pytestmark = pytest.mark.django_db
URL = "/faq/fragen/vorschlaege/"


@pytest.fixture
def entries(settings) -> list[FaqEntry]:
    settings.EMBEDDING_MODEL_PATH = None  # full text: the suggestion's own logic is tested
    category = FaqCategory.objects.create(name_de="Allgemein")
    rows = [
        ("Ist der Betriebsrat eingebunden?", "Ja, von Anfang an.", True),
        ("Wie beantrage ich Bildungsurlaub?", "Im Personalportal unter **Urlaub**.", True),
        ("Wird der Betriebsrat über Modellwechsel informiert?", "Entwurf.", False),
    ]
    return [
        FaqEntry.objects.create(
            category=category,
            question_de=question,
            answer_de=answer,
            published=published,
            reviewed_on=date(2026, 12, 1),
        )
        for question, answer, published in rows
    ]


def test_a_typed_question_gets_the_published_entry_that_answers_it(client, alice, entries):
    client.force_login(alice)
    page = client.post(URL, {"text": "Wird der Betriebsrat eingebunden?"}).content.decode()

    assert "Vielleicht beantwortet das Ihre Frage" in page
    assert f"/faq/{entries[0].pk}/" in page
    assert f"/faq/{entries[2].pk}/" not in page  # unpublished: never suggested
    assert "**" not in page


@pytest.mark.parametrize("text", ["", "  ", "Quantencomputer Raumfahrt", "x" * 5000])
def test_nothing_fitting_means_an_empty_answer(client, alice, entries, text):
    client.force_login(alice)
    response = client.post(URL, {"text": text})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_only_people_signed_in_and_only_by_post(client, alice, entries):
    assert client.post(URL, {"text": "Betriebsrat"}).status_code == 302  # to the login
    client.force_login(alice)
    assert client.get(URL, {"text": "Betriebsrat"}).status_code == 405  # never in a URL


def test_the_question_form_asks_for_suggestions_while_typing(client, alice, entries):
    client.force_login(alice)
    page = client.get("/faq/fragen/neu/").content.decode()
    assert f'hx-post="{URL}"' in page and 'hx-include="#id_text"' in page
