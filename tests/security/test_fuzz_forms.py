"""Fuzz every form with hypothesis: never a 500, and nothing stored renders as active HTML.

The forms are found, not listed by hand: every page of the role × URL matrix is fetched as
each cast member allowed there, and every <form>, htmx request and link with a query on it
is read with html.parser (the fields it would send, as a browser would send them).

- `test_fuzz`: for each endpoint that takes free text (`TARGETS` says where its form is, who
  posts it and which pages show what was stored), the untouched form is accepted; then every
  text field gets the whole XSS corpus and a NUL byte once, and hypothesis-generated text
  (long, empty, blank, astral/RTL/combining Unicode, control characters, lone surrogates,
  payloads) in all fields at once. After each submission the answer and every page showing
  the object are checked: no 500, no element or attribute that would run or fetch.
- `test_every_text_form_is_fuzzed` fails when a page grows a text form that is not a target.
- `test_odd_values_in_every_parameter`: every field of every submission and link (hidden
  fields and choices too), one at a time: NUL, a tag, an off-site URL, a lone surrogate.
- `test_odd_text_in_every_path_parameter`: the same in URLs' text parameters (tokens…).

Each submission runs inside a savepoint that is rolled back, so every example starts from
the same database; the Redis cache (rate limits) is emptied before each one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.matrix import CAST
from tests.newsletter.html import tags
from tests.portal.test_access import MATRIX
from tests.portal.test_access import ids as ids  # the matrix's objects (a fixture)
from tests.security.xss_corpus import CANARY, ONE_LINE, PAYLOADS, joined

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per form; with the planted values below the file runs in ~5 minutes
TEXT_TYPES = {"", "text", "search", "email", "url", "tel", "password"}
BUTTON_TYPES = {"submit", "button", "reset", "image"}
HX_METHODS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("beispiel.pdf", PDF, "application/pdf")


def _recording() -> SimpleUploadedFile:
    from tests.assistants.audio import SPEECH

    return SimpleUploadedFile("aufnahme.ogg", SPEECH.read_bytes(), "audio/ogg")


# File fields that need something other than a PDF to be accepted, by field name.
UPLOADS = {"audio": _recording}

# ---------------------------------------------------------------------------------------
# Reading forms the way a browser (and htmx) would submit them


@dataclass
class Field:
    name: str
    kind: str  # the input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    checked: bool = False
    required: bool = False
    maxlength: int | None = None

    @property
    def is_text(self) -> bool:
        return self.kind == "textarea" or self.kind in TEXT_TYPES


@dataclass
class Request:
    """One submission a page offers: method, URL and the fields it sends."""

    method: str
    url: str
    fields: list[Field]
    htmx: bool = False
    multipart: bool = False

    @property
    def name(self) -> str:
        try:
            return resolve(urlsplit(self.url).path).view_name
        except Resolver404:
            return self.url

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.is_text]


@dataclass
class _Form:
    attrs: dict[str, str]
    fields: list[Field] = field(default_factory=list)
    submit: Field | None = None  # the first plain submit button with a name


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.by_id: dict[str, _Form | Field] = {}
        self.hx: list[tuple[dict[str, str], _Form | None, Field | None]] = []
        self.links: list[str] = []
        self._form: _Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        own: Field | None = None
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
            if attrs.get("id"):
                self.by_id[attrs["id"]] = self._form
            return
        if tag == "a" and attrs.get("href", "").startswith("/") and "?" in attrs["href"]:
            self.links.append(attrs["href"])
        if tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select.selected.append(attrs.get("value", ""))
        elif tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            kind = tag if tag in ("textarea", "select") else attrs.get("type", "text").lower()
            if tag == "button":
                kind = attrs.get("type", "submit").lower()
            maxlength = attrs.get("maxlength", "")
            own = Field(
                name=attrs["name"],
                kind=kind,
                value=attrs.get("value", ""),
                checked="checked" in attrs,
                required="required" in attrs,
                maxlength=int(maxlength) if maxlength.isdigit() else None,
            )
            if tag == "select":
                self._select = own
            if tag == "textarea":
                self._textarea = own
            if attrs.get("id"):
                self.by_id[attrs["id"]] = own
            if self._form is not None and "form" not in attrs:
                if kind in BUTTON_TYPES:
                    plain = not any(m in attrs for m in HX_METHODS)
                    if kind == "submit" and plain and self._form.submit is None:
                        self._form.submit = own
                else:
                    self._form.fields.append(own)
        if any(m in attrs for m in HX_METHODS):
            self.hx.append((attrs, self._form, own))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:
                # Browsers drop the newline that directly follows <textarea>.
                self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


def requests_on(page: str, html: str) -> list[Request]:
    """Return every submission `html` (served at `page`) offers: forms and htmx requests."""
    reader = _FormReader()
    reader.feed(html)
    found = []
    for form in reader.forms:
        hx = next((m for m in HX_METHODS if m in form.attrs), None)
        method = (hx.removeprefix("hx-") if hx else form.attrs.get("method", "get")).lower()
        url = form.attrs.get("action") or (form.attrs.get(hx, "") if hx else "") or page
        fields = form.fields + ([form.submit] if form.submit else [])
        multipart = "multipart" in form.attrs.get("enctype", "")
        found.append(Request(method, urljoin(page, url), fields, bool(hx), multipart))
    for attrs, form, own in reader.hx:
        if own is None and form is not None and attrs is form.attrs:
            continue  # the form itself: done above
        hx = next(m for m in HX_METHODS if m in attrs)
        method = hx.removeprefix("hx-")
        fields: list[Field] = []
        for selector in filter(None, (s.strip() for s in attrs.get("hx-include", "").split(","))):
            included = reader.by_id.get(selector.removeprefix("#"))
            if isinstance(included, _Form):
                fields += included.fields
            elif included is not None:
                fields.append(included)
        if not attrs.get("hx-include") and method != "get" and form is not None:
            fields += form.fields  # htmx sends the enclosing form with a non-GET request
        if own is not None and own not in fields:
            fields.append(own)
        found.append(Request(method, urljoin(page, attrs[hx]), fields, htmx=True))
    for href in reader.links:
        query = parse_qsl(urlsplit(href).query, keep_blank_values=True)
        fields = [Field(name, "hidden", value) for name, value in query]
        found.append(Request("get", href.split("?")[0], fields))
    return found


# ---------------------------------------------------------------------------------------
# Values: a valid baseline from the page, and hypothesis-generated text for the text fields


def _baseline(request: Request, overrides: dict[str, str | list[str] | None]) -> dict:
    """Return the values a person would send without typing anything odd."""
    day = (timezone.localdate() + timedelta(days=14)).isoformat()
    values: dict[str, list[str]] = {}
    for f in request.fields:
        if f.kind == "radio":
            if f.checked or f.name not in values:
                values[f.name] = [f.value]
            continue
        if f.kind == "checkbox":
            if f.checked:
                values.setdefault(f.name, []).append(f.value or "on")
            continue
        if f.kind == "select":
            chosen = [o for o in f.selected if o] or [next((o for o in f.options if o), "")]
            values.setdefault(f.name, []).extend(chosen)
            continue
        if f.kind == "file" or (f.kind in BUTTON_TYPES and not f.value):
            continue
        defaults = {
            "date": day,
            "time": "10:00",
            "datetime-local": f"{day}T10:00",
            "number": "1",
            "email": "fuzz@firma.test",
            "url": "",
            "hidden": "",
        }
        fallback = defaults.get(f.kind, "Ein ganz normaler Text") if f.required else ""
        values.setdefault(f.name, []).append(f.value or fallback)
    for name, value in overrides.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = [value] if isinstance(value, str) else list(value)
    return values


_WHITESPACE = " \t\r\n\u00a0\u2003\u200b\u3000\u2028\ufeff"
_SPECIAL = [
    "😀👩‍👩‍👧‍👦🇩🇪",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱",
    "مرحبا بالعالم \u202eتجربة\u202c",
    "שלום \u200fעולם",
    "e\u0301\u0308\u0323 Z\u0336\u0353a\u0337\u0359",
    "Straße Größe Ärger",
    "\x00",
    "vor\x00nach",
    "\x1b[31mrot\x1b[0m\x1b]0;title\x07",
    "\x07\x08\x0b\x0c\x7f\x85",
    "\r\n\r\n",
    "' OR 1=1 --",
    "%s %(x)s {0} {{ x }}",
]


def _long(limit: int) -> st.SearchStrategy[str]:
    unit = st.sampled_from(["x", "ä", "😀", "<b>", "\u0301", " "])
    return st.tuples(unit, st.integers(1, 40)).map(lambda t: t[0] * (limit + t[1]))


def fuzz_text(maxlength: int | None) -> st.SearchStrategy[str]:
    """Text a form should survive: long, empty, blank, odd Unicode, control bytes, payloads."""
    payload = st.sampled_from(PAYLOADS)
    pieces = st.one_of(
        payload,
        st.sampled_from(_SPECIAL),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
        st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF).map(lambda c: f"a{c}b"),
    )
    return st.one_of(
        payload,
        payload,
        st.just(""),
        st.text(st.sampled_from(_WHITESPACE), min_size=1, max_size=12),
        _long(maxlength or 3000),
        st.lists(pieces, min_size=1, max_size=4).map("".join),
    )


def _encode(pairs: list[tuple[str, str]]) -> str:
    # Lone surrogates cannot be UTF-8: send their raw bytes, as a broken client would.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def _no_surrogates(text: str) -> str:
    return text.encode("utf-8", "replace").decode()


# ---------------------------------------------------------------------------------------
# What must never be on a page


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
FETCHED = {"src", "data", "poster", "srcset"}
NEVER = {"object", "embed", "frame", "frameset", "base", "applet"}
EVALUATED = ("49 t1", "49 t5", "49 t6")  # template syntax from the corpus, evaluated


def active_html(html: str) -> list[str]:
    """Return what in `html` would run script or fetch on its own (empty: nothing)."""
    problems = []
    for tag, attrs in tags(html):
        named = dict(attrs)
        if tag == "script" and not named.get("src", "").startswith("/static/"):
            problems.append(f"<script {named}>")
        if tag in NEVER or (tag == "meta" and "http-equiv" in named):
            problems.append(f"<{tag} {named}>")
        if tag == "iframe":
            if named.get("sandbox", "allow-scripts").strip():
                problems.append(f"<iframe> without an empty sandbox: {named}")
            problems += [f"in srcdoc: {p}" for p in active_html(named.get("srcdoc", ""))]
        for name, value in attrs:
            name = name.lower()
            plain = re.sub(r"[\x00-\x20]", "", unicodedata.normalize("NFKC", value)).lower()
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                problems.append(f"<{tag} {name}={value!r}>")
            elif name.startswith(("hx-", "data-hx-")) and ("__xss" in value or CANARY in value):
                problems.append(f"injected <{tag} {name}={value!r}>")
            elif name in URL_ATTRS:
                if plain.startswith(("javascript:", "vbscript:")) or (
                    plain.startswith("data:")
                    and not (tag == "img" and plain.startswith("data:image/"))
                ):
                    problems.append(f"<{tag} {name}={value!r}>")
                elif name in FETCHED and CANARY in value:
                    problems.append(f"<{tag} {name}={value!r}> fetches by itself")
    problems += [f"evaluated template syntax {e!r}" for e in EVALUATED if e in html]
    return problems


def _check(response, where: str) -> None:
    assert response.status_code < 500, f"{response.status_code} from {where}"
    if "html" in response.get("Content-Type", ""):
        problems = active_html(response.content.decode(errors="replace"))
        assert not problems, f"active HTML on {where}: {problems}"


# ---------------------------------------------------------------------------------------
# Where each form is, who posts it, and which pages show what it stored


@dataclass(frozen=True)
class Target:
    page: str  # path template (placeholders from the `fuzz_ids` fixture)
    member: str | None  # who submits (None: anonymous)
    shows: tuple[tuple[str, str], ...] = ()  # (path template, member) showing what was stored
    overrides: dict = field(default_factory=dict)  # baseline values (None: leave out)
    files: tuple[str, ...] = ()  # optional file fields that get a small PDF
    stores: bool = True  # False: the text is checked, never kept (login, an e-mail address)
    accepted: int = 302  # status of the baseline submission


HOME = ("/", "alice")
FAQ_PUBLIC = (("/faq/", "alice"), ("/faq/verwaltung/", "ada"), HOME)
PROGRAMME = (("/fahrplan/", "alice"), ("/programm/cockpit/", "walter"), ("/programm/", "ada"))
GOVERNANCE = (("/gremien/", "walter"),)
USE_CASE = "/anwendungsfaelle/{use_case}/"
USE_CASES = (
    (USE_CASE, "bob"),
    ("/anwendungsfaelle/", "charlie"),
    ("/anwendungsfaelle/pipeline/", "rita"),
    HOME,
)
OFFICE_HOURS = (
    ("/sprechstunden/", "alice"),
    ("/sprechstunden/{officehour}/", "alice"),
    ("/sprechstunden/agenda/", "bob"),
    ("/sprechstunden/meine/", "alice"),
    HOME,
)
EVENTS = (
    ("/termine/", "alice"),
    ("/termine/{event}/", "alice"),
    ("/termine/{hosted_event}/", "alice"),
    HOME,
)
TODAY = {"reviewed_on": "{today}"}
EVENT = {"starts_at": "{later}T10:00", "ends_at": "{later}T11:00"}
SERIES = {"duration_minutes": "60", "until": "{much_later}"}
OFFICE_HOUR = {"end_time": "11:00", "until": "", "location": "Raum 2.14"}
SURVEY = {"opens_at": "{today}T00:00", "closes_at": "{later}T10:00"}
USE_CASE_FORM = {
    "risk_prohibited": "no",
    "risk_high_risk": "no",
    "risk_transparency": "no",
}

TARGETS: dict[str, Target] = {
    # allauth's pages, anonymous
    "account_login": Target(
        "/accounts/login/",
        None,
        overrides={"login": "alice@firma.test", "password": "Test-Passwort-123"},
        stores=False,
    ),
    "account_signup": Target(
        "/accounts/signup/",
        None,
        shows=(("/personen/", "ada"),),
        overrides={"email": "neu@firma.test", "password1": "Fuzz-Passwort-2026", "name": "Neu"}
        | {"password2": "Fuzz-Passwort-2026"},
    ),
    "account_reset_password": Target(
        "/accounts/password/reset/", None, overrides={"email": "alice@firma.test"}, stores=False
    ),
    "account_email": Target(
        "/accounts/email/", "alice", overrides={"email": "zweit@firma.test"}, stores=False
    ),
    # portal
    "portal:invitations": Target(
        "/einladungen/", "ada", overrides={"email": "gast@extern.test"}, stores=False
    ),
    "portal:people": Target("/personen/", "ada", accepted=200),
    # The company name shows in every page's header and title, the sign-in page included.
    "portal:branding": Target(
        "/erscheinungsbild/",
        "ada",
        shows=(HOME, ("/erscheinungsbild/", "ada"), ("/accounts/login/", None)),
    ),
    "rollout:faq": Target("/", "alice", accepted=200),
    # Stored only as valid rules: the corpus's lines are single terms (refused with the line
    # named); hypothesis's text that parses is stored and shown on the page.
    "rollout:search-glossary": Target(
        "/suche/begriffe/", "ada", shows=(("/suche/begriffe/", "ada"),), stores=False
    ),
    # assistants
    "assistants:protocol-new": Target(
        "/assistenten/protokoll/neu/",
        "alice",
        overrides={"transcript": "Anna: Wir starten den Pilot.\nBen: Einverstanden."},
    ),
    "assistants:protocol-step": Target(
        "/assistenten/protokolle/{review_protocol}/",
        "rita",
        shows=(("/assistenten/protokolle/{review_protocol}/", "alice"),),
    ),
    "assistants:item-edit": Target(
        "/assistenten/protokolle/{protocol}/punkte/decisions/0/bearbeiten/",
        "alice",
        shows=(
            ("/assistenten/protokolle/{protocol}/", "alice"),
            ("/assistenten/protokolle/{protocol}/", "rita"),
        ),
    ),
    "assistants:transcript-new": Target(
        "/assistenten/transkript/neu/",
        "alice",
        shows=(("/assistenten/", "alice"),),
        overrides={"consent": "on"},
        files=("audio",),
    ),
    "assistants:turn-edit": Target(
        "/assistenten/transkripte/{transcript}/abschnitte/0/",
        "alice",
        shows=(
            ("/assistenten/transkripte/{transcript}/", "alice"),
            ("/assistenten/transkripte/{transcript}/", "rita"),
        ),
        accepted=200,  # sent with htmx: the corrected turn comes back in place
    ),
    "assistants:speaker-rename": Target(
        "/assistenten/transkripte/{transcript}/",
        "alice",
        shows=(("/assistenten/transkripte/{transcript}/", "alice"),),
        overrides={"new": "Anna Müller"},
    ),
    "assistants:report-edit": Target(
        "/assistenten/berichte/{draft_report}/bearbeiten/",
        "ada",
        shows=(
            ("/assistenten/berichte/{draft_report}/", "ada"),
            ("/assistenten/", "ada"),
            ("/assistenten/berichte/", "ada"),
        ),
    ),
    # newsletter
    "newsletter:issue-new": Target(
        "/newsletter/verwaltung/neu/", "ada", shows=(("/newsletter/verwaltung/", "ada"),)
    ),
    "newsletter:issue-edit": Target(
        "/newsletter/verwaltung/{draft_issue}/bearbeiten/",
        "ada",
        shows=(("/newsletter/verwaltung/{draft_issue}/versand/", "ada"),),
    ),
    "newsletter:preview": Target("/newsletter/verwaltung/neu/", "ada", accepted=200),
    "newsletter:suggestions": Target("/newsletter/verwaltung/neu/", "ada", accepted=200),
    "newsletter:model-draft": Target("/newsletter/verwaltung/neu/", "ada", accepted=200),
    # events
    "rollout:event-new": Target("/termine/neu/", "ada", shows=EVENTS, overrides=EVENT),
    "rollout:event-edit": Target(
        "/termine/{event}/bearbeiten/", "ada", shows=EVENTS, overrides=EVENT
    ),
    "rollout:event-material-new": Target(
        "/termine/{hosted_event}/material/neu/",
        "bob",
        shows=EVENTS,
        overrides={"url": None},
        files=("file",),
    ),
    "rollout:series-new": Target(
        "/termine/reihen/neu/",
        "ada",
        shows=(("/termine/reihen/", "ada"), *EVENTS),
        overrides=SERIES,
    ),
    "rollout:series-edit": Target(
        "/termine/reihen/{series}/bearbeiten/",
        "ada",
        shows=(("/termine/reihen/", "ada"), *EVENTS),
        overrides=SERIES,
    ),
    # people and governance
    "rollout:multiplier-add": Target(
        "/multiplikatoren/verwalten/hinzufuegen/",
        "ada",
        shows=(("/multiplikatoren/", "alice"), ("/multiplikatoren/verwalten/", "ada")),
    ),
    "rollout:multiplier-focus": Target(
        "/multiplikatoren/mein-schwerpunkt/", "bob", shows=(("/multiplikatoren/", "alice"),)
    ),
    "rollout:decision-new": Target(
        "/gremien/entscheidungen/neu/",
        "ada",
        shows=(("/gremien/entscheidungen/", "walter"), *GOVERNANCE),
    ),
    "rollout:decision-edit": Target(
        "/gremien/entscheidungen/{gov_decision}/bearbeiten/",
        "ada",
        shows=(("/gremien/entscheidungen/{gov_decision}/", "walter"), *GOVERNANCE),
    ),
    "rollout:ethics-new": Target(
        "/gremien/ethik/neu/",
        "ada",
        shows=(("/gremien/ethik/", "walter"), *GOVERNANCE),
        overrides=TODAY,
    ),
    "rollout:ethics-edit": Target(
        "/gremien/ethik/{gov_review}/bearbeiten/",
        "ada",
        shows=(("/gremien/ethik/{gov_review}/", "walter"), *GOVERNANCE),
        overrides=TODAY,
    ),
    "rollout:stakeholder-new": Target(
        "/gremien/stakeholder/neu/", "ada", shows=(("/gremien/stakeholder/", "walter"),)
    ),
    "rollout:stakeholder-edit": Target(
        "/gremien/stakeholder/{gov_group}/bearbeiten/",
        "ada",
        shows=(("/gremien/stakeholder/", "walter"),),
    ),
    "rollout:stakeholder-status": Target(
        "/gremien/stakeholder/{gov_group}/phasen/{gov_phase}/",
        "ada",
        shows=(("/gremien/stakeholder/", "walter"),),
    ),
    # programme
    "rollout:phase-edit": Target("/programm/phasen/{prog_phase}/", "ada", shows=PROGRAMME),
    "rollout:milestone-create": Target(
        "/programm/phasen/{prog_phase}/meilensteine/neu/", "ada", shows=PROGRAMME
    ),
    "rollout:milestone-edit": Target(
        "/programm/meilensteine/{prog_milestone}/", "ada", shows=PROGRAMME
    ),
    "rollout:kpi-create": Target(
        "/programm/phasen/{prog_phase}/kennzahlen/neu/",
        "ada",
        shows=PROGRAMME,
        overrides={"metric": "manual", "target": "10", "manual_value": "3"},
    ),
    "rollout:kpi-edit": Target(
        "/programm/kennzahlen/{prog_kpi}/",
        "ada",
        shows=PROGRAMME,
        overrides={"target": "10", "manual_value": "3"},
    ),
    # use cases
    "rollout:usecase-new": Target(
        "/anwendungsfaelle/neu/", "alice", shows=USE_CASES, overrides=USE_CASE_FORM
    ),
    "rollout:usecase-edit": Target(
        "/anwendungsfaelle/{use_case}/bearbeiten/", "alice", shows=USE_CASES
    ),
    "rollout:usecase-step": Target(
        "/anwendungsfaelle/{use_case}/status/in_review/", "alice", shows=USE_CASES
    ),
    "rollout:usecase-comment": Target(USE_CASE, "bob", shows=((USE_CASE, "alice"),)),
    "rollout:usecase-attachment-new": Target(
        "/anwendungsfaelle/{use_case}/dateien/neu/", "alice", shows=USE_CASES
    ),
    "rollout:usecase-validate": Target(
        "/anwendungsfaelle/{pilot}/pruefung/",
        "rita",
        shows=(("/anwendungsfaelle/{pilot}/", "alice"),),
    ),
    "rollout:usecase-signoff": Target(
        "/anwendungsfaelle/{pilot}/datenschutz/",
        "walter",
        shows=(("/anwendungsfaelle/{pilot}/", "alice"),),
    ),
    "rollout:usecase-list": Target("/anwendungsfaelle/", "alice", accepted=200),
    "rollout:usecase-search": Target("/anwendungsfaelle/suche/", "alice", accepted=200),
    "rollout:usecase-similar": Target("/anwendungsfaelle/neu/", "alice", accepted=200),
    # FAQ
    "rollout:faq-ask": Target(
        "/faq/fragen/neu/",
        "alice",
        shows=(("/faq/fragen/", "alice"), ("/faq/eingang/", "ada")),
    ),
    # Opening an anonymous question by its key (posted by the page from the link's fragment);
    # the baseline's key is no question's, hence 404.
    "rollout:faq-receipt-open": Target("/faq/fragen/beleg/", "alice", stores=False, accepted=404),
    # Suggestions while a question is typed (htmx): the text is searched, never kept.
    "rollout:faq-suggestions": Target("/faq/fragen/neu/", "alice", stores=False, accepted=200),
    "rollout:faq-question": Target(
        "/faq/eingang/{faq_question}/",
        "ada",
        shows=(("/faq/fragen/{faq_receipt}/", "charlie"), ("/faq/eingang/", "ada")),
    ),
    "rollout:faq-question-publish": Target("/faq/eingang/{faq_question}/", "ada", shows=FAQ_PUBLIC),
    "rollout:faq-entry-new": Target("/faq/verwaltung/neu/", "ada", shows=FAQ_PUBLIC),
    "rollout:faq-entry-edit": Target(
        "/faq/{faq_entry}/bearbeiten/", "ada", shows=(("/faq/{faq_entry}/", "alice"), *FAQ_PUBLIC)
    ),
    "rollout:faq-categories": Target("/faq/kategorien/", "ada", shows=FAQ_PUBLIC),
    "rollout:faq-category-edit": Target("/faq/kategorien/{faq_category}/", "ada", shows=FAQ_PUBLIC),
    # office hours
    "rollout:officehour-new": Target(
        "/sprechstunden/neu/", "bob", shows=OFFICE_HOURS, overrides=OFFICE_HOUR
    ),
    "rollout:officehour-edit": Target(
        "/sprechstunden/{officehour}/bearbeiten/", "bob", shows=OFFICE_HOURS
    ),
    "rollout:officehour-list": Target("/sprechstunden/", "alice", accepted=200),
    "rollout:officehour-book": Target(
        "/sprechstunden/termine/{free_slot}/buchen/", "alice", shows=OFFICE_HOURS
    ),
    "rollout:officehour-booking-faq": Target(
        "/sprechstunden/buchungen/{alice_booking}/faq/", "bob", shows=FAQ_PUBLIC
    ),
    # surveys and feedback
    "rollout:survey-new": Target(
        "/umfragen/verwalten/neu/",
        "ada",
        shows=(("/umfragen/verwalten/", "ada"), ("/umfragen/", "alice"), HOME),
        overrides=SURVEY | {"questions-0-kind": "text", "questions-0-text": "Was fehlt?"},
    ),
    "rollout:survey-edit": Target(
        "/umfragen/verwalten/{text_survey}/bearbeiten/",
        "ada",
        shows=(("/umfragen/verwalten/", "ada"), ("/umfragen/", "alice"), HOME),
        overrides=SURVEY,
    ),
    "rollout:survey-answer": Target(
        "/umfragen/{text_survey}/",
        "alice",
        shows=(("/umfragen/auswertung/{text_survey}/", "ada"), ("/umfragen/", "alice")),
    ),
    "rollout:feedback-new": Target(
        "/feedback/", "alice", shows=(("/feedback/eingang/", "walter"), ("/feedback/", "alice"))
    ),
}


@pytest.fixture
def fuzz_ids(ids, cast, settings) -> dict:
    """The matrix's objects, a survey with free text, a use case in its pilot, a protocol
    in review (so that every form with a text field is on some page)."""
    from assistants.services.review import protocol_submit
    from rollout.models import SurveyQuestion, UseCase
    from rollout.surveys.services import QuestionSpec, survey_create
    from tests.factories import protocol_for

    settings.SIGNUP_DOMAINS = ["firma.test"]
    now = timezone.now()
    survey = survey_create(
        by=cast["ada"],
        title="Offene Fragen",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        audience="everyone",
        questions=[
            QuestionSpec(SurveyQuestion.Kind.LIKERT, "Wie sicher fühlen Sie sich?"),
            QuestionSpec(SurveyQuestion.Kind.TEXT, "Was wünschen Sie sich?"),
        ],
    )
    pilot = UseCase.objects.create(
        title="Protokolle im Pilot",
        problem="Protokolle kosten Zeit.",
        solution="Der Protokollgenerator.",
        owner=cast["alice"],
        risk=UseCase.Risk.MINIMAL,
        status=UseCase.Status.PILOT,
        personal_data=True,
    )
    _job, in_review = protocol_for(cast["alice"], title="Zur Prüfung")
    protocol_submit(protocol=in_review, by=cast["alice"])
    today = timezone.localdate()
    return ids | {
        "text_survey": survey.pk,
        "pilot": pilot.pk,
        "review_protocol": in_review.pk,
        "today": today.isoformat(),
        "later": (today + timedelta(days=20)).isoformat(),
        "much_later": (today + timedelta(days=90)).isoformat(),
    }


def _as(client, cast: dict, member: str | None) -> None:
    if member is None:
        client.logout()
    else:
        client.force_login(cast[member])


def _send(client, request: Request, values: dict[str, list[str]], files: tuple[str, ...] = ()):
    """Submit like a browser: query string, urlencoded body, or multipart with a small PDF
    in each required file field and in `files`."""
    pairs = [(name, value) for name, items in values.items() for value in items]
    headers = {"HTTP_HX_REQUEST": "true"} if request.htmx else {}
    if request.method == "get":
        return client.get(f"{request.url.split('?')[0]}?{_encode(pairs)}", **headers)
    files = (*files, *(f.name for f in request.fields if f.kind == "file" and f.required))
    if request.multipart or files:
        data: dict[str, object] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(_no_surrogates(value))
        for name in files:
            data[name] = UPLOADS.get(name, _pdf)()
        return client.post(request.url, data, **headers)
    body = _encode(pairs)
    return client.post(
        request.url, body, content_type="application/x-www-form-urlencoded", **headers
    )


class _Rollback(Exception):
    """Raised at the end of an example: its savepoint is rolled back."""


def _errors(response) -> list[str]:
    """Return the error messages a form page shows (to say why a baseline was refused)."""
    html = response.content.decode(errors="replace")
    found = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</(?:ul|div|p)>', html, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", e).strip() for e in found]


def _submit_and_look(
    client, cast, objects, target: Target, request: Request, values
) -> tuple[int, list[str]]:
    """Submit `values` in a savepoint and load every page that shows them; return the
    submission's status and the form errors it showed."""
    cache.clear()  # allauth's rate-limit counters
    try:
        with transaction.atomic():
            _as(client, cast, target.member)
            response = _send(client, request, values, target.files)
            _check(response, f"{request.method.upper()} {request.url}")
            pages = [(target.page.format(**objects), target.member)]
            if response.status_code in (301, 302, 303):
                location = urlsplit(response["Location"])
                assert location.netloc in ("", "testserver"), f"sent off-site: {location}"
                path = location.path + (f"?{location.query}" if location.query else "")
                pages.insert(0, (path, target.member))
            pages += [(path.format(**objects), member) for path, member in target.shows]
            for path, member in pages:
                _as(client, cast, member)
                _check(client.get(path), f"{path} as {member} after {request.url}")
            status, errors = response.status_code, _errors(response)
            raise _Rollback
    except _Rollback:
        pass
    return status, errors


def _find(client, cast, objects, name: str, target: Target) -> Request:
    _as(client, cast, target.member)
    page = target.page.format(**objects)
    response = client.get(page)
    assert response.status_code == 200, f"{page}: {response.status_code}"
    found = [r for r in requests_on(page, response.content.decode()) if r.name == name]
    found = [r for r in found if r.text_fields]
    assert found, f"no form posting to {name} on {page}"
    return max(found, key=lambda r: len(r.fields))


def _planted(f: Field) -> list[str]:
    """Values every text field gets once: all payloads that fit, and NUL with escapes."""
    if f.kind == "textarea":
        payloads = joined(min(f.maxlength or 2000, 2000), PAYLOADS)
    else:
        payloads = joined(min(f.maxlength or 200, 200), ONE_LINE, sep=" ")
    return [payloads, "vor\x00nach \x1b[31mrot\x1b[0m"]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz(client, cast, fuzz_ids, name: str) -> None:
    """Hypothesis text in every text field: no 500, no active HTML where it is shown."""
    target = TARGETS[name]
    request = _find(client, cast, fuzz_ids, name, target)
    overrides = {
        k: v.format(**fuzz_ids) if isinstance(v, str) else v for k, v in target.overrides.items()
    }
    baseline = _baseline(request, overrides)

    # The untouched form is accepted: the fuzzing below reaches the code that stores.
    status, errors = _submit_and_look(client, cast, fuzz_ids, target, request, baseline)
    assert status == target.accepted, f"{name} refused {baseline}: {status} {errors}"

    # Each text field once with the corpus (most of it stored: then shown harmlessly) and
    # once with a NUL byte (PostgreSQL refuses NUL in text: a clear error, never a 500).
    stored = []
    for f in request.text_fields:
        for value in _planted(f):
            values = baseline | {f.name: [value]}
            status, _errors = _submit_and_look(client, cast, fuzz_ids, target, request, values)
            stored += [f.name] if status == target.accepted and "\x00" not in value else []
    assert stored or not target.stores, f"{name} stored the corpus in none of its fields"

    texts = {f.name: f for f in request.text_fields}
    strategy = st.fixed_dictionaries(
        {
            fname: st.one_of(st.just(baseline.get(fname, [""])[0]), fuzz_text(f.maxlength))
            for fname, f in texts.items()
        }
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(typed=strategy)
    def submit(typed: dict[str, str]) -> None:
        values = baseline | {k: [v] for k, v in typed.items()}
        _submit_and_look(client, cast, fuzz_ids, target, request, values)

    submit()


# ---------------------------------------------------------------------------------------
# Every parameter of every submission and link, and every text in a URL path

EXTRA_PAGES = [("/accounts/login/", None), ("/accounts/signup/", None)]
EXTRA_PAGES += [("/accounts/password/reset/", None)]
ODD = ["1\x00", '"><img src=x onerror=__xss("p1")>', "https://evil.example/", "\ud800"]


def _crawl(client, cast, objects) -> list[tuple[Request, str | None]]:
    """Fetch every matrix page (and the targets' pages) as everyone allowed there."""
    pages = [
        (path, member)
        for path, anonymous, per_member in MATRIX.values()
        for member in [None, *CAST]
        if (per_member.get(member) if member else anonymous) == 200
    ]
    pages += EXTRA_PAGES + [(t.page, t.member) for t in TARGETS.values()]
    found: dict[tuple, tuple[Request, str | None]] = {}
    for path, member in pages:
        _as(client, cast, member)
        page = path.format(**objects)
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for request in requests_on(page, response.content.decode()):
            key = (request.name, request.method, tuple(sorted(f.name for f in request.fields)))
            found.setdefault(key, (request, member))
    return list(found.values())


def test_every_text_form_is_fuzzed(client, cast, fuzz_ids) -> None:
    """Crawl every matrix page as everyone allowed there: each text form is a target."""
    crawled = [request for request, _member in _crawl(client, cast, fuzz_ids)]
    found = {request.name for request in crawled}
    texts = {request.name for request in crawled if request.text_fields}
    missing = texts - set(TARGETS)
    assert not missing, f"forms with text fields that are not fuzzed: {sorted(missing)}"
    assert set(TARGETS) <= found, f"targets no page offers: {set(TARGETS) - found}"


def _sweep(client, cast, request: Request, member: str | None, values: dict) -> str:
    """Submit `values` in a savepoint; return what went wrong ("" if nothing)."""
    cache.clear()
    where = f"{request.method.upper()} {request.url} as {member} with {values}"
    try:
        with transaction.atomic():
            _as(client, cast, member)
            response = _send(client, request, values)
            _check(response, where)
            if response.status_code in (301, 302, 303):
                location = urlsplit(response["Location"])
                assert location.netloc in ("", "testserver"), f"{where} → {location}"
            raise _Rollback
    except _Rollback:
        return ""
    except Exception as error:
        return f"{where}: {error!r}"[:400]


def test_odd_values_in_every_parameter(client, cast, fuzz_ids) -> None:
    """Every field of every form, htmx request and link, one at a time: NUL, a tag, an
    off-site URL, a lone surrogate. Hidden fields and choices too: browsers are not the only
    clients. No 500, nothing reflected as active HTML, no redirect off the site."""
    swept, failures = 0, []
    for request, member in _crawl(client, cast, fuzz_ids):
        baseline = _baseline(request, {})
        names = baseline.keys() | {f.name for f in request.fields if f.kind not in BUTTON_TYPES}
        for name in sorted(names - {"csrfmiddlewaretoken"}):
            for value in ODD:
                values = baseline | {name: [value]}
                failures.append(_sweep(client, cast, request, member, values))
                swept += 1
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)
    assert swept > 500  # the crawl found the portal's forms


def _with(route: str, kwargs: dict, odd: str) -> str:
    """Return the path of `route` with its str/slug parameters replaced by `odd`."""

    def part(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return (
            quote(odd, safe="", errors="surrogatepass")
            if converter in ("str", "slug")
            else str(kwargs[name])
        )

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", part, route)


def test_odd_text_in_every_path_parameter(client, cast, fuzz_ids) -> None:
    """Each URL with a text parameter (token, section, step, format), GET and POST."""
    paths = {(path.format(**fuzz_ids), m) for path, _a, per in MATRIX.values() for m in per}
    paths |= {(r.url, m) for r, m in _crawl(client, cast, fuzz_ids) if m is not None}
    tried, failures = set(), []
    for path, member in sorted(paths, key=str):
        match = resolve(urlsplit(path).path)
        if not re.search(r"<(str|slug):", match.route or ""):
            continue
        for odd in ("a\x00b", '"><img src=x onerror=__xss(1)>', "\ud800", "x" * 300):
            url = _with(match.route, match.kwargs, odd)
            if (url, member) in tried:
                continue
            tried.add((url, member))
            for method in (client.get, client.post):
                request = Request(method.__name__, url, [])
                failures.append(_sweep(client, cast, request, member, {}))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)
    assert len(tried) > 20


def test_the_checker_sees_active_html() -> None:
    """The page check itself: it flags what a browser would run, not escaped text."""
    assert active_html('<p>&lt;script&gt;__xss("1")&lt;/script&gt;</p>') == []
    assert active_html('<input value="&quot;&gt;&lt;img src=x onerror=__xss(1)&gt;">') == []
    assert active_html('<script src="/static/django-htmx/htmx.min.js" defer></script>') == []
    assert active_html('<a href="https://example.org/%3Cp%20onmouseover=__xss()%3E">x</a>') == []
    assert active_html("<script>__xss(1)</script>")
    assert active_html("<img src=x onerror=__xss(1)>")
    assert active_html('<a href=" java\tscript:__xss(1)">x</a>')
    assert active_html(f'<div hx-get="{CANARY}/h1" hx-trigger="load">h1</div>')
    assert active_html('<div hx-on:htmx:load="x()">')
    assert active_html('<iframe srcdoc="<script>x()</script>"></iframe>')
    assert active_html('<iframe sandbox="" srcdoc="&lt;img src=x onerror=y()&gt;"></iframe>')
    assert active_html("<p>49 t1</p>")
