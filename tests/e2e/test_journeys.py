"""The journeys of issue 9, walked in German in the system Chromium against the live stack.

Each test is one person's (or two people's) way through the portal, through the real forms
and htmx fragments; `Visitor` checks every page (origin, console, axe) and `.check()` is
called again after each htmx step. The shell is used only to look up figures to compare
with, never to take a step the journey is about.
"""

from __future__ import annotations

import re
import zipfile
from urllib.parse import urlparse

from playwright.sync_api import expect

# An htmx swap keeps the document; a page load replaces it and drops this flag.
_MARK = "window.__journeyDocument = true"
_MARKED = "window.__journeyDocument === true"


def _submit(person, button, url: str | re.Pattern) -> None:
    """Click a button or link that loads a page at `url` (also the same one), and check it."""
    with person.page.expect_navigation(url=url, wait_until="networkidle"):
        button.click()
    person.check()


def _messages(person):
    return person.page.locator("ul.messages")


# --- 1. an employee: FAQ search, a question, an office-hour booking ----------------------------

QUESTION = "Darf ich Gesprächsnotizen mit Kundennamen in den Protokollgenerator kopieren?"
TOPIC = "Zusammenfassungen langer Lieferantenmails prüfen: worauf muss ich achten?"


def test_employee_searches_the_faq_asks_and_books_an_office_hour(visitor) -> None:
    """Alice finds an answer as she types, asks anonymously, and books a free slot."""
    alice = visitor()
    alice.login("alice")
    page = alice.page

    alice.goto("/faq/")
    page.evaluate(_MARK)
    page.get_by_label("FAQ durchsuchen").fill("Kundendaten")
    results = page.locator("#faq-results")
    expect(results).to_contain_text("für „Kundendaten“ gefunden")
    expect(
        results.get_by_role("link", name="Darf ich Kundendaten in den Assistenten eingeben?")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/faq/\?q=Kundendaten$"))  # hx-push-url
    assert page.evaluate(_MARKED), "the results came with a page load, not over htmx"
    alice.check("FAQ: results over htmx")

    _submit(alice, page.get_by_role("link", name="Eine Frage stellen"), "**/faq/fragen/neu/")
    expect(page.locator("main")).to_contain_text("Höchstens 3000 Zeichen.")
    page.get_by_label("Ihre Frage").fill(QUESTION)
    page.get_by_label("Thema (optional)").select_option(label="Datenschutz und lokales Modell")
    page.get_by_label("Anonym fragen").check()
    # The answer to the POST shows the private link once; no redirect carries its key.
    _submit(alice, page.get_by_role("button", name="Frage senden"), "**/faq/fragen/neu/")
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text("Ihre Frage")
    expect(main).to_contain_text("Ihre anonyme Frage wurde gesendet")
    link = main.locator("code").inner_text()
    base = re.escape(alice.stack.base_url)
    assert re.fullmatch(rf"{base}/faq/fragen/beleg/#[A-Za-z0-9_-]{{32}}", link), link
    expect(main).to_contain_text(QUESTION)
    expect(main).to_contain_text("Datenschutz und lokales Modell")
    expect(main).to_contain_text("Noch nicht beantwortet.")
    # Opened later: the key is the fragment, which the browser never sends; the page reads
    # it and posts it (static/js/receipt.js), and the address keeps it for a bookmark.
    page.goto(link)
    expect(main).to_contain_text(QUESTION)
    expect(main).to_contain_text("Noch nicht beantwortet.")
    expect(main).not_to_contain_text("Ihre anonyme Frage wurde gesendet")
    assert page.url == link
    alice.check("anonymous question: opened by its link's fragment")

    alice.goto("/sprechstunden/")
    # The latest slot shown (about two weeks ahead): it cannot begin while the test runs.
    free_slot = page.locator("main a[href^='/sprechstunden/termine/'][href$='/buchen/']").last
    book_path = free_slot.get_attribute("href")
    _submit(alice, free_slot, f"**{book_path}")
    office_hour = page.locator("main dd a").first.inner_text()
    page.get_by_label("Ihr Thema").fill(TOPIC)
    _submit(alice, page.get_by_role("button", name="Buchen", exact=True), "**/sprechstunden/meine/")
    expect(_messages(alice)).to_contain_text("Ihr Zeitfenster ist gebucht.")
    booking = page.locator("main table tbody tr", has_text=TOPIC)
    expect(booking).to_have_count(1)
    expect(booking).to_contain_text(office_hour)
    expect(booking.get_by_role("link", name="Umbuchen")).to_be_visible()

    # The slot is hers now: its page says it is booked, and no list offers it any more.
    alice.goto(book_path)
    expect(page.locator("main")).to_contain_text("Dieses Zeitfenster ist bereits gebucht.")
    expect(page.get_by_role("button", name="Buchen", exact=True)).to_have_count(0)
    alice.goto("/sprechstunden/")
    expect(page.locator(f"main a[href='{book_path}']")).to_have_count(0)


# --- 2 + 3. a multiplier logs a use case, a reviewer validates it -----------------------------

USE_CASE = "Kundenreklamationen automatisch zusammenfassen"


def test_multiplier_logs_a_use_case_and_a_reviewer_validates_it(visitor) -> None:
    """Bob is shown a similar demo use case while typing, logs his anyway and submits it;
    Rita takes it through pilot and checklist to "validated"."""
    bob = visitor()
    bob.login("bob")
    page = bob.page

    bob.goto("/anwendungsfaelle/")
    _submit(bob, page.get_by_role("link", name="Use Case erfassen"), "**/anwendungsfaelle/neu/")
    page.evaluate(_MARK)
    page.get_by_label("Titel").fill(USE_CASE)
    page.get_by_label("Problem").fill(
        "Lange Reklamationsmails von Kunden zu lesen kostet viel Zeit, bevor klar ist, "
        "worum es geht."
    )
    similar = page.locator("#similar-use-cases")
    expect(similar.get_by_role("heading", name="Ähnliche Use Cases")).to_be_visible()
    expect(similar.get_by_role("link", name="Reklamationen zusammenfassen")).to_be_visible()
    assert page.evaluate(_MARKED), "the suggestions came with a page load, not over htmx"
    bob.check("use case: similar ones suggested")

    page.get_by_label("Wie KI hilft").fill(
        "Das lokale Modell fasst jede Reklamation in drei Sätzen zusammen; das Team prüft "
        "die Zusammenfassung, bevor es antwortet."
    )
    page.get_by_label("Team / Abteilung").select_option(label="Kundenservice")
    page.get_by_label("Geschätzte eingesparte Stunden pro Woche").fill("2,5")
    for question in page.locator("fieldset.field").all():
        question.get_by_label("Nein").check()
    detail = re.compile(r"/anwendungsfaelle/(\d+)/$")
    _submit(bob, page.get_by_role("button", name="Speichern"), detail)
    use_case_path = urlparse(page.url).path
    expect(_messages(bob)).to_contain_text("Ihr Use Case wurde als Idee erfasst.")
    expect(page.locator("h1")).to_have_text(USE_CASE)
    expect(page.locator("main .lead .badge").first).to_have_text("Idee")

    bob.goto("/anwendungsfaelle/")
    expect(page.get_by_role("link", name=USE_CASE)).to_be_visible()
    bob.goto(use_case_path)
    _step(bob, "Zur Prüfung einreichen", "in Prüfung")

    rita = visitor()
    rita.login("rita", two_factor=True)
    page = rita.page
    rita.goto("/anwendungsfaelle/pipeline/")
    _submit(rita, page.get_by_role("link", name=USE_CASE).first, f"**{use_case_path}")
    _step(rita, "Pilot starten", "Pilot")
    _submit(rita, page.get_by_role("link", name="Prüfliste"), f"**{use_case_path}pruefung/")
    checks = page.locator("main fieldset input[type=checkbox]")
    expect(checks).to_have_count(4)
    for box in checks.all():
        box.check()
    page.get_by_label("Anmerkungen").fill("Pilot im Kundenservice: Zusammenfassungen stimmten.")
    _submit(rita, page.get_by_role("button", name="Prüfliste erfassen"), f"**{use_case_path}")
    expect(_messages(rita)).to_contain_text("Prüfliste erfasst: Alle vier Prüfpunkte sind erfüllt.")
    expect(page.locator("main")).to_contain_text("Bereit zur Validierung")
    _step(rita, "Als validiert markieren", "validiert")
    expect(page.locator("main")).to_contain_text("Rita Hoffmann")  # her checklist is listed

    bob.goto(use_case_path)  # the owner sees the outcome too
    expect(bob.page.locator("main .lead .badge").first).to_have_text("validiert")


def _step(person, label: str, status: str) -> None:
    """Take a pipeline step from the use case's page: its form, a comment, the new status."""
    page = person.page
    back = page.url
    _submit(person, page.locator("main .actions").get_by_role("link", name=label), "**/status/*/")
    page.get_by_label("Kommentar").fill(f"{label}: im Browser-Durchlauf.")
    _submit(person, page.get_by_role("button", name=label), back)
    expect(_messages(person)).to_contain_text(f"Der Use Case hat jetzt den Status „{status}“.")
    expect(page.locator("main .lead .badge").first).to_have_text(status)


# --- 4. an admin checks the programme cockpit --------------------------------------------------

MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"


def test_admin_checks_the_programme_cockpit(visitor) -> None:
    """Ada sees the five phases and the KPIs against target, in German words and numbers;
    the validated-use-case figure is the library's real count."""
    ada = visitor()
    ada.login("ada", two_factor=True)
    page = ada.page
    ada.goto("/programm/cockpit/")
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text("Programm-Cockpit")
    expect(main).to_contain_text(re.compile(rf"Stand: \d{{1,2}}\. ({MONTHS}) \d{{4}}, \d\d:\d\d"))

    phases = page.locator("section[aria-labelledby=phases-h] tbody tr")
    expect(phases).to_have_count(5)
    for number, row in enumerate(phases.all(), start=1):
        expect(row.locator("th")).to_contain_text(re.compile(rf"^{number}\. \S"))
        expect(row.locator("td").nth(0)).to_contain_text(re.compile("abgeschlossen|läuft|geplant"))
        expect(row.locator("td").nth(1)).to_contain_text(re.compile(r"\d+ %"))
        expect(row.locator("td").nth(2)).to_contain_text(re.compile(r"\d+ von \d+"))
    expect(phases.first).to_contain_text("Kickoff")

    kpis = page.locator("table.kpi-table")
    expect(kpis.locator("th[scope=colgroup]")).to_have_count(5)  # every phase has KPIs
    statuses = kpis.locator("tbody tr .badge")
    assert statuses.count() >= 5
    for badge in statuses.all():
        expect(badge).to_have_text(
            re.compile("^(erreicht|im Plan|im Rückstand|noch nicht gemessen)$")
        )
    expect(kpis).to_contain_text(re.compile(r"\d+,\d"))  # German decimal comma

    counted = ada.stack.shell(
        "from rollout.models import UseCase; from rollout.usecases.services import COUNTED;"
        "print(UseCase.objects.filter(status__in=COUNTED).count())"
    ).strip()
    validated = kpis.locator("tbody tr", has_text="Validierte Use Cases")
    expect(validated.locator("td").nth(1)).to_contain_text(f"{counted} Use Cases validiert")


# --- 5. a protocol: generated, watched, edited, approved, downloaded ---------------------------

PROTOCOL = "Abstimmung Pilot Protokollgenerator Vertrieb"
LINES = (
    "Alice: Guten Morgen zusammen, heute geht es um den Pilot des Protokollgenerators.",
    "Bob: Wir haben beschlossen, den Pilot im Vertrieb bis Ende Dezember zu verlängern.",
    "Alice: Bob erstellt bis zum 15.12.2026 eine Schulungsunterlage für das Team.",
    "Rita: Ich prüfe die Datenschutzfragen bis zum nächsten Termin.",
    "Bob: Offen ist noch, ob der Kundenservice im Januar mitmacht.",
)
# Long enough for a few parts: each part is one generation with its own chance of items.
TRANSCRIPT = "\n".join(f"{LINES[i % len(LINES)]} (Punkt {i + 1})" for i in range(120))
ATTEMPTS = 4
EDITED = "Der Pilot im Vertrieb wird bis Ende Dezember verlängert."
_RECORD_STATES = """(() => {
  const states = window.__jobStates = [];
  const note = () => {
    const status = document.getElementById('job-status');
    const text = status ? status.innerText.trim() : '';
    if (text && text !== states[states.length - 1]) states.push(text);
  };
  note();
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true,
                                                     characterData: true});
})()"""


def test_staff_member_generates_a_protocol_gets_it_approved_and_downloads_it(visitor) -> None:
    """Alice pastes a transcript and watches the job page fill in; she corrects an item and
    submits; Rita accepts every item and approves; Alice downloads the Word file."""
    alice = visitor()
    alice.login("alice")
    page = alice.page
    # The demo model writes random text under the JSON grammar: a draft may hold no decision
    # or action item at all. A person would generate again; so does the journey, a few times.
    for _attempt in range(ATTEMPTS):
        _generate(alice)
        if page.locator("main a[href*='/punkte/'][href$='/bearbeiten/']").count():
            break
    else:
        raise AssertionError(f"{ATTEMPTS} drafts without any decision or action item")
    protocol_path = urlparse(page.url).path
    expect(page.locator("h1")).to_have_text(PROTOCOL)
    expect(page.locator(".review-bar h2")).to_contain_text("Entwurf")

    edit = page.locator("main a[href*='/punkte/'][href$='/bearbeiten/']").first
    _submit(alice, edit, "**/bearbeiten/")
    field = page.locator("main form textarea").first
    field.fill(EDITED)
    _submit(alice, page.get_by_role("button", name="Speichern"), f"**{protocol_path}")
    expect(_messages(alice)).to_contain_text("Punkt gespeichert.")
    edited = page.locator("main .protocol").get_by_text(EDITED)
    expect(edited).to_be_visible()
    expect(page.locator("main .protocol .badge", has_text="bearbeitet")).to_have_count(1)
    _submit(alice, page.get_by_role("button", name="Zur Prüfung einreichen"), f"**{protocol_path}")
    expect(_messages(alice)).to_contain_text("Zur Prüfung eingereicht.")
    expect(page.locator(".review-bar h2")).to_contain_text("in Prüfung")

    rita = visitor()
    rita.login("rita", two_factor=True)
    rita.goto(protocol_path)
    approve = rita.page.get_by_role("button", name="Protokoll freigeben")
    expect(approve).to_be_disabled()  # items still open
    accept = rita.page.locator("main .protocol").get_by_role("button", name="Annehmen")
    while accept.count():  # each decision is a form post and a reload of the page
        with rita.page.expect_navigation(url=f"**{protocol_path}"):
            accept.first.click()
    rita.check("protocol: every item accepted")
    expect(rita.page.locator("main .protocol .badge", has_text="zu prüfen")).to_have_count(0)
    _submit(rita, approve, f"**{protocol_path}")
    expect(_messages(rita)).to_contain_text("Protokoll freigegeben.")
    expect(rita.page.locator(".review-bar")).to_contain_text("Freigegeben von Rita Hoffmann")

    alice.goto(protocol_path)
    expect(page.locator(".review-bar")).to_contain_text("Freigegebene Version herunterladen")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word (DOCX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(download.path()) as docx:  # a DOCX is a zip of XML parts
        document = docx.read("word/document.xml").decode()
    assert PROTOCOL in document
    assert EDITED in document  # the approved version carries the correction


def _generate(alice) -> None:
    """Paste the transcript, then watch the job page until the protocol is ready.

    The job page polls its status fragment; it must change while the job runs (progress,
    part, text so far) and turn into the link to the protocol without a page load.
    """
    page = alice.page
    alice.goto("/assistenten/protokoll/neu/")
    page.get_by_label("Titel der Besprechung").fill(PROTOCOL)
    page.get_by_label("Notizen oder Transkript").fill(TRANSCRIPT)
    button = page.get_by_role("button", name="Protokoll erstellen")
    _submit(alice, button, re.compile(r"/assistenten/auftraege/\d+/$"))
    # Record every state the status fragment shows; htmx replaces it on each poll.
    page.evaluate(_MARK + "; " + _RECORD_STATES)
    # A finished job's fragment comes without the polling trigger: done, failed or cancelled.
    page.locator("#job-status:not([hx-trigger])").wait_for(timeout=300_000)
    seen = page.evaluate("window.__jobStates")
    assert seen[-1].startswith("Status: fertig"), f"the job did not finish: {seen[-3:]}"
    running = [state for state in seen if state.startswith("Status: wird erstellt")]
    assert len(running) >= 2, f"the job page did not follow the generation: {seen}"
    assert page.evaluate(_MARKED), "the job page was reloaded instead of polled"
    alice.check("job page: protocol ready")
    _submit(alice, page.get_by_role("link", name="Protokoll öffnen"), "**/protokolle/*/")


# --- 6. the status report: drafted, corrected, approved, read by the works council ------------

REPORT_FIX = "Phase 3 läuft; die Teams reichen weiter Use Cases ein."


def test_admin_drafts_corrects_and_approves_the_status_report(visitor) -> None:
    """Ada drafts the report from the portal's figures and watches the job; she corrects a
    topic (a bad line first), approves the report; Walter of the works council, who could not
    see the draft, reads and downloads the approved report."""
    ada = visitor()
    ada.login("ada", two_factor=True)
    page = ada.page
    # The demo model writes random text: a draft can fail validation twice. A person would
    # draft again; so does the journey, a few times.
    for _attempt in range(ATTEMPTS):
        ada.goto("/assistenten/bericht/")
        expect(page.locator("main .report-facts")).to_contain_text("Use Cases in den Teams")
        _submit(ada, page.get_by_role("button", name="Bericht entwerfen"), "**/auftraege/*/")
        page.locator("#job-status:not([hx-trigger])").wait_for(timeout=300_000)
        if "fertig" in page.locator("#job-status h2").inner_text():
            break
    else:
        raise AssertionError(f"{ATTEMPTS} report drafts failed: {ada.text('#job-status')}")
    _submit(ada, page.get_by_role("link", name="Bericht öffnen"), "**/berichte/*/")
    report_path = urlparse(page.url).path
    expect(page.locator("main")).to_contain_text("Entwurf des KI-Modells")
    expect(page.locator("main .report-facts")).to_contain_text("Use Cases in den Teams")
    expect(page.get_by_role("table", name="Kennzahlen")).to_contain_text("Zielwert")

    walter = visitor()
    walter.login("walter")
    draft = walter.page.request.get(walter.stack.base_url + report_path)
    assert draft.status == 404  # a draft is the programme office's

    _submit(ada, page.get_by_role("link", name="Text korrigieren"), "**/bearbeiten/")
    page.get_by_label("Thema 1: Überschrift").fill("Stand der Phasen")
    page.get_by_label("Thema 1: Text").fill(REPORT_FIX)
    page.get_by_label("Nächste Schritte").fill("x" * 401)
    _submit(ada, page.get_by_role("button", name="Speichern"), "**/bearbeiten/")
    expect(page.locator("main .errorlist")).to_contain_text("höchstens 400 Zeichen")
    expect(page.get_by_label("Thema 1: Text")).to_have_value(REPORT_FIX)  # nothing lost
    page.get_by_label("Nächste Schritte").fill("Prüfrunde im Januar")
    _submit(ada, page.get_by_role("button", name="Speichern"), f"**{report_path}")
    expect(_messages(ada)).to_contain_text("Ihre Änderungen am Bericht sind gespeichert.")
    expect(page.locator("main article")).to_contain_text(REPORT_FIX)
    _submit(ada, page.get_by_role("button", name="Bericht freigeben"), f"**{report_path}")
    expect(page.locator(".review-bar")).to_contain_text("Freigegeben von Ada Neumann")

    walter.goto("/assistenten/berichte/")
    _submit(walter, walter.page.locator("main table a").first, f"**{report_path}")
    with walter.page.expect_download() as download_info:
        walter.page.get_by_role("link", name="Word (DOCX)").click()
    with zipfile.ZipFile(download_info.value.path()) as docx:
        document = docx.read("word/document.xml").decode()
    assert REPORT_FIX in document and "Datengrundlage (aus dem Portal)" in document
