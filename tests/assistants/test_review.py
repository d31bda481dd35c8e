"""Review before adoption: states, locking, versions, provenance, action items, reminders."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail

from assistants.models import ActionItem, Protocol, ProtocolEdit, ProtocolVersion
from assistants.services import review
from assistants.tasks import action_item_notify, action_items_remind
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

DATA = {
    "summary": "Pilot im Vertrieb beschlossen.",
    "participants": ["Alice Schneider", "Bob Wagner"],
    "agenda_items": [],
    "decisions": [
        {
            "text": "Pilot startet im Dezember",
            "source_quote": "Wir starten im Dezember",
            "verified": True,
        },
        {"text": "Budget verdoppeln", "source_quote": "", "verified": False},
    ],
    "action_items": [
        {
            "task": "Schulung für Müller planen",
            "owner": "Bob",
            "due_date": "2026-12-01",
            "source_quote": "Ich plane die Schulung",
            "verified": True,
        },
        {
            "task": "Größe der Räume prüfen",
            "owner": "Unbekannt",
            "due_date": None,
            "source_quote": "",
            "verified": False,
        },
    ],
    "open_questions": [],
    "notes": [],
}


@pytest.fixture
def protocol(alice, bob):
    from tests.factories import protocol_for

    return protocol_for(alice, title="Jour fixe Vertrieb – Straße & Größe", data=dict(DATA))[1]


def _post(client, path: str, data: dict | None = None):
    return client.post(path, data or {})


def test_full_review_by_a_reviewer(
    client, alice, bob, rita, protocol, django_capture_on_commit_callbacks
):
    base = f"/assistenten/protokolle/{protocol.pk}"
    client.force_login(alice)
    assert _post(client, f"{base}/submit/").status_code == 302
    client.force_login(rita)
    response = _post(
        client,
        f"{base}/punkte/action_items/0/bearbeiten/",
        {
            "task": "Schulung für Müller planen und buchen",
            "owner": "Bob",
            "person": bob.pk,
            "due_date": "01.12.2026",
        },
    )
    assert response.status_code == 302
    _post(client, f"{base}/punkte/decisions/0/accept/")
    _post(client, f"{base}/punkte/decisions/1/reject/")
    _post(client, f"{base}/punkte/action_items/0/accept/")
    _post(client, f"{base}/punkte/action_items/1/accept/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _post(client, f"{base}/approve/").status_code == 302
    assert len(callbacks) == 1  # one assigned owner: one notification, sent after the commit

    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.APPROVED
    assert protocol.approved_by == rita
    assert protocol.data["action_items"][0]["task"] == "Schulung für Müller planen und buchen"
    assert protocol.data["action_items"][0]["edited"] is True
    assert protocol.data["decisions"][1]["review"] == "rejected"
    version = ProtocolVersion.objects.get(protocol=protocol)
    assert version.number == 1 and version.approved_by == rita
    assert list(
        ProtocolEdit.objects.filter(protocol=protocol).values_list("user__name", "action")
    ) == [
        ("Rita Hoffmann", "edited"),
        ("Rita Hoffmann", "accepted"),
        ("Rita Hoffmann", "rejected"),
        ("Rita Hoffmann", "accepted"),
        ("Rita Hoffmann", "accepted"),
    ]
    items = list(ActionItem.objects.filter(protocol=protocol).order_by("pk"))
    assert [(i.owner, i.due_date) for i in items] == [(bob, date(2026, 12, 1)), (None, None)]
    action_item_notify(items[0].pk)  # what the default worker runs
    action_item_notify(items[1].pk)  # nobody assigned: nothing to send
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert "Schulung für Müller" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="protocol.approve", target_id=str(protocol.pk)).exists()

    client.force_login(bob)
    page = client.get("/assistenten/aufgaben/").content.decode()
    assert "Schulung für Müller planen und buchen" in page


def test_approved_protocol_is_locked_and_a_new_version_can_start(alice, rita, protocol) -> None:
    review.protocol_submit(protocol=protocol, by=alice)
    for section, n in (("decisions", 2), ("action_items", 2)):
        for i in range(n):
            review.protocol_item_decide(
                protocol=protocol, section=section, index=i, accept=True, by=rita
            )
    review.protocol_approve(protocol=protocol, by=rita)
    with pytest.raises(review.ReviewError):
        review.protocol_item_edit(
            protocol=protocol, section="decisions", index=0, values={"text": "geändert"}, by=alice
        )
    with pytest.raises(review.ReviewError):
        review.protocol_item_decide(
            protocol=protocol, section="decisions", index=0, accept=False, by=rita
        )
    review.protocol_new_version(protocol=protocol, by=alice)
    protocol.refresh_from_db()
    assert (protocol.status, protocol.version, protocol.approved_by) == ("draft", 2, None)
    review.protocol_item_edit(
        protocol=protocol,
        section="decisions",
        index=0,
        values={"text": "Pilot startet im Januar"},
        by=alice,
    )
    frozen = ProtocolVersion.objects.get(protocol=protocol, number=1)
    assert frozen.data["decisions"][0]["text"] == "Pilot startet im Dezember"  # unchanged


@pytest.mark.parametrize("step", ["approve", "return", "new_version"])
def test_illegal_transitions_from_draft_are_refused(alice, rita, protocol, step) -> None:
    calls = {
        "approve": lambda: review.protocol_approve(protocol=protocol, by=rita),
        "return": lambda: review.protocol_return(protocol=protocol, by=rita, comment="x"),
        "new_version": lambda: review.protocol_new_version(protocol=protocol, by=alice),
    }
    with pytest.raises(review.ReviewError):
        calls[step]()
    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.DRAFT


def test_owner_cannot_approve_own_protocol_even_as_reviewer(rita) -> None:
    from tests.factories import protocol_for

    _, own = protocol_for(rita, data=dict(DATA))
    review.protocol_submit(protocol=own, by=rita)
    with pytest.raises(review.ReviewError):
        review.protocol_approve(protocol=own, by=rita)


def test_approval_needs_every_item_decided(alice, rita, protocol) -> None:
    review.protocol_submit(protocol=protocol, by=alice)
    review.protocol_item_decide(
        protocol=protocol, section="decisions", index=0, accept=True, by=rita
    )
    with pytest.raises(review.ReviewError, match="3"):
        review.protocol_approve(protocol=protocol, by=rita)


def test_return_needs_a_comment_and_goes_back_to_the_owner(client, alice, rita, protocol) -> None:
    review.protocol_submit(protocol=protocol, by=alice)
    with pytest.raises(review.ReviewError):
        review.protocol_return(protocol=protocol, by=rita, comment="  ")
    review.protocol_return(protocol=protocol, by=rita, comment="Bitte Termine ergänzen")
    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.RETURNED
    client.force_login(alice)
    assert (
        "Bitte Termine ergänzen"
        in client.get(f"/assistenten/protokolle/{protocol.pk}/").content.decode()
    )
    review.protocol_submit(protocol=protocol, by=alice)


def test_bad_edits_are_refused_with_a_message(client, alice, protocol) -> None:
    client.force_login(alice)
    url = f"/assistenten/protokolle/{protocol.pk}/punkte/action_items/0/bearbeiten/"
    page = client.post(url, {"task": "x", "owner": "", "due_date": "31.02.2026"}).content.decode()
    assert "TT.MM.JJJJ" in page or "DD.MM.YYYY" in page
    page = client.post(url, {"task": "   ", "owner": "", "due_date": ""}).content.decode()
    assert "leer" in page or "empty" in page
    protocol.refresh_from_db()
    assert protocol.data["action_items"][0]["task"] == "Schulung für Müller planen"
    assert (
        client.get(
            f"/assistenten/protokolle/{protocol.pk}/punkte/decisions/9/bearbeiten/"
        ).status_code
        == 404
    )


def test_other_employees_cannot_review(client, charlie, bob, protocol) -> None:
    for person in (charlie, bob):
        client.force_login(person)
        assert (
            _post(
                client, f"/assistenten/protokolle/{protocol.pk}/punkte/decisions/0/accept/"
            ).status_code
            == 404
        )


def test_owner_suggestion(alice, bob) -> None:
    from assistants.services.action_items import suggest_owner

    assert suggest_owner("Bob Wagner", []) == bob  # full name: anyone in the directory
    assert (
        suggest_owner("bob", ["Bob Wagner", "Alice Schneider"]) == bob
    )  # first name among participants
    assert suggest_owner("Bob", []) is None  # a first name alone is not enough without participants
    assert suggest_owner("Wagner", ["Bob Wagner", "Hans Wagner"]) is None  # ambiguous
    assert suggest_owner("", ["Bob Wagner"]) is None


def test_owners_are_picked_from_the_directory_never_matched_by_name(
    client, alice, bob, rita, protocol
) -> None:
    """A name alone (even Bob's full name) assigns nobody; the edit form suggests, a person
    picks; a look-alike namesake or an inactive account cannot be picked."""
    from tests.factories import UserFactory

    gone = UserFactory(email="alt@firma.test", name="Alt Konto", is_active=False)
    protocol.data["action_items"][1]["owner"] = "Bob Wagner"
    protocol.save(update_fields=["data"])
    base = f"/assistenten/protokolle/{protocol.pk}"
    client.force_login(alice)
    form = client.get(f"{base}/punkte/action_items/0/bearbeiten/").content.decode()
    assert f'<option value="{bob.pk}" selected>' in form  # "Bob" among the participants
    assert "Prüfen Sie, ob es die richtige Person ist" in form
    assert f'value="{gone.pk}"' not in form
    twin = UserFactory(email="bob.w@firma.test", name="Bob Wagner")  # a namesake joins
    for index in (0, 1):  # now no name is unambiguous: nothing is suggested
        form = client.get(f"{base}/punkte/action_items/{index}/bearbeiten/").content.decode()
        options = form.split('name="person"')[1].split("</select>")[0]
        assert '<option value="" selected>' in options, index
    item = {"task": "Räume prüfen", "owner": "Bob Wagner", "due_date": ""}
    response = client.post(f"{base}/punkte/action_items/1/bearbeiten/", {**item, "person": gone.pk})
    assert response.status_code == 200 and "person" in response.context["form"].errors
    assert "owner_id" not in Protocol.objects.get(pk=protocol.pk).data["action_items"][1]
    client.post(f"{base}/punkte/action_items/1/bearbeiten/", {**item, "person": twin.pk})
    _post(client, f"{base}/submit/")
    client.force_login(rita)
    for index in (0, 1):
        _post(client, f"{base}/punkte/action_items/{index}/accept/")
    for index in (0, 1):
        _post(client, f"{base}/punkte/decisions/{index}/accept/")
    assert _post(client, f"{base}/approve/").status_code == 302
    items = list(ActionItem.objects.filter(protocol=protocol).order_by("pk"))
    # item 0 was never picked: nobody, although "Bob" is a participant; item 1: the pick
    assert [(i.owner_name, i.owner) for i in items] == [("Bob", None), ("Bob Wagner", twin)]
    page = client.get(f"{base}/").content.decode()
    assert "zugeordnet an Bob Wagner" in page


def test_overdue_items_are_reminded_once_a_day(bob, protocol) -> None:
    item = ActionItem.objects.create(
        protocol=protocol,
        version=1,
        task="Schulung für Müller planen",
        owner=bob,
        due_date=date(2026, 12, 1),
    )
    with time_machine.travel(date(2026, 11, 30)):
        assert action_items_remind() == 0
    with time_machine.travel(date(2026, 12, 2)):
        mail.outbox.clear()
        assert action_items_remind() == 1
        assert action_items_remind() == 0  # not twice the same day
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [bob.email]
    assert "Schulung für Müller" in mail.outbox[0].subject + mail.outbox[0].body
    with time_machine.travel(date(2026, 12, 3)):
        assert action_items_remind() == 1
    item.status = ActionItem.Status.DONE
    item.save()
    with time_machine.travel(date(2026, 12, 4)):
        assert action_items_remind() == 0


def test_owner_marks_an_item_done(client, bob, charlie, protocol) -> None:
    item = ActionItem.objects.create(protocol=protocol, version=1, task="Aufgabe", owner=bob)
    client.force_login(charlie)
    assert client.post(f"/assistenten/aufgaben/{item.pk}/erledigt/").status_code == 404
    client.force_login(bob)
    assert client.post(f"/assistenten/aufgaben/{item.pk}/erledigt/").status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE


def _approve(alice, rita, protocol) -> None:
    review.protocol_submit(protocol=protocol, by=alice)
    for section in ("decisions", "action_items"):
        for index in range(2):
            review.protocol_item_decide(
                protocol=protocol,
                section=section,
                index=index,
                accept=not (section == "decisions" and index == 1),
                by=rita,
            )
    review.protocol_approve(protocol=protocol, by=rita)


def test_approved_protocol_downloads_with_umlauts(client, alice, rita, charlie, protocol) -> None:
    import io

    import docx
    import pypdf

    _approve(alice, rita, protocol)
    client.force_login(alice)
    base = f"/assistenten/protokolle/{protocol.pk}/export"
    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="jour-fixe-vertrieb-strasse-groesse' in pdf["Content-Disposition"]
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Schulung für Müller" in " ".join(text.split())
    assert "Budget verdoppeln" not in text  # the rejected decision is not exported
    document = docx.Document(io.BytesIO(client.get(f"{base}.docx").content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Größe der Räume prüfen" in cells
    markdown = client.get(f"{base}.md").content.decode()
    assert "Pilot startet im Dezember" in markdown and "Budget verdoppeln" not in markdown
    client.force_login(charlie)
    assert client.get(f"{base}.pdf").status_code == 404
    assert client.get(f"{base}.exe").status_code in (404,)


def test_steps_need_post_and_access(client, alice, charlie, protocol) -> None:
    url = f"/assistenten/protokolle/{protocol.pk}/submit/"
    client.force_login(alice)
    assert client.get(url).status_code == 405
    client.force_login(charlie)
    assert client.post(url).status_code == 404
    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.DRAFT


def test_approving_demo_model_output_says_so_and_its_mail_is_marked(
    client, alice, bob, rita, protocol
):
    protocol.data["action_items"][0]["owner_id"] = bob.pk  # as picked in review
    protocol.model_name = "demo-random-weights.gguf"
    protocol.save(update_fields=["data", "model_name"])
    base = f"/assistenten/protokolle/{protocol.pk}"
    client.force_login(alice)
    page = client.get(f"{base}/").content.decode()
    assert "Vom Demo-Modell geschrieben: Der Inhalt ist bedeutungslos." in page
    _post(client, f"{base}/submit/")
    client.force_login(rita)
    for section, count in (("decisions", 2), ("action_items", 2)):
        for index in range(count):
            _post(client, f"{base}/punkte/{section}/{index}/accept/")
    approved = client.post(f"{base}/approve/", follow=True).content.decode()
    assert "Protokoll freigegeben. Es stammt vom Demo-Modell mit Zufallsgewichten" in approved
    entry = AuditEntry.objects.get(action="protocol.approve", target_id=str(protocol.pk))
    assert entry.details["demo_model"] is True
    item = ActionItem.objects.get(protocol=protocol, owner=bob)
    action_item_notify(item.pk)
    assert mail.outbox[-1].subject.startswith("[MUSTER] ")
    assert "MUSTER: Das Demo-Modell mit Zufallsgewichten" in mail.outbox[-1].body
    markdown = client.get(f"{base}/export.md").content.decode()
    assert "> **MUSTER – geschrieben vom Demo-Modell" in markdown
