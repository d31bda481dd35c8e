"""The protocol form's participants: people from the directory and typed names.

The search with chips (static/js/multiselect.js) only fills the same two fields, so the
server's rules here are all there is; the browser side is tests/e2e/test_participants.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistants.models import GenerationJob, ProtocolTemplate
from portal.models import Department, User

pytestmark = pytest.mark.django_db
URL = "/assistenten/protokoll/neu/"


def _form(**overrides) -> dict:
    data = {
        "title": "Jour fixe",
        "meeting_date": "2026-11-20",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="jour-fixe").pk,
        "transcript": "Anna: Hallo",
    }
    data.update(overrides)
    return data


def _refused(client, **overrides) -> str:
    response = client.post(URL, _form(**overrides))
    assert response.status_code == 200  # the form again, with the message
    assert not GenerationJob.objects.exists()
    return response.content.decode()


def _people(count: int) -> list[User]:
    department = Department.objects.create(name="Einkauf")
    return User.objects.bulk_create(
        User(email=f"person{n}@firma.test", name=f"Person {n:03d}", department=department)
        for n in range(count)
    )


def test_picked_people_and_typed_names_make_the_participants(
    client, alice, bob, rita, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            URL,
            _form(
                participants_known=[rita.pk, bob.pk],
                # Spaces as typed, a name twice, a directory name typed, an empty entry;
                # "Müller" typed with a combining umlaut (as a Mac may send it).
                participants_other=" Gast  Extern ,Bob Wagner,, Gast Extern, Jana Mu\u0308ller",
            ),
        )
    assert response.status_code == 302
    participants = GenerationJob.objects.get().params["participants"]
    assert participants == [bob.name, rita.name, "Gast Extern", "Jana Müller"]


def test_two_hundred_people_cost_no_more_queries(client, alice) -> None:
    client.force_login(alice)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _people(200)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(many) == len(few)
    assert page.count('data-department="Einkauf"') == 200
    assert 'data-email="person199@firma.test"' in page


def test_the_page_carries_the_search_and_its_german_labels(client, alice) -> None:
    client.force_login(alice)
    page = client.get(URL).content.decode()
    assert '<script src="/static/js/multiselect.js" defer></script>' in page
    assert 'data-free-text="id_participants_other"' in page
    assert 'data-remove="{name} entfernen"' in page
    assert 'data-many="{n} Personen ausgewählt"' in page
    assert "Personen suchen" in page
    # Without JavaScript: the plain select and the free-text field, both in the form.
    assert '<select name="participants_known"' in page
    assert 'name="participants_other"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Gast Extern, " + "x" * 121, "ist zu lang: höchstens 120 Zeichen"),
        ("Anna\x07 Müller", "Steuerzeichen"),
        ("Anna\nMüller", "Steuerzeichen"),
        ("Anna\u202eMüller", "Steuerzeichen"),  # right-to-left override: hides what is shown
        ("Anna\x00", "Nullzeichen sind nicht erlaubt"),
        ("x" * 1001, "höchstens 1000 Zeichen"),
    ],
)
def test_bad_typed_names_get_a_german_message(client, alice, typed, message) -> None:
    client.force_login(alice)
    assert message in _refused(client, participants_other=typed)


def test_a_name_at_the_limit_is_taken_whole(
    client, alice, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(URL, _form(participants_other="y" * 120))
    assert GenerationJob.objects.get().params["participants"] == ["y" * 120]


@pytest.mark.parametrize(
    ("known", "message"),
    [
        (["999999"], "gültige Auswahl"),
        (["kein-schluessel"], "kein gültiger Wert"),
        (["1\x00"], "Nullzeichen sind nicht erlaubt"),
    ],
)
def test_a_forged_directory_choice_gets_a_german_message(client, alice, known, message) -> None:
    client.force_login(alice)
    assert message in _refused(client, participants_known=known)


def test_more_than_fifty_participants_are_refused(client, alice) -> None:
    client.force_login(alice)
    people = _people(45)
    page = _refused(
        client,
        participants_known=[p.pk for p in people],
        participants_other=", ".join(f"Gast {n}" for n in range(6)),
    )
    assert "Höchstens 50 Teilnehmende" in page


def test_a_forged_hidden_field_is_not_refused_silently(client, alice) -> None:
    client.force_login(alice)
    assert "ganze Zahl" in _refused(client, from_transcript="x")
