"""The glossary page: a programme admin keeps the company's own search synonyms."""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import AuditEntry
from rollout.faq.search import faq_search
from rollout.models import FaqCategory, FaqEntry, SearchGlossary
from rollout.search import synonyms

pytestmark = pytest.mark.django_db
PAGE = "/suche/begriffe/"
CLOUD = "Wo lege ich Projektdateien ab?"


@pytest.fixture
def cloud_entry(db) -> FaqEntry:
    category = FaqCategory.objects.create(name_de="Allgemein")
    return FaqEntry.objects.create(
        category=category,
        question_de=CLOUD,
        answer_de="In der Hallberg-Ablage, dem Dateiserver der Firma.",
        reviewed_on=date(2026, 1, 1),
    )


def _post(client, text: str, *, built_in: bool = True):
    data = {"text": text} | ({"use_built_in": "on"} if built_in else {})
    return client.post(PAGE, data)


def test_the_admin_sees_the_rules_the_form_and_the_built_in_list(client, ada) -> None:
    client.force_login(ada)
    page = client.get(PAGE).content.decode()
    assert "<h1>Suchsynonyme</h1>" in page
    assert 'id="id_use_built_in" checked' in page  # on until someone switches it off
    count = len(synonyms.built_in_rules())
    assert f"Die mitgelieferte Liste: {count} Regeln" in page
    assert "gehaltsabrechnung, lohnabrechnung" in page


def test_saved_rules_count_from_the_next_search_and_are_audited(
    client, ada, alice, cloud_entry
) -> None:
    client.force_login(ada)
    assert faq_search("Nextcloud", language="de") == []
    response = _post(client, "# Ablage\nhallberg-ablage, nextcloud, netzlaufwerk\n")
    assert response.status_code == 302 and response["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert "Die Synonyme sind gespeichert. Die nächste Suche verwendet sie." in page
    assert "hallberg-ablage, nextcloud, netzlaufwerk" in page
    assert f"von {ada.name}" in page
    assert [hit.obj for hit in faq_search("Nextcloud", language="de")] == [cloud_entry]
    client.force_login(alice)
    assert CLOUD in client.get("/faq/", {"q": "netzlaufwerk"}).content.decode()

    entry = AuditEntry.objects.get(action="search.glossary_changed")
    assert entry.actor == ada and entry.details == {"rules": 1, "built_in": True}
    client.force_login(ada)
    _post(client, "# Ablage\nhallberg-ablage, nextcloud, netzlaufwerk\n")  # unchanged
    assert AuditEntry.objects.filter(action="search.glossary_changed").count() == 1


def test_bad_lines_are_named_and_nothing_is_saved(client, ada) -> None:
    client.force_login(ada)
    _post(client, "urlaub, ferien")
    response = _post(client, "urlaub, ferien, auszeit\nnextcloud\nki => \n")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Zeile 2: Eine Regel braucht mindestens zwei Begriffe, durch Kommas getrennt." in page
    assert "Zeile 3: Schreiben Sie Begriffe auf beide Seiten von „=&gt;“." in page
    assert "urlaub, ferien, auszeit" in page  # what was typed stays in the form
    assert SearchGlossary.objects.get().text == "urlaub, ferien"


def test_a_nul_byte_is_refused_with_a_message(client, ada) -> None:
    client.force_login(ada)
    page = _post(client, "urlaub,\x00 ferien").content.decode()
    assert "Nullzeichen sind nicht erlaubt." in page
    assert not SearchGlossary.objects.exists()


def test_switching_the_built_in_list_off(client, ada) -> None:
    client.force_login(ada)
    before = client.get(PAGE, {"probe": "Lohnzettel"}).content.decode()
    assert "<dt>Lohnzettel</dt>\n      <dd>findet auch gehaltsabrechnung," in before
    _post(client, "hallberg-ablage, nextcloud", built_in=False)
    row = SearchGlossary.objects.get()
    assert row.use_built_in is False and row.text == "hallberg-ablage, nextcloud"
    page = client.get(PAGE, {"probe": "Lohnzettel Nextcloud"}).content.decode()
    assert "<dt>Lohnzettel</dt>\n      <dd>keine Synonyme</dd>" in page
    assert "<dt>Nextcloud</dt>\n      <dd>findet auch hallberg-ablage</dd>" in page
    assert 'id="id_use_built_in" checked' not in page


def test_the_probe_shows_what_each_typed_word_also_finds(client, ada) -> None:
    client.force_login(ada)
    _post(client, "sap hcm, personalsystem")
    page = client.get(PAGE, {"probe": "Azubi SAP HCM und"}).content.decode()
    assert "<dt>Azubi</dt>\n      <dd>findet auch auszubildende, auszubildender, azubis" in page
    assert "<dt>SAP</dt>\n      <dd>findet auch personalsystem</dd>" in page
    assert page.count("<dt>") == 4  # "und" too: a stop word, looked up as typed
    empty = client.get(PAGE, {"probe": "!!!"}).content.decode()
    assert "Darin ist kein Wort zum Nachschlagen." in empty


def test_markup_in_rules_is_shown_as_text(client, ada) -> None:
    client.force_login(ada)
    _post(client, "<b>fett</b>, <i>kursiv</i>")
    page = client.get(PAGE, {"probe": "<b>fett</b>"}).content.decode()
    assert "&lt;b&gt;fett&lt;/b&gt;, &lt;i&gt;kursiv&lt;/i&gt;" in page
    assert "<b>fett</b>" not in page and "<i>kursiv</i>" not in page


@pytest.mark.parametrize("member", ["alice", "rita", "walter"])
def test_only_programme_admins_edit_the_glossary(client, request, member) -> None:
    client.force_login(request.getfixturevalue(member))
    assert client.get(PAGE).status_code == 403
    assert _post(client, "a, b").status_code == 403
    assert not SearchGlossary.objects.exists()
