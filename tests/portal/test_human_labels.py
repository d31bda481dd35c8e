"""People read human labels, never the portal's internal names.

Signed in as each demo role, a crawler follows the links of the home page and of the pages
it reaches (same origin, GET, one page per URL pattern) and reads what a person sees: the
text, and the titles, placeholders and labels of controls. Nothing in it may be an internal
name: snake_case keys, settings names, dotted model labels, template versions as "(v1)",
role keys, survey keys. Admins may see a settings name only inside <code>, as a secondary
technical hint. The Django admin is out of scope: it is for admins and speaks verbose names.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from newsletter.models import Issue
from portal import registry
from portal.demo import DEMO_DOMAIN
from portal.models import User
from portal.roles import Role

pytestmark = pytest.mark.django_db

ROLES = ["alice", "bob", "rita", "ada", "walter"]
MAX_DEPTH = 3
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout/")
SKIPPED_NAMES = {"portal:language-set", "healthz", "healthz-live"}
CHECKED_TYPES = ("text/html", "text/csv")

ROLE_KEYS = {str(role.value) for role in Role}
SURVEY_KEYS = {"pulse", "nps", "job_worry", "likert"}
INTERNAL = [
    ("snake_case name", re.compile(r"\b[a-z]+_[a-z0-9_]+\b")),
    ("settings name", re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")),
    ("model label", re.compile(r"\b(?:portal|rollout|assistants|newsletter|auth)\.[a-z_]+\b")),
    ("template version", re.compile(r"\(v\d+\)")),
    ("internal key", re.compile(rf"\b(?:{'|'.join(sorted(ROLE_KEYS | SURVEY_KEYS))})\b")),
]
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
HIDDEN_ELEMENTS = {"script", "style", "code", "template", "head"}


class _Page(HTMLParser):
    """Collect what a person reads (text, visible attributes) and the links of a page."""

    def __init__(self, path: str = "/") -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._path = path
        self._form: dict[str, str] | None = None  # the GET form being read: its query
        self._select = ""

    def _form_field(self, tag: str, values: dict[str, str | None]) -> None:
        """Fill a GET form as a person might: a word to search for, the first real option."""
        assert self._form is not None
        name = values.get("name") or ""
        if tag == "select":
            self._select = name
        elif tag == "option" and self._select and values.get("value"):
            self._form.setdefault(self._select, values["value"] or "")
        elif tag == "input" and name:
            kind = values.get("type") or "text"
            if kind in {"text", "search"}:
                self._form[name] = "KI"
            elif kind == "hidden" or (kind in {"checkbox", "radio"} and "checked" in values):
                self._form.setdefault(name, values.get("value") or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "form" and (values.get("method") or "get").lower() == "get":
            self._form = {"_action": values.get("action") or self._path}
        elif self._form is not None and tag in {"select", "option", "input"}:
            self._form_field(tag, values)
        if tag in HIDDEN_ELEMENTS:
            self._hidden += 1
            return
        if self._hidden:
            return
        self.text += [v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v]
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.text.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS and self._hidden:
            self._hidden -= 1
        if tag == "select":
            self._select = ""
        if tag == "form" and self._form is not None:
            action = self._form.pop("_action")
            self.links.append(f"{urldefrag(action).url.split('?')[0]}?{urlencode(self._form)}")
            self._form = None

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _pattern(path: str) -> tuple[str, ...] | None:
    """Return the URL pattern of a same-origin link (with its query keys), None to skip."""
    url = urldefrag(path).url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name in SKIPPED_NAMES or match.namespace == "admin":
        return None
    return (match.route, *sorted({key for key, _ in parse_qsl(parts.query)}))


def _offences(text: str) -> list[str]:
    return [
        f"{what}: {found!r}"
        for what, pattern in INTERNAL
        for found in sorted(set(pattern.findall(text)))
    ]


def _crawl(client, person: User) -> tuple[dict[str, list[str]], int]:
    """Visit the pages `person` reaches from home; return offences per URL and pages seen."""
    client.force_login(person)
    seen: set[tuple[str, ...]] = set()
    # home and every navigation entry the person may see, however the header renders them
    starts = ["/"] + [
        reverse(item.url_name)
        for item in registry.nav_items
        if not item.roles or person.has_role(*item.roles)
    ]
    queue = [(url, 0) for url in starts]
    found: dict[str, list[str]] = {}
    visited = 0
    while queue:
        url, depth = queue.pop(0)
        pattern = _pattern(url)
        if pattern is None or pattern in seen:
            continue
        seen.add(pattern)
        response = client.get(url)
        assert response.status_code < 500, url
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith(CHECKED_TYPES):
            continue
        visited += 1
        body = b"".join(response) if response.streaming else response.content
        body = body.decode()
        if content_type.startswith("text/csv"):
            # the column names; the cells are data (a question's key is data, like an id)
            text, links = body.splitlines()[0], []
        else:
            page = _Page(urlsplit(url).path)
            page.feed(body)
            text, links = " ".join(page.text), page.links
        if offences := _offences(text):
            found[url] = offences
        if depth < MAX_DEPTH:
            queue += [(link, depth + 1) for link in links]
    return found, visited


@pytest.fixture
def demo() -> None:
    from tests.factories import protocol_for

    call_command("seed_demo", stdout=StringIO())
    # the demo has no protocols: one of alice's, for its page and its job's
    protocol_for(User.objects.get(email=f"alice@{DEMO_DOMAIN}"), title="Jour fixe Vertrieb")
    # drafts for people with certain roles: their send page names the roles
    Issue.objects.filter(status=Issue.Status.DRAFT).update(
        audience=Issue.Audience.ROLES, roles=[Role.WORKS_COUNCIL, Role.MULTIPLIER]
    )


@pytest.mark.parametrize("local", ROLES)
def test_pages_show_no_internal_names(client, demo, local: str) -> None:
    person = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
    found, visited = _crawl(client, person)
    assert visited > 10, "the crawler reached the pages of the navigation"
    assert not found, "\n".join(f"{url}: {', '.join(o)}" for url, o in found.items())


def test_the_checks_catch_internal_names() -> None:
    page = _Page()
    page.feed(
        "<p>Ergebnisprotokoll (v1), rollout.eventseries 1, job_worry</p>"
        '<p title="PORTAL_LLM_MODEL_PATH">works_council nps</p>'
        "<p><code>PORTAL_LLM_MODEL_PATH</code> Betriebsrat</p><script>a_b</script>"
    )
    offences = " ".join(_offences(" ".join(page.text)))
    for name in ("(v1)", "rollout.eventseries", "job_worry", "works_council", "'nps'"):
        assert name in offences
    assert offences.count("PORTAL_LLM_MODEL_PATH") == 1  # the title, not the <code>
    assert "a_b" not in offences
