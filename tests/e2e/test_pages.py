"""Every page each role reaches, at phone width (390 px) and desktop width (1366 px).

Starting from the navigation (its menus included), each person follows the links on the
pages they reach, one page per URL pattern (`/termine/12/` stands for every event). On
every page:
- at 390 px nothing is wider than the screen: no sideways scrolling (the widest
  elements are named when it fails);
- at 390 px the menu button opens the navigation and every entry is reachable;
- axe-core finds no serious or critical violation, no console error, no foreign request
  (the `Visitor` checks);
- a full-page screenshot at both widths goes to the test artefacts
  (`PORTAL_TEST_ARTEFACTS`, default `var/test-artefacts/`) to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.live import ROOT

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ARTEFACTS = Path(os.environ.get("PORTAL_TEST_ARTEFACTS", ROOT / "var" / "test-artefacts"))
MAX_PAGES = 200  # per person, a safety net: the demo has 30–100 page patterns per role
# Links that are not pages to look at: files, feeds, signing out, the Django admin.
SKIP = re.compile(
    r"^/(admin|accounts/logout|static|media)/"
    r"|\.(ics|csv|pdf|docx|zip|json|txt|md|png|svg)$"
    r"|/(export|download|herunterladen|kalender\.ics|feed)/?"
)
# The widest elements past the right edge of the screen, for the failure message.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let name = el.tagName.toLowerCase();
      if (el.id) name += '#' + el.id;
      if (el.classList.length) name += '.' + Array.from(el.classList).join('.');
      wide.push([Math.round(box.right), name]);
    }
  }
  // Innermost culprits matter; keep the five widest distinct names.
  return wide.sort((a, b) => b[0] - a[0]).slice(0, 5).map(w => w[1] + ' ' + w[0] + 'px');
}"""
_LINKS = """() => Array.from(document.querySelectorAll('main a[href], #main-nav a[href]'))
  .map(a => a.getAttribute('href'))"""

PEOPLE = [
    ("alice", False),  # employee
    ("bob", False),  # multiplier
    ("rita", True),  # reviewer
    ("walter", False),  # works council
    ("ada", True),  # programme admin
]


def _pattern(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "start"


def _same_origin_paths(hrefs: list[str], base: str) -> list[str]:
    paths = []
    for href in hrefs:
        url = urlparse(href)
        if url.scheme in ("mailto", "tel", "javascript") or (url.netloc and url.netloc != base):
            continue
        if not url.path.startswith("/") or SKIP.search(url.path):
            continue
        paths.append(url.path)  # query strings (filters, pages) show the same layout
    return paths


def _phone_menu_works(person, path: str) -> None:
    """On a phone the navigation is folded: the menu button opens it, and its entries show."""
    page = person.page
    toggle = page.locator(".nav-toggle")
    if not toggle.count():
        return
    if not toggle.is_visible() or page.locator("#main-nav").is_visible():
        person.problems.append(f"{path}: at 390 px the navigation is not folded behind 'Menü'")
        return
    toggle.click()
    if not page.locator("#main-nav").is_visible():
        person.problems.append(f"{path}: 'Menü' does not open the navigation")
    # Entries span the screen (easy to tap), not a narrow column in the middle.
    entry = page.locator("#main-nav > ul > li").first.bounding_box()
    if entry is None or entry["width"] < 0.8 * PHONE["width"] - 32:
        person.problems.append(f"{path}: the open menu's entries are narrow: {entry}")
    toggle.click()


@pytest.mark.parametrize(("local", "two_factor"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_every_page_fits_a_phone_and_is_photographed(visitor, local, two_factor) -> None:
    person = visitor()
    person.login(local, two_factor=two_factor)
    page = person.page
    base = urlparse(person.stack.base_url).netloc
    shots = {size: ARTEFACTS / "pages" / size for size in ("390", "1366")}
    for folder in shots.values():
        folder.mkdir(parents=True, exist_ok=True)

    queue = ["/"]
    seen_patterns: set[str] = set()
    visited: list[str] = []
    skipped: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if _pattern(path) in seen_patterns:
            continue
        seen_patterns.add(_pattern(path))
        page.set_viewport_size(DESKTOP)
        response = person.goto(path, check=False)
        landed = urlparse(page.url).path
        if response is None or response.status != 200 or landed != path:
            # A redirect (e.g. to a form's result) is looked at under its own path.
            skipped.append(f"{path} -> {response and response.status} {landed}")
            continue
        visited.append(path)
        name = f"{local}--{_slug(path)}.png"
        page.screenshot(path=str(shots["1366"] / name), full_page=True)
        queue += _same_origin_paths(page.evaluate(_LINKS), base)

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)  # one frame for the media queries
        wide = page.evaluate(_OVERFLOW)
        if wide:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            person.problems.append(f"{path}: {scroll} px wide at 390 px: {', '.join(wide)}")
        _phone_menu_works(person, path)
        person.check(f"{path} (390 px)")
        page.screenshot(path=str(shots["390"] / name), full_page=True)

    assert len(visited) >= 8, f"{local} reached only {visited}"
    unseen = {_pattern(p) for p in queue} - seen_patterns
    assert not unseen, f"{len(unseen)} page patterns not looked at (raise MAX_PAGES): {unseen}"
    report = [*visited, "", "not looked at (redirected or refused):", *skipped]
    (ARTEFACTS / "pages" / f"{local}.txt").write_text("\n".join(report) + "\n")
