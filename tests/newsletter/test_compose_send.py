"""Before and after sending: recipient preview, test mail, schedule, send, discard, status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsletter.models import Delivery, Issue, Preference
from portal.models import AuditEntry
from rollout.models import Event, Registration
from tests.factories import UserFactory

BASE = "/newsletter/verwaltung"


@pytest.fixture
def draft(ada) -> Issue:
    return Issue.objects.create(subject_de="Neues", body_de="Hallo **alle**.", created_by=ada)


def _count(client, issue: Issue) -> int:
    response = client.get(f"{BASE}/{issue.pk}/versand/")
    assert response.status_code == 200
    return response.context["count"]


def test_recipient_preview_counts_per_audience(client, cast, draft) -> None:
    client.force_login(cast["ada"])
    Preference.objects.create(user=cast["charlie"], subscribed=False)
    assert _count(client, draft) == 5  # everyone but charlie, who unsubscribed

    draft.audience, draft.roles = Issue.Audience.ROLES, ["multiplier", "reviewer"]
    draft.save()
    assert _count(client, draft) == 2

    draft.audience = Issue.Audience.DEPARTMENTS
    draft.save()
    draft.departments.set([cast["alice"].department, cast["bob"].department])
    assert _count(client, draft) == 2

    start = timezone.now() + timedelta(days=2)
    event = Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Prompting",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=5,
    )
    Registration.objects.create(event=event, user=cast["walter"], status="confirmed")
    draft.audience, draft.event = Issue.Audience.EVENT, event
    draft.save()
    response = client.get(f"{BASE}/{draft.pk}/versand/")
    assert response.context["count"] == 1
    assert [p.name for p in response.context["first"]] == ["Walter Fischer"]


def test_recipient_preview_names_the_first_twenty(client, ada, draft) -> None:
    UserFactory.create_batch(25)
    client.force_login(ada)
    response = client.get(f"{BASE}/{draft.pk}/versand/")
    assert response.context["count"] == 26
    assert len(response.context["first"]) == 20
    assert "26" in response.content.decode()


def test_test_send_goes_to_oneself_only(client, cast, draft) -> None:
    client.force_login(cast["ada"])
    response = client.post(f"{BASE}/{draft.pk}/test/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@firma.test"]
    assert mail.outbox[0].subject.startswith("[Test]")
    assert not Delivery.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT


def test_schedule_in_the_past_is_refused(client, ada, draft) -> None:
    client.force_login(ada)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"{BASE}/{draft.pk}/planen/", {"scheduled_for": past})
    assert response.status_code == 200
    assert response.context["schedule_form"].errors["scheduled_for"]
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT and draft.scheduled_for is None


def test_schedule_garbage_is_a_form_error(client, ada, draft) -> None:
    client.force_login(ada)
    response = client.post(f"{BASE}/{draft.pk}/planen/", {"scheduled_for": "morgen früh"})
    assert response.status_code == 200
    assert response.context["schedule_form"].errors["scheduled_for"]


def test_schedule_and_cancel_the_schedule(client, ada, draft) -> None:
    client.force_login(ada)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"{BASE}/{draft.pk}/planen/", {"scheduled_for": later})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Issue.Status.SCHEDULED and draft.scheduled_for > timezone.now()
    assert AuditEntry.objects.filter(action="newsletter.issue_scheduled").count() == 1

    assert client.post(f"{BASE}/{draft.pk}/planung-aufheben/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT and draft.scheduled_for is None


def test_send_now_needs_the_confirmation_step(client, cast, draft, enqueued) -> None:
    client.force_login(cast["ada"])
    response = client.post(f"{BASE}/{draft.pk}/versand/")
    assert response.status_code == 302 and response["Location"].endswith("?jetzt=1")
    assert not Delivery.objects.exists()

    confirm = client.get(f"{BASE}/{draft.pk}/versand/?jetzt=1")
    assert confirm.context["confirm"] and confirm.context["count"] == 6

    response = client.post(f"{BASE}/{draft.pk}/versand/", {"confirm": "1"})
    assert response["Location"] == f"{BASE}/{draft.pk}/status/"
    draft.refresh_from_db()
    assert draft.status == Issue.Status.SENDING
    assert Delivery.objects.filter(issue=draft).count() == 6


def test_discard_a_draft_and_it_cannot_be_sent(client, ada, draft) -> None:
    client.force_login(ada)
    assert client.post(f"{BASE}/{draft.pk}/verwerfen/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == Issue.Status.CANCELLED
    # A discarded issue is not sendable any more: the send page leads to its status.
    assert client.get(f"{BASE}/{draft.pk}/versand/").status_code == 302
    client.post(f"{BASE}/{draft.pk}/planen/", {"scheduled_for": "2999-01-01T10:00"})
    draft.refresh_from_db()
    assert draft.status == Issue.Status.CANCELLED


def test_status_page_counts_and_failed_addresses(client, ada, alice, bob) -> None:
    issue = Issue.objects.create(subject_de="Raus", body_de="x", status=Issue.Status.SENDING)
    Delivery.objects.create(issue=issue, email="a@firma.test", language="de", status="sent")
    Delivery.objects.create(issue=issue, email="b@firma.test", language="de", status="queued")
    Delivery.objects.create(
        issue=issue,
        email="kaputt@firma.test",
        language="de",
        status="failed",
        error="550 mailbox unavailable",
    )
    client.force_login(ada)
    response = client.get(f"{BASE}/{issue.pk}/status/")
    counts = {code: n for _, code, n in response.context["counts"]}
    assert counts == {"queued": 1, "sending": 0, "sent": 1, "failed": 1}
    html = response.content.decode()
    assert "kaputt@firma.test" in html and "550 mailbox unavailable" in html
    assert 'hx-trigger="every 2s"' in html  # polls while sending
    fragment = client.get(f"{BASE}/{issue.pk}/status/", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<section id="delivery-status"')


@pytest.mark.parametrize("step", ["test/", "planen/", "planung-aufheben/", "verwerfen/"])
def test_post_steps_are_for_admins_only(client, cast, draft, step) -> None:
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(f"{BASE}/{draft.pk}/{step}").status_code == 403
    client.force_login(cast["ada"])
    assert client.get(f"{BASE}/{draft.pk}/{step}").status_code == 405
    assert client.post(f"{BASE}/999999/{step}").status_code == 404
    assert not mail.outbox
