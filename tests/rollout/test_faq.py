"""FAQ pages: overview, entries in the reader's language, safe answers, helpful votes."""

from __future__ import annotations

from datetime import date

import pytest

from assistants.embeddings import reset_embedder
from portal.models import User
from rollout.faq.cards import faq_cards
from rollout.models import FaqCategory, FaqEntry

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _no_model(settings):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = None
    yield
    reset_embedder()


@pytest.fixture
def faq() -> dict[str, FaqEntry]:
    data = FaqCategory.objects.create(name_de="Datenschutz", name_en="Data protection", order=1)
    tools = FaqCategory.objects.create(name_de="Werkzeuge", order=2)
    FaqCategory.objects.create(name_de="Leer", order=3)
    return {
        "local": FaqEntry.objects.create(
            category=data,
            question_de="Verlassen unsere Daten das Haus?",
            answer_de="Nein.\nDas Modell läuft lokal.\n\nMehr unter [Termine](/termine/).",
            question_en="Does our data leave the company?",
            answer_en="No. The model runs **locally**.",
            reviewed_on=date(2026, 3, 1),
        ),
        "customers": FaqEntry.objects.create(
            category=data,
            question_de="Darf ich Kundendaten eingeben?",
            answer_de="Ja, im Rahmen der Regeln. <script>alert(1)</script>",
            reviewed_on=date(2026, 2, 1),
        ),
        "protocol": FaqEntry.objects.create(
            category=tools,
            question_de="Was macht der Protokollgenerator?",
            answer_de="Er schreibt Protokollentwürfe.",
            reviewed_on=date(2026, 2, 1),
        ),
        "hidden": FaqEntry.objects.create(
            category=tools,
            question_de="Unveröffentlichte Frage",
            answer_de="Entwurf",
            published=False,
            reviewed_on=date(2026, 2, 1),
        ),
    }


def _english(user: User) -> User:
    user.preferred_language = "en"
    user.save()
    return user


def test_overview_by_category_with_constant_queries(
    client, alice, faq, django_assert_max_num_queries
) -> None:
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        page = client.get("/faq/").content.decode()
    assert page.index("Datenschutz") < page.index("Werkzeuge")
    assert f'href="/faq/{faq["local"].pk}/"' in page and "Protokollgenerator" in page
    assert "Unveröffentlichte" not in page and "Leer" not in page  # nothing published there
    for n in range(10):
        FaqEntry.objects.create(
            category=faq["local"].category,
            question_de=f"Frage {n}",
            answer_de="A",
            reviewed_on=date(2026, 1, 1),
        )
    with django_assert_max_num_queries(8):
        assert "Frage 9" in client.get("/faq/").content.decode()


def test_entry_in_german_renders_paragraphs_links_and_no_html(client, alice, faq) -> None:
    client.force_login(alice)
    page = client.get(f"/faq/{faq['local'].pk}/").content.decode()
    assert "<p>Nein.<br>\nDas Modell läuft lokal.</p>" in page
    assert '<a href="/termine/" rel="noopener noreferrer nofollow">Termine</a>' in page
    assert "01.03.2026" in page  # last reviewed
    page = client.get(f"/faq/{faq['customers'].pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_english_readers_get_english_or_german_with_a_note(client, alice, faq) -> None:
    client.force_login(_english(alice))
    page = client.get(f"/faq/{faq['local'].pk}/").content.decode()
    assert "Does our data leave the company?" in page and "<strong>locally</strong>" in page
    assert "not available in English" not in page
    page = client.get(f"/faq/{faq['customers'].pk}/").content.decode()
    assert "Darf ich Kundendaten eingeben?" in page and "not available in English" in page
    overview = client.get("/faq/").content.decode()
    assert "Data protection" in overview and "Werkzeuge" in overview  # no English name: German
    assert "Does our data leave the company?" in overview


def test_unpublished_entries_are_404_except_for_the_faq_team(client, cast, faq) -> None:
    url = f"/faq/{faq['hidden'].pk}/"
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.get(url).status_code == 404, member
    client.force_login(cast["ada"])
    response = client.get(url)
    assert response.status_code == 200 and "notice-warning" in response.content.decode()
    assert client.get("/faq/999999/").status_code == 404


def test_helpful_votes_count_once_per_session(client, alice, charlie, faq) -> None:
    entry = faq["local"]
    url = f"/faq/{entry.pk}/hilfreich/"
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url, {"helpful": "yes"}).status_code == 302
    assert client.post(url, {"helpful": "yes"}).status_code == 302  # counted once
    fragment = client.post(url, {"helpful": "no"}, **HTMX).content.decode()
    assert "<html" not in fragment and 'id="faq-helpful"' in fragment
    entry.refresh_from_db()
    assert (entry.helpful_yes, entry.helpful_no) == (1, 0)
    assert 'name="helpful"' not in client.get(f"/faq/{entry.pk}/").content.decode()

    client.force_login(charlie)  # another session
    fragment = client.post(url, {"helpful": "no"}, **HTMX).content.decode()
    assert 'name="helpful"' not in fragment
    entry.refresh_from_db()
    assert (entry.helpful_yes, entry.helpful_no) == (1, 1)


def test_bad_or_forbidden_votes_count_nothing(client, alice, faq) -> None:
    client.force_login(alice)
    entry = faq["customers"]
    for value in ("", "maybe", "yes' OR 1=1"):
        assert client.post(f"/faq/{entry.pk}/hilfreich/", {"helpful": value}).status_code == 302
    assert client.post(f"/faq/{faq['hidden'].pk}/hilfreich/", {"helpful": "yes"}).status_code == 404
    assert client.post("/faq/999999/hilfreich/", {"helpful": "yes"}).status_code == 404
    entry.refresh_from_db()
    assert (entry.helpful_yes, entry.helpful_no) == (0, 0)
    client.logout()
    assert client.post(f"/faq/{entry.pk}/hilfreich/", {"helpful": "yes"}).status_code == 302
    entry.refresh_from_db()
    assert entry.helpful_yes == 0


def test_related_entries_prefer_shared_words_and_category(client, alice, faq) -> None:
    client.force_login(alice)
    page = client.get(f"/faq/{faq['local'].pk}/").content.decode()
    related = page[page.index('id="related-h"') :]
    assert f'href="/faq/{faq["customers"].pk}/"' in related  # same category
    assert f'href="/faq/{faq["hidden"].pk}/"' not in related


def test_entry_page_queries_do_not_grow(client, alice, faq, django_assert_max_num_queries) -> None:
    client.force_login(alice)
    for n in range(15):
        FaqEntry.objects.create(
            category=faq["local"].category,
            question_de=f"Daten Frage {n}",
            answer_de="Daten bleiben im Haus.",
            reviewed_on=date(2026, 1, 1),
        )
    with django_assert_max_num_queries(12):
        page = client.get(f"/faq/{faq['local'].pk}/").content.decode()
    related = page[page.index('id="related-h"') :]
    assert related[: related.index("</section>")].count("<li>") == 5


def test_home_card_for_the_team_and_for_askers(rf, alice, ada, faq) -> None:
    from rollout.faq.questions import question_ask

    question_ask(text="Frage", category=None, asker=alice, anonymous=False)
    request = rf.get("/")
    request.user = ada
    (card,) = faq_cards(request)
    assert card.context["team"] is True and card.context["open"] == 1
    assert card.context["stale"] == FaqEntry.objects.count()  # all reviewed long ago
    request.user = alice
    (card,) = faq_cards(request)
    assert card.context["team"] is False
    assert (card.context["waiting"], card.context["answered"]) == (1, 0)


def test_home_page_shows_the_card(client, alice, settings) -> None:
    from portal.registry import home_card_providers, register_home_cards

    added = faq_cards not in home_card_providers  # until apps.py registers it
    register_home_cards(faq_cards)
    try:
        client.force_login(alice)
        assert 'id="card-faq"' in client.get("/").content.decode()
    finally:
        if added:
            home_card_providers.remove(faq_cards)
