"""Office-hour pages: publishing with validation, the free-slot list, booking, privacy, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from rollout.models import Booking, FaqEntry, OfficeHour, OfficeHourSlot
from rollout.officehours.services import officehour_generate

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # a Thursday, 10:00 in Berlin


@pytest.fixture(autouse=True)
def _frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def english(cast):
    for person in cast.values():
        person.preferred_language = "en"
        person.save()
    return cast


def _office_hour(host, topic: str = "KI-Sprechstunde: Prompting", **fields) -> OfficeHour:
    defaults = {
        "first_date": date(2026, 10, 8),
        "start_time": time(14),
        "end_time": time(15),
        "slot_minutes": 20,
        "location": "Raum 2.14",
    }
    defaults.update(fields)
    office_hour = OfficeHour.objects.create(host=host, topic=topic, **defaults)
    officehour_generate(office_hour)
    return office_hour


def _form(**overrides) -> dict:
    data = {
        "topic": "KI-Sprechstunde: Prompting",
        "description": "Bringt eure Fragen mit.",
        "location": "Raum 2.14",
        "online_url": "",
        "first_date": "2026-10-08",
        "start_time": "14:00",
        "end_time": "16:00",
        "slot_minutes": "20",
        "weekly": "on",
        "interval_weeks": "1",
        "until": "",
    }
    data.update(overrides)
    return data


def test_employees_cannot_publish(client, alice, walter) -> None:
    for person in (alice, walter):
        client.force_login(person)
        assert client.get("/sprechstunden/neu/").status_code == 403
        assert client.post("/sprechstunden/neu/", _form()).status_code == 403
    assert not OfficeHour.objects.exists()


def test_publish_weekly_office_hour(client, english) -> None:
    client.force_login(english["rita"])
    response = client.post("/sprechstunden/neu/", _form(topic="  Datenschutz-\nSprechstunde "))
    office_hour = OfficeHour.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sprechstunden/{office_hour.pk}/"
    assert (office_hour.host, office_hour.topic) == (english["rita"], "Datenschutz- Sprechstunde")
    assert office_hour.slots.count() == 12 * 6  # Thursdays 10-08 … 12-24 (90 days ahead)
    page = client.get(response["Location"]).content.decode()
    assert "72 new slots were created." in page
    assert "every Thursday, 2 p.m. until 4 p.m., slots of 20 minutes" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "13:00"}, "The end must be after the start."),
        ({"slot_minutes": "3"}, "A slot lasts 5 to 240 minutes."),
        ({"slot_minutes": "241"}, "A slot lasts 5 to 240 minutes."),
        ({"slot_minutes": "zwanzig"}, "Enter a whole number."),
        ({"end_time": "14:10"}, "Not even one slot of 20 minutes fits between"),
        (
            {"start_time": "00:00", "end_time": "23:55", "slot_minutes": "5"},
            "At most 48 slots a day",
        ),
        ({"first_date": "2026-09-30"}, "The date cannot be in the past."),
        ({"first_date": "30.02.2026"}, "Enter a valid date."),
        ({"start_time": "25:00"}, "Enter a valid time."),
        ({"location": "", "online_url": ""}, "Give a room or an online link (or both)."),
        ({"online_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"until": "2026-10-01"}, "The last date must be after the first date."),
        ({"interval_weeks": "9"}, "Choose every 1 to 8 weeks."),
        ({"topic": ""}, "This field is required."),
        ({"topic": "x" * 201}, "at most 200 characters"),
        (
            {"first_date": "2026-10-01", "weekly": "", "start_time": "08:00", "end_time": "10:00"},
            "All slots of this day are over",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(
    client, english, overrides, message
) -> None:
    client.force_login(english["bob"])
    response = client.post("/sprechstunden/neu/", _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfficeHour.objects.exists() and not OfficeHourSlot.objects.exists()


def test_one_off_later_today_is_fine(client, bob) -> None:
    client.force_login(bob)
    data = _form(first_date="2026-10-01", weekly="", start_time="09:00", end_time="11:00")
    assert client.post("/sprechstunden/neu/", data).status_code == 302
    starts = OfficeHour.objects.get().slots.values_list("starts_at", flat=True)
    # 10:00 in Berlin now: the 10:00 slot has begun, 10:20 and 10:40 are created.
    first = datetime(2026, 10, 1, 8, 20, tzinfo=UTC)
    assert sorted(starts) == [first, first + timedelta(minutes=20)]


def test_free_slots_by_day_with_filters(
    client, alice, bob, rita, charlie, django_assert_max_num_queries
) -> None:
    prompting = _office_hour(bob)
    privacy = _office_hour(rita, "Datenschutz-Sprechstunde", first_date=date(2026, 10, 6))
    booked = prompting.slots.order_by("starts_at").first()
    Booking.objects.create(slot=booked, user=charlie, topic="Geheimes Thema")
    cancelled = privacy.slots.order_by("starts_at").last()
    OfficeHourSlot.objects.filter(pk=cancelled.pk).update(cancelled=True)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        page = client.get("/sprechstunden/").content.decode()
    assert page.index("Datenschutz-Sprechstunde") < page.index("KI-Sprechstunde: Prompting")
    assert f"/sprechstunden/termine/{booked.pk}/buchen/" not in page
    assert f"/sprechstunden/termine/{cancelled.pk}/buchen/" not in page
    assert "Geheimes Thema" not in page
    free = prompting.slots.order_by("starts_at")[1]
    assert f"/sprechstunden/termine/{free.pk}/buchen/" in page
    only_rita = client.get(f"/sprechstunden/?host={rita.pk}").content.decode()
    assert "/sprechstunden/termine/" in only_rita and f"termine/{free.pk}/" not in only_rita
    found = client.get("/sprechstunden/?q=prompt").content.decode()
    assert f"termine/{free.pk}/" in found
    assert f"termine/{privacy.slots.first().pk}/" not in found
    for junk in ("?host=abc", "?host=²", "?ab=gestern", "?ab=1999-01-01", "?q=" + "x" * 500):
        assert client.get("/sprechstunden/" + junk).status_code == 200
    later = client.get("/sprechstunden/?ab=2026-10-20").content.decode()
    assert f"termine/{free.pk}/" not in later  # the window starts on 10-20


def test_book_with_a_topic_then_cancel(client, english) -> None:
    alice, bob = english["alice"], english["bob"]
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    client.force_login(alice)
    url = f"/sprechstunden/termine/{slot.pk}/buchen/"
    assert "Your topic" in client.get(url).content.decode()
    empty = client.post(url, {"topic": "   "})
    assert "Please say in a few words what you want to talk about." in empty.content.decode()
    long = client.post(url, {"topic": "x" * 301})
    assert "The topic can have at most 300 characters." in long.content.decode()
    assert not Booking.objects.exists()
    response = client.post(url, {"topic": "Prompts für Angebote"})
    assert response.status_code == 302 and response["Location"] == "/sprechstunden/meine/"
    booking = Booking.objects.get()
    page = client.get("/sprechstunden/meine/").content.decode()
    assert "Prompts für Angebote" in page and "Your slot is booked." in page
    client.force_login(english["charlie"])
    taken = client.post(url, {"topic": "Ich auch"})
    assert taken.status_code == 200
    assert "This slot was just taken. Please choose another one." in taken.content.decode()
    assert "Prompts für Angebote" not in client.get("/sprechstunden/meine/").content.decode()
    assert "This slot is already booked." in client.get(url).content.decode()
    # cancelling: not charlie's (404), GET not allowed, alice's own works
    cancel = f"/sprechstunden/buchungen/{booking.pk}/stornieren/"
    assert client.post(cancel).status_code == 404
    client.force_login(alice)
    assert client.get(cancel).status_code == 405
    assert client.post(cancel)["Location"] == "/sprechstunden/meine/"
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert "already cancelled" in client.post(cancel, follow=True).content.decode()
    assert mail.outbox == []  # mails go after the commit, through the worker


def test_booking_topics_are_for_the_host_only(client, alice, bob, rita, ada) -> None:
    office_hour = _office_hour(bob)
    slot = office_hour.slots.order_by("starts_at").first()
    booking = Booking.objects.create(slot=slot, user=alice, topic="Mein vertrauliches Anliegen")
    client.force_login(bob)
    agenda = client.get("/sprechstunden/agenda/").content.decode()
    assert "Mein vertrauliches Anliegen" in agenda and "Alice Schneider" in agenda
    for person in (ada, rita):
        client.force_login(person)
        assert (
            "Mein vertrauliches Anliegen"
            not in client.get("/sprechstunden/agenda/").content.decode()
        )
        detail = client.get(f"/sprechstunden/{office_hour.pk}/").content.decode()
        assert "Mein vertrauliches Anliegen" not in detail and "Alice Schneider" not in detail
        assert client.get(f"/sprechstunden/buchungen/{booking.pk}/faq/").status_code == 404
    client.force_login(ada)  # the admin manages: she sees that the slot is booked, not by whom
    detail = client.get(f"/sprechstunden/{office_hour.pk}/").content.decode()
    assert f"/sprechstunden/termine/{slot.pk}/absagen/" in detail


def test_cancelling_slots_and_office_hours_needs_the_host_or_an_admin(
    client, alice, bob, rita, ada, charlie
) -> None:
    office_hour = _office_hour(bob)
    first, second, _third = office_hour.slots.order_by("starts_at")
    booking = Booking.objects.create(slot=first, user=alice, topic="Frage")
    for person in (alice, rita, charlie):
        client.force_login(person)
        assert client.post(f"/sprechstunden/termine/{first.pk}/absagen/").status_code == 403
        assert client.post(f"/sprechstunden/{office_hour.pk}/absagen/").status_code == 403
        assert (
            client.post(f"/sprechstunden/{office_hour.pk}/bearbeiten/", _form()).status_code == 403
        )
    assert client.post("/sprechstunden/termine/999999/absagen/").status_code == 404
    rita_cancels = client.post(f"/sprechstunden/buchungen/{booking.pk}/stornieren/")
    assert rita_cancels.status_code == 404
    client.logout()
    response = client.post(f"/sprechstunden/termine/{first.pk}/absagen/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(bob)
    response = client.post(f"/sprechstunden/termine/{first.pk}/absagen/", {"back": "agenda"})
    assert response["Location"] == "/sprechstunden/agenda/"
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    client.force_login(ada)
    assert client.post(f"/sprechstunden/{office_hour.pk}/absagen/").status_code == 302
    office_hour.refresh_from_db()
    second.refresh_from_db()
    assert not office_hour.active and second.cancelled
    assert client.get(f"/sprechstunden/{office_hour.pk}/bearbeiten/").status_code == 302


def test_host_cancels_a_single_booking(client, alice, bob) -> None:
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    booking = Booking.objects.create(slot=slot, user=alice, topic="Frage")
    client.force_login(bob)
    response = client.post(f"/sprechstunden/buchungen/{booking.pk}/stornieren/")
    assert response["Location"] == "/sprechstunden/agenda/"
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.cancelled_at is not None and not slot.cancelled  # the slot is free again


def test_edit_by_admin(client, english) -> None:
    office_hour = _office_hour(english["bob"])
    client.force_login(english["ada"])
    url = f"/sprechstunden/{office_hour.pk}/bearbeiten/"
    assert client.get(url).status_code == 200
    bad = client.post(url, _form(slot_minutes="0"))
    assert "A slot lasts 5 to 240 minutes." in bad.content.decode()
    response = client.post(url, _form(weekly="", end_time="15:00", slot_minutes="30"))
    assert response.status_code == 302
    office_hour.refresh_from_db()
    assert office_hour.host == english["bob"]  # the host stays
    assert office_hour.slots.count() == 2


def test_rebook_through_the_page(client, english) -> None:
    alice, bob, charlie = english["alice"], english["bob"], english["charlie"]
    first, second, third = _office_hour(bob).slots.order_by("starts_at")
    booking = Booking.objects.create(slot=first, user=alice, topic="Prompts")
    Booking.objects.create(slot=third, user=charlie, topic="Meins")
    client.force_login(alice)
    url = f"/sprechstunden/buchungen/{booking.pk}/umbuchen/"
    page = client.get(url).content.decode()
    assert f'name="slot" value="{second.pk}"' in page
    assert f'name="slot" value="{third.pk}"' not in page  # taken
    taken = client.post(url, {"slot": third.pk}, follow=True).content.decode()
    assert "Your booking was not changed: This slot was just taken." in taken
    for junk in ({"slot": "abc"}, {"slot": "999999"}, {}):
        assert client.post(url, junk, follow=True).status_code == 200
    assert Booking.objects.get(user=alice, cancelled_at__isnull=True).pk == booking.pk
    response = client.post(url, {"slot": second.pk})
    assert response["Location"] == "/sprechstunden/meine/"
    assert Booking.objects.get(user=alice, cancelled_at__isnull=True).slot == second
    assert client.get(url)["Location"] == "/sprechstunden/meine/"  # the old one is cancelled


def test_question_into_the_faq(client, english) -> None:
    alice, bob = english["alice"], english["bob"]
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    booking = Booking.objects.create(slot=slot, user=alice, topic="Darf ich Kundendaten eingeben?")
    url = f"/sprechstunden/buchungen/{booking.pk}/faq/"
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(bob)
    assert "Darf ich Kundendaten eingeben?" in client.get(url).content.decode()  # prefilled
    bad = client.post(url, {"question": "Darf ich Kundendaten eingeben?", "answer": ""})
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    assert not FaqEntry.objects.exists()
    answer = "Ja, das lokale Modell läuft auf unserem Server; nichts verlässt das Haus."
    response = client.post(url, {"question": "Darf ich Kundendaten eingeben?", "answer": answer})
    entry = FaqEntry.objects.get()
    assert response["Location"] == f"/faq/{entry.pk}/"
    assert (entry.question_de, entry.answer_de, entry.published) == (
        "Darf ich Kundendaten eingeben?",
        answer,
        True,
    )


def test_home_card_shows_the_next_booking_and_the_agenda(client, alice, bob) -> None:
    from portal.registry import register_home_cards
    from rollout.officehours.hooks import officehour_cards

    register_home_cards(officehour_cards)  # the app config does this at start-up
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    Booking.objects.create(slot=slot, user=alice, topic="Prompts für Angebote")
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "KI-Sprechstunde: Prompting" in page and "/sprechstunden/meine/" in page
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert "Alice Schneider" in page and "/sprechstunden/agenda/" in page


def test_agenda_queries_do_not_grow_with_bookings(
    client, bob, django_assert_max_num_queries
) -> None:
    from tests.factories import UserFactory

    office_hour = _office_hour(bob, weekly=True, end_time=time(16))
    client.force_login(bob)
    slots = list(office_hour.slots.order_by("starts_at")[:6])  # the first Thursday, 10-08
    for slot in slots[:2]:
        Booking.objects.create(slot=slot, user=UserFactory(), topic="Frage")
    with django_assert_max_num_queries(12) as few:
        client.get("/sprechstunden/agenda/")
    for slot in slots[2:]:
        Booking.objects.create(slot=slot, user=UserFactory(), topic="Frage")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/sprechstunden/agenda/").content.decode()
    assert page.count("Frage") == 6
