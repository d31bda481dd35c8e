"""One person in the system Chromium, with the checks every visited page must pass.

- no request leaves the portal's own origin (every request is recorded);
- no console error and no uncaught page error;
- axe-core (fetched from the npm registry at install time, see fetch_axe.py) finds no
  serious or critical accessibility violation.
`Visitor.goto()` checks a page after loading it; call `Visitor.check()` after an htmx step
changed the page. Problems are collected and asserted at the end of the test (`finish`),
so one run shows all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.e2e.fetch_axe import TARGET as AXE_PATH
from tests.e2e.live import DEMO_DOMAIN, DEMO_PASSWORD, LiveStack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""
# What a page may load besides its own origin: inline data (icons) and nothing else.
_LOCAL_SCHEMES = ("data:", "blob:", "about:")


@dataclass
class Visitor:
    """A browser context (own cookies) of one person, and what went wrong in it."""

    stack: LiveStack
    context: object
    page: object = None
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        origin = urlparse(self.stack.base_url).netloc
        self.page.on("request", lambda r: self._request(r.url, origin))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def _request(self, url: str, origin: str) -> None:
        if not url.startswith(_LOCAL_SCHEMES) and urlparse(url).netloc != origin:
            self.problems.append(f"request left the origin: {url}")

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text[:300]}")

    # --- navigation -------------------------------------------------------------------------

    def goto(self, path: str, *, expect: int = 200, check: bool = True):
        response = self.page.goto(self.stack.base_url + path)
        self.page.wait_for_load_state("networkidle")
        if response is not None and response.status != expect:
            self.problems.append(f"{path}: HTTP {response.status}, expected {expect}")
        if check:
            self.check(path)
        return response

    def check(self, name: str | None = None) -> None:
        """Run axe-core on the current page; note serious and critical violations."""
        name = name or urlparse(self.page.url).path
        self.visited.append(name)
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_PATH.read_text())  # evaluate() is not subject to the CSP
        for violation in self.page.evaluate(_AXE_RUN):
            self.problems.append(f"axe on {name}: {violation}")
        content = self.page.content()
        if "Traceback" in content or "Server Error (500)" in content:
            self.problems.append(f"{name}: an error page")

    def login(self, local: str, *, two_factor: bool = False) -> None:
        """Sign in as a demo person (`ada`, `alice`, …) through the real login form."""
        self.goto("/accounts/login/")
        self.page.fill("input[name=login]", f"{local}@{DEMO_DOMAIN}")
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        if two_factor:
            self.page.fill("input[name=code]", self.stack.totp(local))
            self.page.click("main button[type=submit]")
            self.page.wait_for_load_state("networkidle")
        if "/accounts/login" in self.page.url or "/2fa/" in self.page.url:
            raise AssertionError(f"login as {local} failed, still on {self.page.url}")

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).first.inner_text()

    def finish(self) -> None:
        """Assert that nothing went wrong on any page this person visited."""
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)
