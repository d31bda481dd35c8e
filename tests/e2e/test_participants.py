"""The protocol form's participant search (static/js/multiselect.js) with the keyboard.

The demo directory has 200 people. The search only fills the form's own fields: the hidden
select and the free-text field are checked after each step, and the job made from the POST
names exactly those participants.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

SELECTED = (
    "Array.from(document.querySelector('#id_participants_known').selectedOptions, o => o.text)"
)


def _selected(page) -> list[str]:
    return page.evaluate(SELECTED)


def test_people_picked_typed_and_removed_with_the_keyboard(visitor) -> None:
    alice = visitor()
    alice.login("alice")
    page = alice.page
    alice.goto("/assistenten/protokoll/neu/")
    search = page.get_by_role("combobox", name="Personen suchen")
    options = page.get_by_role("listbox", name="Passende Personen")
    status = page.locator("#participants-count")
    free = page.locator("#id_participants_other")
    expect(search).to_be_visible()
    expect(page.locator("#id_participants_known")).to_be_hidden()
    expect(free).to_be_visible()  # the free-text field stays as it is
    assert page.locator("#id_participants_known option").count() >= 200
    expect(status).to_have_text("Niemand aus dem Verzeichnis ausgewählt.")

    # Part of a name: the matches open; arrow down and Enter pick the first.
    search.press_sequentially("bob wag")
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(options.get_by_role("option").first).to_contain_text("Bob Wagner")
    alice.check("participants: matches open")
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", "participants-options-0")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/assistenten/protokoll/neu/$"))  # not submitted
    expect(search).to_have_value("")
    expect(options).to_be_hidden()
    expect(page.get_by_role("button", name="Bob Wagner entfernen")).to_be_visible()
    expect(status).to_have_text("1 Person ausgewählt")

    # By e-mail address, by department and name; "ue" finds "ü".
    for typed, name in [
        ("rita@hallberg", "Rita Hoffmann"),
        ("kundenservice charl", "Charlie Becker"),
    ]:
        search.fill(typed)
        expect(options.get_by_role("option").first).to_contain_text(name)
        search.press("ArrowDown")
        search.press("Enter")
        expect(page.get_by_role("button", name=f"{name} entfernen")).to_be_visible()
    search.fill("juergen")
    expect(options.get_by_role("option").first).to_contain_text("Jürgen")
    search.fill("Zacharias")  # nobody: only the entry to add the name as text
    expect(options.get_by_role("option")).to_have_count(1)
    search.press("Escape")
    expect(options).to_be_hidden()
    expect(search).to_have_value("Zacharias")
    search.press("Escape")
    expect(search).to_have_value("")
    expect(status).to_have_text("3 Personen ausgewählt")

    # A name not in the directory goes into the free-text field, as typed.
    search.fill("Gast Extern")
    expect(options.get_by_role("option").last).to_have_text(
        "„Gast Extern“ zu den weiteren Teilnehmenden hinzufügen"
    )
    search.press("Enter")
    expect(free).to_have_value("Gast Extern")
    expect(status).to_have_text(
        "„Gast Extern“ zu den weiteren Teilnehmenden hinzugefügt. 3 Personen ausgewählt"
    )
    search.fill("Lieferant GmbH")
    search.press("ArrowUp")  # the last entry: add as text
    search.press("Enter")
    expect(free).to_have_value("Gast Extern, Lieferant GmbH")

    # Delete on a chip removes it; the focus goes to the next chip.
    page.get_by_role("button", name="Bob Wagner entfernen").focus()
    page.keyboard.press("Delete")
    expect(page.get_by_role("button", name="Bob Wagner entfernen")).to_have_count(0)
    expect(page.get_by_role("button", name="Rita Hoffmann entfernen")).to_be_focused()
    expect(status).to_have_text("2 Personen ausgewählt")
    assert _selected(page) == ["Charlie Becker", "Rita Hoffmann"]
    # Backspace in the empty search box removes the last one picked.
    search.focus()
    page.keyboard.press("Backspace")
    expect(page.get_by_role("button", name="Charlie Becker entfernen")).to_have_count(0)
    expect(search).to_be_focused()
    assert _selected(page) == ["Rita Hoffmann"]
    search.fill("charlie")
    search.press("ArrowDown")
    search.press("Enter")
    assert _selected(page) == ["Charlie Becker", "Rita Hoffmann"]
    alice.check("participants: chips")

    # Sent without a text: the form comes back with its error, and with the same people.
    with page.expect_navigation():
        page.get_by_role("button", name="Protokoll erstellen").click()
    alice.check("participants: the form again")
    expect(page.locator(".field-transcript .errorlist")).to_be_visible()
    assert _selected(page) == ["Charlie Becker", "Rita Hoffmann"]
    expect(page.get_by_role("button", name="Rita Hoffmann entfernen")).to_be_visible()
    expect(free).to_have_value("Gast Extern, Lieferant GmbH")

    # An over-long typed name: the server's German message under the free-text field.
    free.fill("Gast Extern, " + "x" * 121)
    page.get_by_label("Titel der Besprechung").fill("Jour fixe Pilot")
    page.get_by_label("Notizen oder Transkript").fill("Rita: Wir starten den Pilot.")
    with page.expect_navigation():
        page.get_by_role("button", name="Protokoll erstellen").click()
    alice.check("participants: a name too long")
    expect(page.locator(".field-participants_other .errorlist")).to_contain_text("ist zu lang")
    expect(page.locator("main .errorlist")).to_have_count(1)

    free.fill("Gast Extern, Lieferant GmbH")
    with page.expect_navigation(url=re.compile(r"/assistenten/auftraege/\d+/$")):
        page.get_by_role("button", name="Protokoll erstellen").click()
    job = int(re.search(r"/auftraege/(\d+)/", page.url).group(1))
    params = alice.stack.shell(
        "import json; from assistants.models import GenerationJob; "
        f"print(json.dumps(GenerationJob.objects.get(pk={job}).params['participants']))"
    )
    assert json.loads(params) == [
        "Charlie Becker",
        "Rita Hoffmann",
        "Gast Extern",
        "Lieferant GmbH",
    ]
    cancel = page.locator("main form[action$='/abbrechen/'] button")
    if cancel.count():  # the demo model need not finish for this test
        with page.expect_navigation():
            cancel.click()
