"""People's names as the portal shows them: normalised, and checked for look-alikes.

A name is what colleagues trust: "Аda Nеumann" with two Cyrillic letters looks exactly like
the programme admin. So names are normalised (NFKC, no invisible characters, single spaces)
and refused where they mix scripts inside one word, or look like another person's name
without being it (same skeleton, other letters). A name wholly in one script ("Анна
Иванова") is fine, and two people may have the same name. Names from single sign-on are
the identity provider's: normalised, not refused, but flagged on the people page.

The look-alike table is Unicode's confusables data, from the `confusable_homoglyphs` package.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables
from django.utils.translation import gettext as _

MIXED_SCRIPTS = "mixed_scripts"
LOOKS_LIKE = "looks_like"


def normalise_name(name: str) -> str:
    """NFKC, without control, invisible or unassigned characters, spaces collapsed."""
    name = unicodedata.normalize("NFKC", name)
    name = "".join(
        " " if c.isspace() else c for c in name if c.isspace() or unicodedata.category(c)[0] != "C"
    )
    return " ".join(name.split())


@lru_cache(maxsize=4096)
def _skeleton_char(char: str) -> str:
    if char.isascii():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin", "common"], greedy=True)
    if found and found[0]["homoglyphs"]:
        return found[0]["homoglyphs"][0]["c"]
    return char


def skeleton(name: str) -> str:
    """What the name looks like: every look-alike letter replaced by its Latin twin."""
    return "".join(_skeleton_char(c) for c in normalise_name(name)).casefold()


def mixes_scripts(name: str) -> bool:
    """True where a word mixes scripts (Latin with Cyrillic, Greek, …)."""
    return any(confusables.is_mixed_script(word) for word in normalise_name(name).split())


def look_alike(name: str, others: list[str]) -> str | None:
    """Return the first of `others` that looks like `name` but is written differently."""
    name = normalise_name(name)
    shape = skeleton(name)
    for other in others:
        if other.casefold() != name.casefold() and skeleton(other) == shape:
            return other
    return None


def name_error(name: str, others: list[str]) -> str | None:
    """Return what to fix about `name`, for a form; None when it may be used."""
    if mixes_scripts(name):
        return _(
            "The name mixes alphabets within a word (for example Latin and Cyrillic letters "
            "that look alike). Please write it in one alphabet."
        )
    if look_alike(name, others):
        return _(
            "The name looks like that of another person in the portal but is written with "
            "other characters. Please write it with the letters of your keyboard, or ask the "
            "programme team."
        )
    return None


def flagged_names(names: list[str]) -> dict[str, list[str]]:
    """Return, for each of `names` that is flagged, its reasons (one pass over all names)."""
    shapes: dict[str, set[str]] = {}
    for name in names:
        shapes.setdefault(skeleton(name), set()).add(name.casefold())
    flagged = {}
    for name in names:
        reasons = [MIXED_SCRIPTS] if mixes_scripts(name) else []
        if len(shapes[skeleton(name)]) > 1:
            reasons.append(LOOKS_LIKE)
        if reasons:
            flagged[name] = reasons
    return flagged


def other_names(exclude_pk: int | None = None) -> list[str]:
    """The names of everyone else in the portal (for the look-alike check)."""
    from portal.models import User

    people = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    return list(people.values_list("name", flat=True))
