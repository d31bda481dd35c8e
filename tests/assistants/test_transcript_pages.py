"""A transcript after the recording: read, correct, name speakers, make the protocol, delete."""

from __future__ import annotations

import pytest

from assistants.models import GenerationJob, ProtocolTemplate, Transcript
from portal.models import AuditEntry
from tests.factories import protocol_for

pytestmark = pytest.mark.django_db

TURNS = [
    {"start": 0.0, "end": 4.2, "speaker": "", "text": "Guten Morgen, wir starten mit dem Budget."},
    {
        "start": 5.6,
        "end": 9.9,
        "speaker": "",
        "text": "Der Lenkungskreis hat das Budget freigegeben.",
    },
    {"start": 75.3, "end": 80.0, "speaker": "Bernd", "text": "Ich übernehme die Schulung im März."},
]


@pytest.fixture
def transcript(alice) -> Transcript:
    return Transcript.objects.create(
        owner=alice, title="Jour fixe Vertrieb", language="de", seconds=81, turns=TURNS
    )


def _url(transcript: Transcript, rest: str = "") -> str:
    return f"/assistenten/transkripte/{transcript.pk}/{rest}"


def test_the_owner_reads_turns_with_times_and_anchors(client, alice, transcript) -> None:
    client.force_login(alice)

    page = client.get(_url(transcript)).content.decode()

    assert 'id="t-0"' in page and 'id="t-75"' in page and "01:15" in page
    assert "Sprecher nicht benannt" in page and "Bernd" in page
    assert "Korrigieren" in page and "Protokoll daraus erstellen" in page
    assert "Aufnahme wurde gelöscht" in page


def test_a_turn_is_corrected_on_its_own_page(client, alice, transcript) -> None:
    client.force_login(alice)

    response = client.post(
        _url(transcript, "abschnitte/1/"),
        {"speaker": " Anna  Müller ", "text": "Der Lenkungskreis hat das Budget  freigegeben."},
    )

    assert response.status_code == 302 and response.url.endswith("#t-5")
    transcript.refresh_from_db()
    assert transcript.turns[1]["speaker"] == "Anna Müller"
    assert transcript.turns[1]["start"] == 5.6  # times stay as heard
    assert transcript.turns[0] == TURNS[0] and transcript.turns[2] == TURNS[2]
    entry = AuditEntry.objects.get(action="assistant.transcript_edited")
    assert "Lenkungskreis" not in str(entry.details)


def test_a_turn_is_corrected_in_place_with_htmx(client, alice, transcript) -> None:
    client.force_login(alice)

    form = client.get(_url(transcript, "abschnitte/2/"), HTTP_HX_REQUEST="true").content.decode()
    saved = client.post(
        _url(transcript, "abschnitte/2/"),
        {"speaker": "Bernd Schulz", "text": "Ich übernehme die Schulung im April."},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "<html" not in form and 'name="speaker"' in form and "Schulung im März" in form
    assert "<html" not in saved and saved.strip().startswith("<li") and "im April" in saved


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"speaker": "Anna: Müller", "text": "x"}, "keinen Doppelpunkt"),
        ({"speaker": "A" * 61, "text": "x"}, "höchstens 60 Zeichen"),
        ({"speaker": "Anna", "text": "  \u200b "}, "nicht leer"),
        ({"speaker": "Anna", "text": "x" * 5001}, "höchstens 5000 Zeichen"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_changes(
    client, alice, transcript, data, message
) -> None:
    client.force_login(alice)

    response = client.post(_url(transcript, "abschnitte/0/"), data)

    assert response.status_code == 200 and message in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.turns == TURNS


def test_a_speaker_is_renamed_everywhere(client, alice, transcript) -> None:
    client.force_login(alice)

    response = client.post(
        _url(transcript, "umbenennen/"), {"old": "", "new": "Anna Müller"}, follow=True
    )

    transcript.refresh_from_db()
    assert [t["speaker"] for t in transcript.turns] == ["Anna Müller", "Anna Müller", "Bernd"]
    assert "2 Beiträge sind jetzt Anna Müller zugeordnet" in response.content.decode()


def test_a_bad_new_name_is_refused(client, alice, transcript) -> None:
    client.force_login(alice)

    response = client.post(
        _url(transcript, "umbenennen/"), {"old": "Bernd", "new": "B: x"}, follow=True
    )

    transcript.refresh_from_db()
    assert transcript.turns == TURNS and "keinen Doppelpunkt" in response.content.decode()


def test_others_cannot_see_or_change_it_and_reviewers_only_read(
    client, bob, rita, transcript
) -> None:
    client.force_login(bob)
    for url in (_url(transcript), _url(transcript, "abschnitte/0/")):
        assert client.get(url).status_code == 404
    for url in ("abschnitte/0/", "umbenennen/", "loeschen/"):
        assert client.post(_url(transcript, url), {"speaker": "", "text": "x"}).status_code == 404

    client.force_login(rita)  # a reviewer: checks a protocol's quotes against it
    page = client.get(_url(transcript)).content.decode()
    assert "Lenkungskreis" in page and "abschnitte/0/" not in page and "loeschen" not in page
    assert client.post(_url(transcript, "abschnitte/0/"), {"text": "x"}).status_code == 404
    transcript.refresh_from_db()
    assert transcript.turns == TURNS


def test_a_turn_that_does_not_exist_is_404(client, alice, transcript) -> None:
    client.force_login(alice)

    assert client.get(_url(transcript, "abschnitte/3/")).status_code == 404


def test_the_owner_deletes_it_after_confirming(client, alice, transcript) -> None:
    client.force_login(alice)

    unconfirmed = client.post(_url(transcript, "loeschen/"), follow=True)
    assert Transcript.objects.exists() and "Kästchen" in unconfirmed.content.decode()
    response = client.post(_url(transcript, "loeschen/"), {"confirm": "on"})

    assert response.status_code == 302 and not Transcript.objects.exists()
    assert AuditEntry.objects.filter(action="assistant.transcript_deleted").exists()


def test_the_protocol_form_starts_from_the_corrected_transcript(client, alice, transcript):
    client.force_login(alice)
    client.post(_url(transcript, "umbenennen/"), {"old": "", "new": "Anna Müller"})

    page = client.get(f"/assistenten/protokoll/neu/?transkript={transcript.pk}").content.decode()

    assert "Anna Müller: Guten Morgen, wir starten mit dem Budget." in page
    assert "Bernd: Ich übernehme die Schulung im März." in page
    assert 'value="Anna Müller, Bernd"' in page
    assert f'name="from_transcript" value="{transcript.pk}"' in page
    assert 'value="Jour fixe Vertrieb"' in page


def test_someone_elses_transcript_is_not_offered(client, bob, transcript) -> None:
    client.force_login(bob)

    page = client.get(f"/assistenten/protokoll/neu/?transkript={transcript.pk}").content.decode()

    # The hidden field is what would carry the transcript (a bare value="1" can be any option).
    assert "Lenkungskreis" not in page
    assert f'name="from_transcript" value="{transcript.pk}"' not in page


@pytest.mark.parametrize("whose", ["own", "other"])
def test_the_protocol_job_remembers_only_its_owners_transcript(
    client, alice, bob, transcript, django_capture_on_commit_callbacks, whose
) -> None:
    client.force_login(alice if whose == "own" else bob)
    data = {
        "title": "Jour fixe",
        "meeting_date": "2026-11-20",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="ergebnisprotokoll").pk,
        "transcript": "Anna: Der Lenkungskreis hat das Budget freigegeben.",
        "from_transcript": transcript.pk,
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/assistenten/protokoll/neu/", data)

    assert response.status_code == 302
    job = GenerationJob.objects.get(kind="protocol")
    assert job.params.get("transcript_id") == (transcript.pk if whose == "own" else None)


def test_verified_quotes_link_to_the_moment_they_were_said(client, alice, transcript) -> None:
    client.force_login(alice)
    data = {
        "summary": "Budget",
        "participants": [],
        "agenda_items": [],
        "decisions": [
            {"text": "Budget frei", "source_quote": "hat das Budget freigegeben", "verified": True}
        ],
        "action_items": [
            {
                "task": "Schulung",
                "owner": "Bernd",
                "due_date": None,
                "source_quote": "„Ich übernehme die Schulung im März“",
                "verified": True,
            }
        ],
        "open_questions": [],
        "notes": [],
    }
    job, protocol = protocol_for(alice, data=data)
    GenerationJob.objects.filter(pk=job.pk).update(
        params={**job.params, "transcript_id": transcript.pk}
    )

    page = client.get(f"/assistenten/protokolle/{protocol.pk}/").content.decode()

    assert f'href="/assistenten/transkripte/{transcript.pk}/#t-5"' in page
    assert f'href="/assistenten/transkripte/{transcript.pk}/#t-75"' in page
    assert "gesagt bei 00:05" in page and "gesagt bei 01:15" in page


def test_a_protocol_from_typed_text_has_no_time_links(client, alice) -> None:
    client.force_login(alice)
    data = {"decisions": [{"text": "x", "source_quote": "Pilot im Vertrieb", "verified": True}]}
    _, protocol = protocol_for(alice, data=data)

    page = client.get(f"/assistenten/protokolle/{protocol.pk}/").content.decode()

    assert "gesagt bei" not in page


def test_the_model_status_page_shows_the_speech_model(client, ada, alice, transcript) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    GenerationJob.objects.create(
        kind="transcript",
        owner=alice,
        status="done",
        params={"title": "x", "seconds": 100},
        started_at=now - timedelta(seconds=25),
        finished_at=now,
    )
    GenerationJob.objects.create(kind="transcript", owner=alice, params={"title": "y"})
    client.force_login(ada)

    page = client.get("/assistenten/modell/").content.decode()

    assert "Sprache zu Text" in page and "tiny-whisper" in page
    assert "0,25 s Rechenzeit je Sekunde Aufnahme" in page
    assert "0 in Umschrift, 1 wartend" in page
    assert "0 in Arbeit, 0 wartend" in page  # the language model's queue counts no transcripts


def test_the_privacy_page_says_where_recordings_go(client, alice, settings) -> None:
    client.force_login(alice)

    page = client.get("/datenschutz/").content.decode()

    assert "vom Sprachmodell tiny-whisper transkribiert" in page
    assert "sobald ihr Transkript gespeichert ist" in page
