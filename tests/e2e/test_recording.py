"""A meeting recorded in the browser, transcribed on the server, corrected, made a protocol.

Chromium's fake microphone plays the tests' German speech sample (its own flags, in a
browser of this test's own); the live stack's stt worker runs the tiny generated Whisper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.assistants.audio import speech_samples, write_wav
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Visitor


@pytest.fixture
def recorder(live_stack, chromium, tmp_path) -> Iterator[Visitor]:
    """A person whose microphone says the speech sample (as 48 kHz 16-bit WAV, looped)."""
    samples = speech_samples()
    wav = write_wav(tmp_path / "mikrofon.wav", samples)
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        ],
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="de-DE", permissions=["microphone"]
    )
    person = Visitor(stack=live_stack, context=context)
    yield person
    problems = person.problems
    context.close()
    browser.close()
    assert not problems, "\n".join(problems)


def test_record_transcribe_correct_and_make_the_protocol(recorder) -> None:
    alice = recorder
    alice.login("alice")
    page = alice.page
    alice.goto("/assistenten/")
    page.get_by_role("link", name="Aufnahme transkribieren").click()
    page.wait_for_load_state("networkidle")
    alice.check("transcription form")
    expect(page.locator("#recorder")).to_be_visible()
    expect(page.get_by_role("button", name="Aufnahme beenden")).to_be_hidden()

    # No recording before everyone agreed.
    page.get_by_role("button", name="Aufnahme starten").click()
    expect(page.locator("#record-error")).to_contain_text("einverstanden")
    expect(page.locator("#record-status")).to_be_hidden()

    page.get_by_label("Titel der Besprechung").fill("Jour fixe Aufnahme")
    page.get_by_label(re.compile("wissen davon und sind einverstanden")).check()
    page.get_by_role("button", name="Aufnahme starten").click()
    indicator = page.locator("#record-status")
    expect(indicator).to_be_visible()
    expect(indicator).to_contain_text("Aufnahme")
    expect(page.locator("#record-clock")).to_have_text(re.compile(r"0:0[3-9]"), timeout=15_000)
    assert page.title().startswith("●"), page.title()
    expect(page.get_by_role("button", name="Aufnahme starten")).to_be_hidden()
    alice.check("recording in progress")
    page.get_by_role("button", name="Aufnahme beenden").click()
    expect(page.locator("#record-done")).to_be_visible()
    expect(indicator).to_be_hidden()
    expect(page.get_by_role("button", name="Aufnahme beenden")).to_be_hidden()
    expect(page.get_by_role("button", name="Aufnahme starten")).to_be_visible()
    assert not page.title().startswith("●")
    assert page.evaluate("document.querySelector('input[type=file]').files.length") == 1

    with page.expect_navigation(url=re.compile(r"/assistenten/auftraege/\d+/$")):
        page.get_by_role("button", name="Transkribieren").click()
    alice.check("transcription job")
    open_link = page.get_by_role("link", name="Transkript öffnen")
    expect(open_link).to_be_visible(timeout=120_000)
    expect(page.locator("#job-status")).to_contain_text("Aufnahme wurde gelöscht")
    open_link.click()
    page.wait_for_load_state("networkidle")
    alice.check("transcript")
    turns = page.locator("li.turn")
    expect(turns.first).to_contain_text("Sprecher nicht benannt")

    # Correct the first turn in place, then name everyone left without a name.
    turns.first.get_by_role("link", name=re.compile("Korrigieren")).click()
    turns.first.get_by_label("Sprecher/in").fill("Anna Müller")
    turns.first.get_by_label("Was gesagt wurde").fill(
        "Guten Morgen zusammen, wir besprechen das Budget."
    )
    turns.first.get_by_role("button", name="Speichern").click()
    expect(turns.first).to_contain_text("Anna Müller")
    expect(turns.first).to_contain_text("wir besprechen das Budget")
    alice.check("transcript: a turn corrected over htmx")

    page.get_by_role("link", name="Protokoll daraus erstellen").click()
    page.wait_for_load_state("networkidle")
    alice.check("protocol form from the transcript")
    text = page.get_by_label("Notizen oder Transkript").input_value()
    assert text.startswith("Anna Müller: Guten Morgen zusammen, wir besprechen das Budget.")
    expect(page.get_by_label("Titel der Besprechung")).to_have_value("Jour fixe Aufnahme")

    # On a phone the transcript does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.go_back()
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the transcript is {width} px wide at 390 px"
