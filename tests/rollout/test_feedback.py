"""The anonymous feedback box: send, read by month and kind, mark handled; bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from portal.models import AuditEntry
from rollout.models import FeedbackMessage
from rollout.surveys.feedback import FeedbackError, feedback_send
from tests.rollout.test_surveys import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English source texts, whatever the German catalogue says."""
    with translation.override("en"):
        yield


def test_every_employee_sends_anonymously(client, alice, charlie) -> None:
    login(client, charlie)
    page = client.get("/feedback/").content.decode()
    assert "Not stored: your name" in page
    response = client.post("/feedback/", {"kind": "idea", "text": "  Eine Prompt-Sammlung  "})
    assert response.status_code == 302
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"  # not in error reports
    message = FeedbackMessage.objects.get()
    assert (message.kind, message.text, message.handled) == ("idea", "Eine Prompt-Sammlung", False)
    assert message.received_month.day == 1
    assert not AuditEntry.objects.filter(actor=charlie).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "idea", "text": ""},
        {"kind": "idea", "text": "   "},
        {"kind": "rant", "text": "Hallo"},
        {"kind": "idea", "text": "x" * 3001},
        {"kind": "idea", "text": "a\x00b"},
        {},
    ],
)
def test_bad_input_is_a_form_error(client, alice, data: dict) -> None:
    login(client, alice)
    response = client.post("/feedback/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not FeedbackMessage.objects.exists()


def test_service_guards_too() -> None:
    for kind, text in (("idea", ""), ("x", "Hallo"), ("idea", "x" * 3001)):
        with pytest.raises(FeedbackError):
            feedback_send(kind=kind, text=text)


def _message(kind: str, text: str, month: date, handled: bool = False) -> FeedbackMessage:
    return FeedbackMessage.objects.create(
        kind=kind, text=text, received_month=month, handled=handled
    )


def test_readers_filter_by_month_kind_and_state(client, walter) -> None:
    _message("concern", "Zweite Sorge", date(2026, 3, 1))
    _message("concern", "Angst um Stellen", date(2026, 3, 1))
    _message("idea", "Prompt-Sammlung", date(2026, 3, 1))
    _message("idea", "Alte Idee", date(2026, 2, 1), handled=True)
    _message("other", "<script>alert(1)</script>", date(2026, 2, 1))
    login(client, walter)
    page = client.get("/feedback/eingang/")
    assert [m.text for m in page.context["page"]] == [
        "Angst um Stellen",  # within a month: alphabetical, not in the order they arrived
        "Prompt-Sammlung",
        "Zweite Sorge",
        "<script>alert(1)</script>",
    ]
    assert "&lt;script&gt;" in page.content.decode()
    march = client.get("/feedback/eingang/?month=2026-03&kind=concern").context["page"]
    assert [m.text for m in march] == ["Angst um Stellen", "Zweite Sorge"]
    handled = client.get("/feedback/eingang/?state=handled").context["page"]
    assert [m.text for m in handled] == ["Alte Idee"]
    everything = client.get("/feedback/eingang/?state=all&month=13-2026&kind=x")
    assert everything.status_code == 200 and len(everything.context["page"]) == 5


def test_mark_handled_and_reopen(client, ada, alice) -> None:
    message = _message("concern", "Sorge", date(2026, 3, 1))
    url = f"/feedback/eingang/{message.pk}/markieren/"
    login(client, alice)
    assert client.post(url, {"handled": "1"}).status_code == 403
    login(client, ada)
    assert client.get(url).status_code == 405
    response = client.post(url, {"handled": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/feedback/eingang/"
    message.refresh_from_db()
    assert message.handled
    client.post(url, {"handled": "1", "next": "/feedback/eingang/?state=all"})
    assert AuditEntry.objects.filter(action="feedback.handled").count() == 1  # no change twice
    client.post(url, {"handled": "0"})
    message.refresh_from_db()
    assert not message.handled
    assert AuditEntry.objects.filter(action="feedback.reopened", actor=ada).count() == 1
    unknown = "/feedback/eingang/00000000-0000-4000-8000-000000000000/markieren/"
    assert client.post(unknown, {"handled": "1"}).status_code == 404
