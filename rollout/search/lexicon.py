"""German-aware word lookups beside full text: typing errors, parts of compounds, ae for ä.

PostgreSQL's `pg_trgm` and `unaccent` are contrib modules that a minimal or embedded
server may lack, so this uses core SQL only. The words are the records' own stemmed
lexemes, kept per source in `SearchWord` by a trigger (migration 0014). For each token
someone typed, its stem (the source's text search config) is looked up:

- words spelled alike after folding (ä/ae → a, ß → ss) always join the token:
  "Kuendigung" finds "Kündigung" and the other way round;
- compounds ending in the stem join it (a German compound's head is its last part):
  "Maske" finds "Schutzmaske", "Vereinbarung" "Betriebsvereinbarung"; a compound
  starting with it is full text's own prefix match (`token:*`);
- a stem that is no word of the source, not even the start of one, is probably misspelt:
  the nearest words one edit away (two for long words) stand in for it, found by exact
  index lookups of symmetric-delete keys and checked by edit distance:
  "Kurzarbeitergelt" finds "Kurzarbeitergeld", "Vereinbahrung" "Vereinbarung";
- an unknown compound whose parts the source has separately is matched by its parts:
  "Urlaubsantrag" finds "Urlaub beantragen".

One query for the stems, one for all lookups, whatever the number of tokens, and two more
when a compound is split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import connection, transaction

from rollout.search import synonyms
from rollout.search.sources import SearchSource

MIN_PART = 4  # shorter stems get no typo guesses: one edit from "rat" is half the vocabulary
MIN_COMPOUND_PART = 3  # "Rat" finds "Betriebsrat"; the compound must be 3 letters longer
MIN_HEAD = 3  # letters a compound must have before the part typed ("schutz"+"mask")
MAX_PARTS = 20  # compounds per token, shortest first
MAX_CORRECTIONS = 3
MIN_TAIL = 3  # letters of the second part of a split compound ("rad" in "Dienstrad")
LINKS = ("", "s", "es", "en", "n", "e", "er")  # linking elements between the parts
MAX_SPLITS = 6  # ways to split one compound that are tried
LONG_WORD = 8  # from this length (folded), two edits are still a typing error
MAX_ENDING = 3  # letters of a misspelt ending the stemmer could not take off: see clipped()
PREFIX_END = "\U0010ffff"  # sorts after any character: "stem" ≤ w < "stem\U0010ffff"


def fold(word: str) -> str:
    """Python twin of SQL `portal_fold` (keep them identical): ä/ae → a, ß → ss, lower."""
    word = word.lower().translate(str.maketrans("äöü", "aou"))
    for pair, letter in (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ß", "ss")):
        word = word.replace(pair, letter)
    return word


def delete_keys(folded: str) -> list[str]:
    """The folded word and, from four letters, each form of it with one letter deleted."""
    keys = [folded]
    if len(folded) >= 4:
        keys += [folded[:i] + folded[i + 1 :] for i in range(len(folded))]
    return list(dict.fromkeys(keys))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)


@dataclass(frozen=True)
class Split:
    """A typed compound the source has only in parts: "Urlaubsantrag" → urlaub + antrag."""

    head: tuple[str, ...]  # the stored word(s) the compound starts with (ae or ä)
    tail: str  # the rest after a linking element (folded); matches as the start of a…
    tail_words: tuple[str, ...]  # …or as the end of one of these ("beantrag")


@dataclass(frozen=True)
class Expansion:
    token: str  # as typed
    stem: str  # "" for a stop word
    known: bool  # the stem is a word of the source or the start of one
    alternatives: tuple[str, ...]  # same word (ae for ä) or corrections, matched exactly
    parts: tuple[str, ...] = ()  # compounds ending in the token, matched exactly
    split: Split | None = None  # for an unknown compound: its parts, both to be matched
    synonyms: tuple[str, ...] = ()  # glossary terms the token (or its phrase) also finds


def stems(tokens: Sequence[str], config: str) -> list[str]:
    """Return each token's lexeme under `config` ("" for a stop word), in order."""
    if not tokens:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, t)) LIMIT 1),"
            " '') FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n",
            [config, list(tokens)],
        )
        return [row[0] for row in cursor.fetchall()]


def typo_keys(token: str, stem: str) -> list[str]:
    """Keys of the stem and of the word as typed (a typo can change how it is stemmed)."""
    return list(dict.fromkeys(delete_keys(fold(stem)) + delete_keys(fold(token)) + clipped(token)))


def clipped(token: str) -> list[str]:
    """The typed word without its last one to MAX_ENDING letters (at least MIN_PART + 1 left).

    A misspelt ending defeats the stemmer ("Abrechnug" stays whole, "Abrechnung" becomes
    "abrechn"): a stored word that is the typed one minus a few letters is the next guess.
    """
    typed = fold(token)
    return [typed[:cut] for cut in range(max(MIN_PART + 1, len(typed) - MAX_ENDING), len(typed))]


def expansions(
    source: SearchSource,
    tokens: Sequence[str],
    stemmed: Sequence[str] | None = None,
    also: Sequence[synonyms.Found | None] | None = None,
) -> list[Expansion]:
    """Return, for each token, the source's words that should match beside it.

    `stemmed`, `also`: the tokens' `stems()` and `synonyms_of()`, where the caller has them.
    """
    stemmed = stems(tokens, source.config) if stemmed is None else stemmed
    branches, params = [], []
    for n, (token, stem) in enumerate(zip(tokens, stemmed, strict=True)):
        if not stem:
            continue
        folded = fold(stem)
        branches.append(
            "SELECT %s, 'known', '', '' WHERE EXISTS (SELECT 1 FROM rollout_searchword"
            " WHERE source = %s AND lexeme ~>=~ %s AND lexeme ~<~ %s)"
        )
        params += [n, source.name, stem, stem + PREFIX_END]
        branches.append(
            "SELECT DISTINCT %s, 'key', w.lexeme, w.folded FROM rollout_searchwordkey k"
            " JOIN rollout_searchword w ON w.id = k.word_id"
            " WHERE k.key = ANY(%s) AND w.source = %s"
        )
        params += [n, typo_keys(token, stem), source.name]
        if len(folded) >= MIN_COMPOUND_PART:
            tail = folded[::-1]
            branches.append(
                "(SELECT %s, 'part', lexeme, folded FROM rollout_searchword"
                " WHERE source = %s AND reverse(folded) ~>=~ %s AND reverse(folded) ~<~ %s"
                " AND char_length(folded) >= %s ORDER BY char_length(folded), lexeme LIMIT %s)"
            )
            params += [n, source.name, tail, tail + PREFIX_END, len(folded) + MIN_HEAD]
            params += [MAX_PARTS]
    found: dict[int, list[tuple[str, str, str]]] = {}
    if branches:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(branches), params)
            for n, kind, lexeme, folded in cursor.fetchall():
                found.setdefault(n, []).append((kind, lexeme, folded))
    also = synonyms_of(source.config, tokens, stemmed) if also is None else also
    result = [
        replace(
            _expansion(token, stem, found.get(n, [])),
            synonyms=also[n].targets[: synonyms.MAX_TARGETS] if also[n] else (),
        )
        for n, (token, stem) in enumerate(zip(tokens, stemmed, strict=True))
    ]
    unknown = {
        n: expansion
        for n, expansion in enumerate(result)
        if expansion.stem
        and not expansion.known
        and not expansion.alternatives
        and not expansion.parts
        and len(expansion.stem) >= MIN_PART + MIN_TAIL
    }
    for n, split in splits(source, unknown).items():
        result[n] = replace(result[n], split=split)
    return result


def synonyms_of(
    config: str, tokens: Sequence[str], stemmed: Sequence[str]
) -> list[synonyms.Found | None]:
    """Return, per token, what the glossary says it also finds (German searches only)."""
    glossary = synonyms.current(config, lambda words: glossary_keys(words, config))
    if glossary is None:
        return [None] * len(tokens)
    keys = [fold(stem or token) for token, stem in zip(tokens, stemmed, strict=True)]
    return glossary.matches(keys)


def glossary_keys(words: Sequence[str], config: str) -> list[str]:
    """Each word's folded stem; a stop word as it is ("geht nicht" is no "geht")."""
    return [fold(stem or word) for word, stem in zip(words, stems(words, config), strict=True)]


def splits(source: SearchSource, unknown: dict[int, Expansion]) -> dict[int, Split]:
    """Split unknown compounds into a stored word and a rest the source knows (two queries).

    Longest head first; the head must be a stored word, the rest may follow a linking
    element (Fugen-s and the like) and must start or end a stored word: "Krankmeldung" →
    krank + meld ("melde"), "Urlaubsantrag" → urlaub + antrag ("beantragen").
    """
    if not unknown:
        return {}
    heads = {
        n: [fold(e.stem)[:cut] for cut in range(len(fold(e.stem)) - MIN_TAIL, MIN_PART - 1, -1)]
        for n, e in unknown.items()
    }
    stored: dict[str, list[str]] = {}  # folded head → the stored words spelled so
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT folded, lexeme FROM rollout_searchword WHERE source = %s"
            " AND folded = ANY(%s) ORDER BY lexeme",
            [source.name, sorted({head for hs in heads.values() for head in hs})],
        )
        for folded, lexeme in cursor.fetchall():
            stored.setdefault(folded, []).append(lexeme)
    candidates: list[tuple[int, tuple[str, ...], str]] = []
    for n in unknown:
        found = []
        for head in (h for h in heads[n] if h in stored):
            rest = fold(unknown[n].stem)[len(head) :]
            found += [
                (n, tuple(stored[head]), rest[len(link) :])
                for link in LINKS
                if rest.startswith(link) and len(rest) - len(link) >= MIN_TAIL
            ]
        candidates += found[:MAX_SPLITS]
    if not candidates:
        return {}
    branches, params = [], []
    for c, (_n, _head, tail) in enumerate(candidates):
        reverse = tail[::-1]
        branches.append(
            "SELECT %s, '' WHERE EXISTS (SELECT 1 FROM rollout_searchword WHERE source = %s"
            " AND lexeme ~>=~ %s AND lexeme ~<~ %s)"
        )
        params += [c, source.name, tail, tail + PREFIX_END]
        branches.append(
            "(SELECT %s, lexeme FROM rollout_searchword WHERE source = %s"
            " AND reverse(folded) ~>=~ %s AND reverse(folded) ~<~ %s"
            " ORDER BY char_length(folded), lexeme LIMIT %s)"
        )
        params += [c, source.name, reverse, reverse + PREFIX_END, MAX_PARTS]
    matched: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        for c, lexeme in cursor.fetchall():
            matched.setdefault(c, []).append(lexeme)
    result: dict[int, Split] = {}
    for c, (n, head, tail) in enumerate(candidates):
        if c in matched and n not in result:
            words = tuple(dict.fromkeys(w for w in matched[c] if w))
            result[n] = Split(head, tail, words)
    return result


def _expansion(token: str, stem: str, rows: list[tuple[str, str, str]]) -> Expansion:
    if not stem:
        return Expansion(token, stem, known=False, alternatives=())
    folded = fold(stem)
    limit = 2 if len(folded) >= LONG_WORD else 1
    cuts = set(clipped(token))
    alike, near, cut, parts = [], [], [], []
    for kind, lexeme, other in rows:
        if kind == "part":
            parts.append(lexeme)
        elif kind == "key" and other == folded:
            alike.append(lexeme)
        elif kind == "key" and len(folded) >= MIN_PART:
            edits = min(
                edit_distance(folded, other, limit), edit_distance(fold(token), other, limit)
            )
            if edits <= limit:
                near.append((edits, abs(len(other) - len(folded)), lexeme))
            elif other in cuts:
                cut.append((-len(other), lexeme))
    # A word that starts or ends a stored word is no typing error ("Maske" in "Schutzmaske"
    # must not become "Masse").
    known = bool(parts) or any(kind == "known" for kind, _lexeme, _folded in rows)
    corrections = []
    if not known and near:
        best = min(edits for edits, _gap, _lexeme in near)
        corrections = [lx for edits, _gap, lx in sorted(near) if edits == best]
    elif not known:
        corrections = [lexeme for _length, lexeme in sorted(cut)]
    words = dict.fromkeys(alike + corrections[:MAX_CORRECTIONS])
    words.pop(stem, None)
    return Expansion(token, stem, known, tuple(words), tuple(p for p in parts if p not in words))


def rebuild() -> int:
    """Rebuild every source's word list from its records (drops words no record has left).

    The sources are read from the triggers themselves (their arguments: source name and
    tsvector column), so a new searchable kind needs only its trigger. Returns the words.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, encode(tgargs, 'escape') FROM pg_trigger"
            " WHERE tgfoid = 'portal_search_words_trigger'::regproc ORDER BY tgname"
        )
        triggers = [(table, args.split("\\000")[:2]) for table, args in cursor.fetchall()]
        cursor.execute(
            "DELETE FROM rollout_searchwordkey k USING rollout_searchword w WHERE k.word_id = w.id"
        )
        cursor.execute("DELETE FROM rollout_searchword")
        for table, (name, column) in triggers:
            # Both names come from the catalogue: regclass::text is quoted by PostgreSQL.
            column = connection.ops.quote_name(column)
            words = f"SELECT DISTINCT unnest(tsvector_to_array({column})) FROM {table}"  # noqa: S608
            cursor.execute(f"SELECT portal_add_search_words(%s, ARRAY({words}))", [name])
        cursor.execute("SELECT count(*) FROM rollout_searchword")
        return cursor.fetchone()[0]
