"""Synonyms: the words employees type for what the records call otherwise.

People search with their own words: "Lohnzettel" for "Gehaltsabrechnung", "Azubi" for
"Auszubildende", "Copilot" for any "KI-Tool". Neither typo tolerance nor an embedding model
bridges every such gap, so the German search also matches the words of a glossary: the
portal's own list (`synonyms_de.txt`, general workplace and AI-rollout German) and the
company's, kept by admins on the glossary page for its own names and jargon.

The format is the one of Solr's and Elasticsearch's synonym files, one rule a line:

    gehaltsabrechnung, lohnabrechnung, lohnzettel       each finds the others
    chatgpt, copilot => ki-tool, ki-werkzeug            the left side also finds the right

A term is one to three words. Terms and what someone typed are compared stem by stem (the
source's German stemmer, ä/ae folded), so "Lohnzettels" and "Azubis" match too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

BUILT_IN = Path(__file__).with_name("synonyms_de.txt")
WORD = re.compile(r"[^\W_]+")  # as fulltext.TOKEN: what a term's words must be
MAX_TERM_WORDS = 3
MAX_TERM_LENGTH = 60
MAX_TERMS = 32  # per rule: a longer line is a list, not a set of synonyms
MAX_TARGETS = 16  # terms one typed word may add to the full-text query


class GlossaryError(ValueError):
    """A rule that cannot be read; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Rule:
    line: int
    terms: tuple[str, ...]  # as written (lowercase)
    targets: tuple[str, ...]  # what `terms` also find: the other terms, or the right side

    @property
    def written(self) -> str:
        """The rule as a line of the file."""
        left = ", ".join(self.terms)
        return left if self.targets == self.terms else f"{left} => {', '.join(self.targets)}"


Term = tuple[str, ...]  # a term's words


def parse(text: str) -> list[Rule]:
    """Return the rules of a glossary text; raise GlossaryError naming each bad line."""
    rules, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            rules.append(_rule(number, line))
        except GlossaryError as e:
            errors.append(str(e))
    if errors:
        raise GlossaryError("\n".join(errors))
    return rules


def _rule(number: int, line: str) -> Rule:
    sides = line.split("=>")
    if len(sides) > 2:
        raise GlossaryError(_("Line %(line)d: “=>” may appear only once.") % {"line": number})
    left = _terms(number, sides[0])
    right = _terms(number, sides[1]) if len(sides) == 2 else ()
    if len(sides) == 2 and (not left or not right):
        raise GlossaryError(
            _("Line %(line)d: write terms on both sides of “=>”.") % {"line": number}
        )
    if len(sides) == 1 and len(left) < 2:
        raise GlossaryError(
            _("Line %(line)d: a rule needs at least two terms, separated by commas.")
            % {"line": number}
        )
    if len(left) + len(right) > MAX_TERMS:
        raise GlossaryError(
            _("Line %(line)d: at most %(max)d terms per line.") % {"line": number, "max": MAX_TERMS}
        )
    return Rule(number, left, right or left)


def _terms(number: int, side: str) -> tuple[str, ...]:
    terms = []
    for raw in side.split(","):
        term = " ".join(raw.lower().split())
        if not term:
            continue
        words = WORD.findall(term)
        if not words:
            raise GlossaryError(
                _("Line %(line)d: “%(term)s” contains no word.") % {"line": number, "term": term}
            )
        if len(words) > MAX_TERM_WORDS or len(term) > MAX_TERM_LENGTH:
            raise GlossaryError(
                _("Line %(line)d: “%(term)s” is too long (at most %(words)d words).")
                % {"line": number, "term": term[:MAX_TERM_LENGTH], "words": MAX_TERM_WORDS}
            )
        terms.append(term)
    return tuple(dict.fromkeys(terms))


@cache
def built_in_rules() -> tuple[Rule, ...]:
    return tuple(parse(BUILT_IN.read_text(encoding="utf-8")))


def words_of(term: str) -> Term:
    return tuple(WORD.findall(term))


@dataclass(frozen=True)
class Found:
    """What a typed term also finds."""

    targets: tuple[str, ...]  # every other term of its rule (the right side for "=>")
    preferred: str | None  # its rule's first term, unless that is what was typed


@dataclass(frozen=True)
class Glossary:
    """Rules keyed by their terms' words as typed words are: folded stems (see lexicon)."""

    index: dict[Term, Found]
    longest: int

    @classmethod
    def build(cls, rules: Iterable[Rule], stem: Callable[[Sequence[str]], list[str]]) -> Glossary:
        """Index `rules` by their terms' words as `stem` reduces them (one call for all).

        A term in several rules finds what each of them gives; the first rule names it.
        """
        rules = list(rules)
        words = sorted({w for r in rules for t in r.terms for w in words_of(t)})
        stems = dict(zip(words, stem(words), strict=True))
        key_of = {t: tuple(stems[w] for w in words_of(t)) for r in rules for t in r.terms}
        targets: dict[Term, dict[str, None]] = {}
        preferred: dict[Term, str | None] = {}
        for rule in rules:
            for term in rule.terms:
                key = key_of[term]
                found = targets.setdefault(key, {})
                found.update((t, None) for t in rule.targets if key_of.get(t) != key)
                first = rule.targets[0]
                preferred.setdefault(key, None if key_of.get(first) == key else first)
        index = {k: Found(tuple(t), preferred[k]) for k, t in targets.items() if t}
        return cls(index, max((len(key) for key in index), default=0))

    def matches(self, keys: Sequence[str]) -> list[Found | None]:
        """Return, per typed token (by its key: folded stem), what it also finds.

        Longest terms first: in "steering committee aufgaben" the two-word term wins over
        any rule for "committee" alone; each word of a matched term gets the same targets.
        """
        found: list[Found | None] = [None] * len(keys)
        start = 0
        while start < len(keys):
            for size in range(min(self.longest, len(keys) - start), 0, -1):
                hit = self.index.get(tuple(keys[start : start + size]))
                if hit:
                    found[start : start + size] = [hit] * size
                    start += size
                    break
            else:
                start += 1
        return found


_loaded: dict[str, tuple[object, Glossary]] = {}  # config → (company list's version, glossary)


def current(config: str, stem: Callable[[Sequence[str]], list[str]]) -> Glossary | None:
    """Return the glossary for a source's text search config (None: not German).

    Built once per process, and again after an admin changed the company's list: one read
    of its `updated_at` per search tells.
    """
    from rollout.search.models import SearchGlossary

    if config != "german":
        return None
    rows = SearchGlossary.objects.filter(pk=1)
    version = rows.values_list("updated_at", flat=True).first()
    loaded = _loaded.get(config)
    if loaded is None or loaded[0] != version:
        row = rows.first()
        version = row.updated_at if row else None
        loaded = _loaded[config] = (version, Glossary.build(active_rules(row), stem))
    return loaded[1]


def active_rules(row) -> list[Rule]:
    """The rules in force: the built-in ones unless switched off, then the company's."""
    if row is None:
        return list(built_in_rules())
    return [*(built_in_rules() if row.use_built_in else ()), *_readable(row.text)]


def _readable(text: str) -> list[Rule]:
    """The company's rules; a line that no longer parses (saved by an older version) is left out."""
    rules = []
    for line in text.splitlines():
        try:
            rules += parse(line)
        except GlossaryError:
            continue
    return rules


def expanded_text(text: str, found: Sequence[Found | None]) -> str:
    """Return `text` with the preferred terms of what it matched (for the embedding model).

    Only the rule's first term: the model reads "Lohnzettel (gehaltsabrechnung)" as pay
    slips; ten synonyms more would only blur the query.
    """
    extra = list(dict.fromkeys(f.preferred for f in found if f and f.preferred))
    return f"{text} ({', '.join(extra)})" if extra else text
