"""The review inbox: what waits for each person, from every app, and its count in the header."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from assistants.models import Protocol
from rollout.faq.models import Question
from rollout.models import EthicsReview, Programme, UseCase
from tests.factories import protocol_for

pytestmark = pytest.mark.django_db
URL = "/zu-erledigen/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


@pytest.fixture
def waiting(alice, bob, rita, ada):
    """One of each: bob's protocol in review, alice's returned one, a use case in review, an
    open question and an ethics review without an outcome."""
    _, in_review = protocol_for(bob, title="Jour fixe Konstruktion")
    Protocol.objects.filter(pk=in_review.pk).update(status=Protocol.Status.IN_REVIEW)
    _, returned = protocol_for(alice, title="Kundentermin Müller")
    Protocol.objects.filter(pk=returned.pk).update(
        status=Protocol.Status.RETURNED, return_comment="Bitte die Termine prüfen."
    )
    _, own = protocol_for(rita, title="Ritas eigenes Protokoll")
    Protocol.objects.filter(pk=own.pk).update(status=Protocol.Status.IN_REVIEW)
    use_case = UseCase.objects.create(
        title="Angebote zusammenfassen",
        problem="Lange Angebote",
        solution="Zusammenfassung",
        owner=bob,
        department=bob.department,
        status=UseCase.Status.IN_REVIEW,
        status_changed_at=timezone.now() - timedelta(days=3),
    )
    Question.objects.create(text="Darf ich Kundendaten eingeben?", received_on=date.today())
    programme = Programme.objects.create(name="KI im Büroalltag", organisation="Hallberg")
    EthicsReview.objects.create(programme=programme, subject="Bewerbungen vorsortieren")
    return {"in_review": in_review, "returned": returned, "own": own, "use_case": use_case}


def _page(client, person) -> str:
    client.force_login(person)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_a_reviewer_sees_what_awaits_review_but_never_her_own(client, rita, waiting) -> None:
    page = _page(client, rita)

    assert "Zu prüfende Protokolle" in page and "Jour fixe Konstruktion" in page
    assert f"/assistenten/protokolle/{waiting['in_review'].pk}/" in page
    assert "Ritas eigenes Protokoll" not in page
    assert "Zu prüfende Use Cases" in page and "Angebote zusammenfassen" in page
    assert "Kundendaten" not in page  # the FAQ team's, not a reviewer's


def test_a_reviewer_who_contributes_to_a_use_case_does_not_review_it(client, rita, waiting) -> None:
    waiting["use_case"].contributors.add(rita)

    assert "Angebote zusammenfassen" not in _page(client, rita)


def test_the_owner_sees_her_returned_protocol_with_the_comment(client, alice, waiting) -> None:
    page = _page(client, alice)

    assert "An Sie zurückgegebene Protokolle" in page and "Kundentermin Müller" in page
    assert "Bitte die Termine prüfen." in page
    assert "Jour fixe Konstruktion" not in page  # an employee reviews nothing


def test_programme_admins_see_questions_and_ethics_reviews(client, ada, waiting) -> None:
    page = _page(client, ada)

    assert "Zu beantwortende Fragen" in page and "Darf ich Kundendaten eingeben?" in page
    assert "Ethikprüfungen ohne Ergebnis" in page and "Bewerbungen vorsortieren" in page


def test_nothing_waiting_says_so(client, charlie, waiting) -> None:
    page = _page(client, charlie)

    assert "Nichts wartet auf Sie" in page


def test_the_header_counts_what_waits_on_every_page(client, rita, charlie, waiting) -> None:
    client.force_login(rita)
    home = client.get("/").content.decode()
    assert 'href="/zu-erledigen/"' in home and 'hx-get="/zu-erledigen/anzahl/"' in home
    badge = client.get("/zu-erledigen/anzahl/", HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="count-badge">2<span class="visually-hidden"> Einträge warten' in badge

    client.force_login(charlie)
    assert "count-badge" not in client.get("/zu-erledigen/anzahl/").content.decode()


def test_the_oldest_waits_first(client, rita, waiting, bob) -> None:
    _, newer = protocol_for(bob, title="Neueres Protokoll")
    Protocol.objects.filter(pk=newer.pk).update(status=Protocol.Status.IN_REVIEW)
    Protocol.objects.filter(pk=waiting["in_review"].pk).update(
        created_at=timezone.now() - timedelta(days=5)
    )

    page = _page(client, rita)

    assert page.index("Jour fixe Konstruktion") < page.index("Neueres Protokoll")


def test_the_home_page_starts_with_what_waits(client, rita, charlie, waiting) -> None:
    client.force_login(rita)
    home = client.get("/").content.decode()

    assert 'id="card-inbox"' in home and "Jour fixe Konstruktion" in home
    assert home.index('<section class="card') == home.index('<section class="card card-inbox"')
    assert "Alle 2 Einträge ansehen" in home

    client.force_login(charlie)
    assert 'id="card-inbox"' not in client.get("/").content.decode()


def test_the_digest_mails_each_person_what_waits_once_a_day(rita, ada, alice, charlie, waiting):
    from django.core import mail

    from portal.tasks import inbox_digest

    sent = inbox_digest()

    by_person = {m.to[0]: m for m in mail.outbox}
    assert sent == 3 and set(by_person) == {rita.email, ada.email, alice.email}
    assert charlie.email not in by_person  # nothing waits for him: no mail
    rita_mail = by_person[rita.email]
    assert rita_mail.subject == "2 Einträge warten auf Sie im KI-Portal"
    assert "Zu prüfende Protokolle: Jour fixe Konstruktion" in rita_mail.body
    assert f"/assistenten/protokolle/{waiting['in_review'].pk}/" in rita_mail.body
    assert "/zu-erledigen/" in rita_mail.body
    assert "Ritas eigenes Protokoll" not in rita_mail.body

    assert inbox_digest() == 0 and len(mail.outbox) == 3  # not twice on one day


def test_a_failed_digest_is_sent_by_the_next_run(rita, waiting, monkeypatch) -> None:
    import smtplib

    from django.core import mail

    from portal import tasks

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(tasks, "send_mail", broken)
    assert tasks.inbox_digest() == 0
    monkeypatch.undo()

    assert tasks.inbox_digest() >= 1
    assert rita.email in [m.to[0] for m in mail.outbox]


def test_a_person_switches_the_daily_mail_off_and_on(client, rita, ada, waiting) -> None:
    from django.core import mail

    from portal.tasks import inbox_digest

    client.force_login(rita)
    assert "Keine täglichen E-Mails mehr" in client.get("/zu-erledigen/").content.decode()

    response = client.post("/zu-erledigen/mail/", {"digest": "off"}, follow=True)

    assert "Sie erhalten die tägliche Aufgaben-Mail nicht mehr" in response.content.decode()
    rita.refresh_from_db()
    assert rita.inbox_digest is False
    inbox_digest()
    assert rita.email not in [m.to[0] for m in mail.outbox]
    assert ada.email in [m.to[0] for m in mail.outbox]  # the others still get theirs
    assert "Ausschalten können Sie sie unten auf " in next(
        m.body for m in mail.outbox if m.to[0] == ada.email
    )

    client.post("/zu-erledigen/mail/", {"digest": "on"})
    rita.refresh_from_db()
    assert rita.inbox_digest is True


def test_the_mail_switch_takes_only_a_post_of_the_signed_in_person(client, rita) -> None:
    assert client.post("/zu-erledigen/mail/", {"digest": "off"}).status_code == 302  # to login
    client.force_login(rita)
    assert client.get("/zu-erledigen/mail/").status_code == 405
    rita.refresh_from_db()
    assert rita.inbox_digest is True
