"""Guessing ids: another person's protocol, booking, use case or survey answer stays theirs.

For each kind of object, its owner has one (made through the services); then other people,
of the same and of other roles, try every URL that takes its id, with GET and with POST
(pages, steps, htmx fragments, exports). Each answer is the refusal the portal promises
(404 where the object must not even be known, 403 where it is visible but not theirs), and
afterwards the object and everything hanging off it is exactly as before.

The role × URL matrix (tests/portal/test_access.py) already checks GET of one id per view;
this file adds the POSTs, the fragments, every export format and the unchanged database.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% Beispiel\n" + b"0" * 100
HTMX = {"HTTP_HX_REQUEST": "true"}
DATA = {
    "summary": "Pilot im Vertrieb beschlossen.",
    "participants": ["Alice Schneider"],
    "agenda_items": [],
    "decisions": [
        {"text": "Pilot startet im Dezember", "source_quote": "Wir starten", "verified": True},
        {"text": "Budget verdoppeln", "source_quote": "", "verified": False},
    ],
    "action_items": [
        {
            "task": "Schulung planen",
            "owner": "Alice",
            "due_date": "2026-12-01",
            "source_quote": "Ich plane",
            "verified": True,
        }
    ],
    "open_questions": [],
    "notes": [],
}


def _rows(*objects: Model) -> list[dict]:
    """Return the stored rows of `objects`, fresh from the database."""
    return [type(o).objects.filter(pk=o.pk).values().first() for o in objects]


def _try(client, member, method: str, path: str, data: dict | None = None, **extra) -> int:
    client.force_login(member)
    if method == "get":
        return client.get(path, **extra).status_code
    return client.post(path, data or {}, **extra).status_code


def _refused(client, cast, probes, expected: dict[str, int]) -> list[str]:
    """Run every probe as each member in `expected`; return the ones answered otherwise."""
    wrong = []
    for name, status in expected.items():
        for method, path, data, extra in probes:
            got = _try(client, cast[name], method, path, data, **extra)
            if got != status:
                wrong.append(f"{name} {method.upper()} {path}: {got}, not {status}")
    return wrong


# ---------------------------------------------------------------------------------------
# Protocols: only the owner, reviewers and programme admins know them


@pytest.fixture
def protocols(alice, rita):
    """alice's draft protocol, her approved one, a queued job and an action item of hers."""
    from assistants.models import ActionItem, GenerationJob
    from assistants.services import review
    from tests.factories import protocol_for

    job, draft = protocol_for(alice, title="Entwurf", data=dict(DATA))
    _job, approved = protocol_for(alice, title="Freigegeben", data=dict(DATA))
    review.protocol_submit(protocol=approved, by=alice)
    for section, index, accept in (("decisions", 0, True), ("decisions", 1, False)):
        review.protocol_item_decide(
            protocol=approved, section=section, index=index, accept=accept, by=rita
        )
    review.protocol_item_decide(
        protocol=approved, section="action_items", index=0, accept=True, by=rita
    )
    review.protocol_approve(protocol=approved, by=rita)
    queued = GenerationJob.objects.create(owner=alice, input_text="Anna: Hallo.")
    item = ActionItem.objects.create(protocol=approved, version=1, task="Planen", owner=alice)
    return {"job": job, "draft": draft, "approved": approved, "queued": queued, "item": item}


def _protocol_state(objects: dict) -> dict:
    from assistants.models import ActionItem, ProtocolEdit, ProtocolVersion

    return {
        "rows": _rows(*objects.values()),
        "edits": ProtocolEdit.objects.count(),
        "versions": list(ProtocolVersion.objects.values()),
        "items": list(ActionItem.objects.values()),
    }


def _protocol_probes(o: dict) -> list[tuple]:
    draft, approved = (
        f"/assistenten/protokolle/{o['draft'].pk}",
        f"/assistenten/protokolle/{o['approved'].pk}",
    )
    probes = [
        ("get", f"/assistenten/auftraege/{o['job'].pk}/", None, {}),
        ("get", f"/assistenten/auftraege/{o['queued'].pk}/", None, HTMX),  # the polling fragment
        ("post", f"/assistenten/auftraege/{o['queued'].pk}/abbrechen/", None, {}),
        ("post", f"/assistenten/aufgaben/{o['item'].pk}/erledigt/", None, {}),
    ]
    for base in (draft, approved):
        probes += [("get", f"{base}/", None, {}), ("get", f"{base}/", None, HTMX)]
        probes += [
            ("post", f"{base}/{step}/", {"comment": "Bitte ändern"}, {})
            for step in ("submit", "approve", "return", "new-version")
        ]
        for section in ("decisions", "action_items"):
            edit = f"{base}/punkte/{section}/0/bearbeiten/"
            values = {"text": "Geändert", "task": "Geändert", "owner": "", "due_date": ""}
            probes += [("get", edit, None, {}), ("post", edit, values, {})]
            probes += [
                ("post", f"{base}/punkte/{section}/0/{d}/", None, {}) for d in ("accept", "reject")
            ]
    probes += [("get", f"{approved}/export.{fmt}", None, {}) for fmt in ("pdf", "docx", "md")]
    return probes


@pytest.mark.parametrize("member", ["bob", "walter", "charlie"])
def test_protocols_are_unknown_to_other_people(client, cast, protocols, member) -> None:
    """Every URL with alice's protocol, job or action item is a 404 and changes nothing."""
    before = _protocol_state(protocols)
    wrong = _refused(client, cast, _protocol_probes(protocols), {member: 404})
    assert not wrong, "\n".join(wrong)
    assert _protocol_state(protocols) == before


def test_reviewers_read_but_cannot_act_as_the_owner(client, cast, protocols) -> None:
    """rita and ada read alice's protocols; her draft's steps and edits stay alice's own."""
    before = _protocol_state(protocols)
    draft = f"/assistenten/protokolle/{protocols['draft'].pk}"
    reads = [("get", f"{draft}/", None, {})]
    reads += [("get", f"/assistenten/protokolle/{protocols['approved'].pk}/export.pdf", None, {})]
    assert not _refused(client, cast, reads, {"rita": 200, "ada": 200})
    edit = f"{draft}/punkte/decisions/0/bearbeiten/"
    assert not _refused(
        client,
        cast,
        [("get", edit, None, {}), ("post", edit, {"text": "Geändert"}, {})],
        {"rita": 403, "ada": 403},
    )
    # A draft is the owner's to submit; steps by others are refused with a message.
    steps = [("post", f"{draft}/{step}/", {"comment": "x"}, {}) for step in ("submit", "approve")]
    steps += [("post", f"{draft}/return/", {"comment": "x"}, {})]
    steps += [("post", f"{draft}/punkte/decisions/0/accept/", None, {})]
    assert not _refused(client, cast, steps, {"rita": 302, "ada": 302})
    for who in ("rita", "ada"):  # someone else's job and action item: unknown
        job = [("post", f"/assistenten/auftraege/{protocols['queued'].pk}/abbrechen/", None, {})]
        job += [("post", f"/assistenten/aufgaben/{protocols['item'].pk}/erledigt/", None, {})]
        assert not _refused(client, cast, job, {who: 404})
    assert _protocol_state(protocols) == before


# ---------------------------------------------------------------------------------------
# Office-hour bookings: alice's booking with bob


@pytest.fixture
def booking(alice, bob):
    from rollout.models import Booking, OfficeHour
    from rollout.officehours.services import officehour_generate

    office_hour = OfficeHour.objects.create(
        host=bob,
        topic="KI-Sprechstunde",
        location="Raum 2.14",
        first_date=timezone.localdate() + timedelta(days=7),
        start_time=time(14),
        end_time=time(15),
        slot_minutes=20,
    )
    officehour_generate(office_hour)
    booked, free, _last = office_hour.slots.order_by("starts_at")
    mine = Booking.objects.create(slot=booked, user=alice, topic="Mein vertrauliches Anliegen")
    return {"booking": mine, "booked": booked, "free": free, "office_hour": office_hour}


def _booking_state(b: dict) -> dict:
    from rollout.models import Booking, FaqEntry

    return {
        "rows": _rows(b["booking"], b["booked"], b["free"], b["office_hour"]),
        "bookings": list(Booking.objects.values()),
        "faq": FaqEntry.objects.count(),
    }


def _booking_probes(b: dict) -> list[tuple]:
    base = f"/sprechstunden/buchungen/{b['booking'].pk}"
    faq = {"question": "Frage?", "answer": "Antwort.", "category": ""}
    return [
        ("post", f"{base}/stornieren/", None, {}),
        ("get", f"{base}/umbuchen/", None, {}),
        ("post", f"{base}/umbuchen/", {"slot": b["free"].pk}, {}),
        ("get", f"{base}/faq/", None, {}),
        ("post", f"{base}/faq/", faq, {}),
    ]


@pytest.mark.parametrize("member", ["walter", "charlie"])
def test_bookings_are_unknown_to_other_people(client, cast, booking, member) -> None:
    """Cancel, move, or turn alice's booking into an FAQ entry: 404 for everyone else.

    (People without a host role learn from the FAQ step that they lack the role: 403.)"""
    before = _booking_state(booking)
    probes = _booking_probes(booking)
    wrong = _refused(client, cast, probes[:3], {member: 404})
    wrong += _refused(client, cast, probes[3:], {member: 403})
    slot_cancel = [("post", f"/sprechstunden/termine/{booking['booked'].pk}/absagen/", None, {})]
    wrong += _refused(client, cast, slot_cancel, {member: 403})
    assert not wrong, "\n".join(wrong)
    assert _booking_state(booking) == before


def test_other_hosts_and_admins_cannot_move_or_read_the_booking(client, cast, booking) -> None:
    """rita hosts office hours too and ada runs the programme: alice's topic stays hidden."""
    before = _booking_state(booking)
    probes = _booking_probes(booking)
    wrong = _refused(client, cast, probes, {"rita": 404})
    wrong += _refused(client, cast, probes[1:], {"ada": 404})  # ada may cancel (an admin)
    wrong += _refused(client, cast, probes[1:3], {"bob": 404})  # the host cancels, not moves
    assert not wrong, "\n".join(wrong)
    assert _booking_state(booking) == before
    for member in ("rita", "ada", "charlie"):
        client.force_login(cast[member])
        for page in ("/sprechstunden/meine/", "/sprechstunden/agenda/", "/"):
            assert "Mein vertrauliches Anliegen" not in client.get(page).content.decode()


def test_a_calendar_feed_carries_only_its_owners_bookings(client, alice, charlie, booking) -> None:
    """charlie's own feed token never shows alice's booking; alice's does."""
    from rollout.events.calendar import calendar_token_replace

    feeds = {p.email: calendar_token_replace(user=p).token for p in (alice, charlie)}
    client.logout()
    mine = client.get(f"/termine/kalender/{feeds[alice.email]}.ics").content.decode()
    theirs = client.get(f"/termine/kalender/{feeds[charlie.email]}.ics").content.decode()
    assert "KI-Sprechstunde" in mine
    assert "KI-Sprechstunde" not in theirs and "Anliegen" not in theirs


# ---------------------------------------------------------------------------------------
# Use cases: everyone reads every idea (transparency); only its editors change it


@pytest.fixture
def idea(alice, settings, tmp_path):
    from rollout.models import UseCase, UseCaseAttachment, UseCaseComment

    settings.MEDIA_ROOT = tmp_path
    use_case = UseCase.objects.create(
        title="Angebote vorformulieren",
        problem="Angebote kosten Zeit.",
        solution="Ein Entwurf vom lokalen Modell.",
        owner=alice,
        risk=UseCase.Risk.MINIMAL,
    )
    attachment = UseCaseAttachment(use_case=use_case, title="Beispiel", added_by=alice)
    attachment.file.save("beispiel.pdf", ContentFile(PDF), save=True)
    comment = UseCaseComment.objects.create(use_case=use_case, author=alice, body="Meine Notiz")
    return {"use_case": use_case, "attachment": attachment, "comment": comment}


def _idea_state(i: dict) -> dict:
    from rollout.models import UseCaseAttachment, UseCaseComment

    return {
        "rows": _rows(*i.values()),
        "attachments": list(UseCaseAttachment.objects.values("pk", "title", "file")),
        "comments": list(UseCaseComment.objects.values("pk", "body")),
    }


@pytest.mark.parametrize("member", ["bob", "rita", "walter", "charlie"])
def test_use_case_ideas_are_changed_only_by_their_editors(client, cast, idea, member) -> None:
    """Edit, submit, add or remove files of alice's idea: 403; her comment stays."""
    before = _idea_state(idea)
    base = f"/anwendungsfaelle/{idea['use_case'].pk}"
    form = {"title": "Übernommen", "problem": "x", "solution": "y", "risk_prohibited": "no"}
    upload = {"title": "Fremd", "file": SimpleUploadedFile("f.pdf", PDF, "application/pdf")}
    probes = [
        ("get", f"{base}/bearbeiten/", None, {}),
        ("post", f"{base}/bearbeiten/", form, {}),
        ("get", f"{base}/status/in_review/", None, {}),
        ("post", f"{base}/status/in_review/", {"expected": "idea"}, {}),
        ("post", f"{base}/status/in_review/", {"expected": "idea"}, HTMX),
        ("get", f"{base}/dateien/neu/", None, {}),
        ("post", f"{base}/dateien/neu/", upload, {}),
        ("post", f"{base}/dateien/{idea['attachment'].pk}/entfernen/", None, {}),
    ]
    wrong = _refused(client, cast, probes, {member: 403})
    # Deleting alice's comment: refused with a message on the use case's page.
    delete = [("post", f"{base}/kommentare/{idea['comment'].pk}/loeschen/", None, {})]
    wrong += _refused(client, cast, delete, {member: 302})
    # Reading is open to everyone signed in, files included.
    reads = [
        ("get", f"{base}/", None, {}),
        ("get", f"{base}/dateien/{idea['attachment'].pk}/", None, {}),
    ]
    wrong += _refused(client, cast, reads, {member: 200})
    assert not wrong, "\n".join(wrong)
    assert _idea_state(idea) == before


def test_ids_of_another_use_case_do_not_reach_its_files_or_comments(client, bob, idea) -> None:
    """bob's own use case with alice's attachment or comment id: 404, nothing removed."""
    from rollout.models import UseCase

    own = UseCase.objects.create(title="Meins", problem="p", solution="s", owner=bob)
    before = _idea_state(idea)
    client.force_login(bob)
    base = f"/anwendungsfaelle/{own.pk}"
    assert client.get(f"{base}/dateien/{idea['attachment'].pk}/").status_code == 404
    assert client.post(f"{base}/dateien/{idea['attachment'].pk}/entfernen/").status_code == 404
    assert client.post(f"{base}/kommentare/{idea['comment'].pk}/loeschen/").status_code == 404
    assert _idea_state(idea) == before


# ---------------------------------------------------------------------------------------
# Survey participation: who answered stays with the survey, never with a URL


@pytest.fixture
def surveys(alice, ada):
    from portal.models import Department
    from rollout.models import SurveyQuestion
    from rollout.surveys.answer import survey_answer
    from rollout.surveys.services import QuestionSpec, survey_create

    now = timezone.now()
    made = {}
    for key, audience, department in (
        ("everyone", "everyone", None),
        ("sales", "department", Department.objects.get(name="Vertrieb")),
    ):
        made[key] = survey_create(
            by=ada,
            title=f"Stimmung {key}",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            audience=audience,
            department=department,
            questions=[
                QuestionSpec(SurveyQuestion.Kind.LIKERT, "Wie sicher fühlen Sie sich?"),
                QuestionSpec(SurveyQuestion.Kind.TEXT, "Was wünschen Sie sich?"),
            ],
        )
        questions = list(made[key].questions.order_by("order", "pk"))
        survey_answer(
            survey=made[key],
            user=alice,
            answers={questions[0].pk: 4, questions[1].pk: "Mehr Schulungen"},
        )
    return made


def _survey_state(surveys: dict) -> dict:
    from rollout.models import SurveyAnswer, SurveyParticipation, SurveyResponse

    return {
        "rows": _rows(*surveys.values()),
        "participations": list(SurveyParticipation.objects.values()),
        "responses": SurveyResponse.objects.count(),
        "answers": list(SurveyAnswer.objects.values("text", "number")),
    }


def _answer(survey) -> dict:
    first, second = survey.questions.order_by("order", "pk")
    return {f"q{first.pk}": "1", f"q{second.pk}": "Überschrieben"}


@pytest.mark.parametrize("member", ["bob", "rita", "walter", "charlie"])
def test_a_survey_outside_ones_audience_is_unknown(client, cast, surveys, member) -> None:
    """The sales survey is a 404 for people of other departments, GET and POST alike."""
    before = _survey_state(surveys)
    sales = surveys["sales"]
    probes = [("get", f"/umfragen/{sales.pk}/", None, {})]
    probes += [("post", f"/umfragen/{sales.pk}/", _answer(sales), {})]
    assert not _refused(client, cast, probes, {member: 404})
    client.force_login(cast[member])
    assert "Stimmung sales" not in client.get("/umfragen/").content.decode()
    assert _survey_state(surveys) == before


@pytest.mark.parametrize("member", ["bob", "charlie"])
def test_alices_participation_is_neither_shown_nor_reused(client, cast, surveys, member) -> None:
    """Another person sees the open form (not alice's "answered"); their answer is theirs."""
    from rollout.models import SurveyParticipation, SurveyResponse

    survey = surveys["everyone"]
    client.force_login(cast[member])
    page = client.get(f"/umfragen/{survey.pk}/").content.decode()
    assert 'name="q' in page  # the form: alice's participation says nothing about theirs
    assert client.post(f"/umfragen/{survey.pk}/", _answer(survey)).status_code == 302
    assert SurveyParticipation.objects.filter(survey=survey, user=cast["alice"]).count() == 1
    assert SurveyParticipation.objects.filter(survey=survey, user=cast[member]).count() == 1
    assert SurveyResponse.objects.filter(survey=survey).count() == 2


@pytest.mark.parametrize("member", ["alice", "bob", "rita", "charlie"])
def test_results_and_survey_changes_are_not_for_participants(client, cast, surveys, member) -> None:
    """Results, their CSV export and the admin steps: 403 for GET and POST, nothing moves."""
    before = _survey_state(surveys)
    probes = []
    for survey in surveys.values():
        results = f"/umfragen/auswertung/{survey.pk}/"
        probes += [(m, results, None, {}) for m in ("get", "post")]
        probes += [(m, f"{results}export.csv", None, {}) for m in ("get", "post")]
        admin = f"/umfragen/verwalten/{survey.pk}"
        probes += [("post", f"{admin}/{step}/", None, {}) for step in ("oeffnen", "schliessen")]
        probes += [("post", f"{admin}/bearbeiten/", {"title": "Übernommen"}, {})]
    wrong = _refused(client, cast, probes, {member: 403})
    assert not wrong, "\n".join(wrong)
    assert _survey_state(surveys) == before
