"""Full-text ranking: a prefix-aware German tsquery built from what someone typed.

Input is reduced to word characters (letters and digits of any script), so nothing a person
types can reach tsquery syntax (`&`, `|`, `!`, `:`, quotes, parentheses). Every token becomes
`token:*`: "Protok" finds "Protokoll" while the word is being typed, and the German stemmer
applied by to_tsquery makes "Protokolle" find "Protokoll".

Tokens are ANDed first (precise, narrows as one types). When that finds nothing and there
are several tokens, they are ORed instead, so one misspelt or absent word does not empty
the list; ts_rank_cd then puts records matching more tokens first. Each token also
matches the words `lexicon` finds for it (typing errors, compounds, ae for ä).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Length

from rollout.search import lexicon
from rollout.search import synonyms as glossary
from rollout.search.sources import SearchSource

TOKEN = re.compile(r"[^\W_]+")  # \w without the underscore, which tsquery parses apart
MAX_TOKENS = 12
MAX_TOKEN_LENGTH = 60  # longer "words" are noise (pasted hashes, URLs without separators)
MAX_RANKED = 1000
MIN_PREFIX = 4  # glossary words from this length also match as the start of a word


def query_tokens(text: str) -> list[str]:
    """Return the distinct word tokens of `text` (case-insensitive), in order, capped."""
    seen: dict[str, str] = {}
    for token in TOKEN.findall(text):
        if len(token) <= MAX_TOKEN_LENGTH and token.lower() not in seen:
            seen[token.lower()] = token
    return list(seen.values())[:MAX_TOKENS]


def tsquery(tokens: list[str], *, operator: str = "&", config: str = "german") -> SearchQuery:
    """Return the prefix query of sanitised `tokens` joined by `operator` (& or |)."""
    if operator not in ("&", "|") or not all(TOKEN.fullmatch(t) for t in tokens):
        raise ValueError("tokens must come from query_tokens()")
    raw = f" {operator} ".join(f"{token}:*" for token in tokens)
    return SearchQuery(raw, config=config, search_type="raw")


def ranked_ids(
    source: SearchSource,
    queryset: QuerySet,
    query: SearchQuery,
    limit: int,
    *,
    rank_by: Sequence[SearchQuery] = (),
) -> list[int]:
    """Return the ids of the `limit` best matches of `query` in `queryset`, best first.

    At most MAX_RANKED matches are ranked: ts_rank_cd reads every match's vector, and a
    prefix of three or four letters can match half of a big library (200 ms at 100,000
    records). Beyond that a query is too broad for its order to mean much; each further
    letter narrows it, and the vector side still contributes its nearest records.
    """
    field = source.search_vector_field
    matches = queryset.filter(**{field: query}).order_by().values("pk")[:MAX_RANKED]
    rank = reduce(
        operator.add,
        [SearchRank(F(field), q, cover_density=True) for q in (rank_by or [query])],
    )
    # Equal ranks go to the shorter title: of two entries that match alike, the one whose
    # title says little else is the closer one (the id only keeps the order stable).
    ranked = (
        source.model._default_manager.filter(pk__in=matches)
        .annotate(_rank=rank)
        .order_by("-_rank", Length(source.title_field), "pk")
    )
    return list(ranked.values_list("pk", flat=True)[:limit])


@dataclass(frozen=True)
class Ranking:
    ids: list[int]
    every_word: bool  # False: the any-token fallback, hits may share one common word only
    marks: SearchQuery | None  # every token with its alternatives, ORed (for highlights)


def token_query(
    expansion: lexicon.Expansion, config: str, *, parts: bool = True, synonyms: bool = True
) -> SearchQuery:
    """Return `token:*` (stemmed by `config`) or any of the words found for the token."""
    query = tsquery([expansion.token], config=config)
    words = [*expansion.alternatives, *(expansion.parts if parts else ())]
    words = [word for word in words if TOKEN.fullmatch(word)]
    if words:  # lexemes as stored: the simple config matches them without stemming again
        query = query | _stored(" | ".join(words))
    split = expansion.split
    if split and all(TOKEN.fullmatch(w) for w in (*split.head, split.tail)):
        tail = [f"{split.tail}:*", *(w for w in split.tail_words if TOKEN.fullmatch(w))]
        query = query | (_stored(" | ".join(split.head)) & _stored(" | ".join(tail)))
    for term in expansion.synonyms if synonyms else ():
        query = query | term_query(glossary.words_of(term), config)
    return query


def term_query(words: tuple[str, ...], config: str) -> SearchQuery:
    """Return a glossary term as a query: all its words, stemmed, longer ones as prefixes.

    Two or three letters ("ki", "it") match only themselves: as prefixes they would find
    "Kilometer" and "Item".
    """
    if not words or not all(TOKEN.fullmatch(w) for w in words):
        raise ValueError("words must come from synonyms.words_of()")
    raw = " & ".join(f"{w}:*" if len(w) >= MIN_PREFIX else w for w in words)
    return SearchQuery(raw, config=config, search_type="raw")


def _stored(raw: str) -> SearchQuery:
    return SearchQuery(raw, config="simple", search_type="raw")


def fulltext_ranking(
    source: SearchSource,
    queryset: QuerySet,
    text: str,
    limit: int,
    *,
    stemmed: list[str] | None = None,
    also: list[glossary.Found | None] | None = None,
) -> Ranking:
    """Return ids ranked by full text: all tokens first, any token if that finds nothing.

    Each token also matches the words `lexicon` finds for it: the same word spelled with
    ae for ä, for a word the source does not know the nearest ones, and compounds ending
    in it. Compounds count for matching but not for the rank: a query of twenty ORed
    compounds makes ts_rank_cd three times slower (bench/search.py), and a record that
    has the typed word itself is the closer one. For the same reason the words as typed
    count twice beside glossary synonyms: "Protokoll Besprechung" puts the record saying
    "Besprechung" before the one saying "Meeting". Stop words are left out, as to_tsquery
    would. `stemmed`, `also`: see `lexicon.expansions`.
    """
    expansions = lexicon.expansions(source, query_tokens(text), stemmed, also)
    expansions = [e for e in expansions if e.stem]
    if not expansions:
        return Ranking([], True, None)
    queries = [token_query(e, source.config) for e in expansions]
    ranks = [[token_query(e, source.config, parts=False) for e in expansions]]
    if any(e.synonyms for e in expansions):
        ranks.append(
            [token_query(e, source.config, parts=False, synonyms=False) for e in expansions]
        )
    any_token = reduce(operator.or_, queries)
    every = reduce(operator.and_, queries)
    rank_by = [reduce(operator.and_, r) for r in ranks]
    ids = ranked_ids(source, queryset, every, limit, rank_by=rank_by)
    if ids or len(queries) == 1:
        return Ranking(ids, True, any_token)
    rank_by = [reduce(operator.or_, r) for r in ranks]
    ids = ranked_ids(source, queryset, any_token, limit, rank_by=rank_by)
    return Ranking(ids, False, any_token)


# --- similar records: the lexemes of a whole text, not a typed query --------------------

MAX_LEXEMES = 32
SHARE_NEEDED = 0.2  # of the text's lexemes a record must contain to count as similar
SIMILAR_CANDIDATES = 50


@dataclass(frozen=True)
class Lexemes:
    words: list[str]  # the title's first, then the text's most frequent; stemmed
    title: frozenset[str]


def text_lexemes(title: str, text: str, *, config: str = "german") -> Lexemes:
    """Return the stemmed lexemes of `title`, then the most frequent of `text` (capped)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, part FROM ("
            " SELECT lexeme, 0 AS part, 0 AS n, positions[1] AS first"
            " FROM unnest(to_tsvector(%s::regconfig, %s))"
            " UNION ALL"
            " SELECT lexeme, 1, -cardinality(positions), positions[1]"
            " FROM unnest(to_tsvector(%s::regconfig, %s))"
            ") x ORDER BY part, n, first",
            [config, title, config, text],
        )
        rows = cursor.fetchall()
    # Lexemes like "e-mail" or "3.5" would be parsed apart again in a tsquery: skip them.
    rows = [(lexeme, part) for lexeme, part in rows if TOKEN.fullmatch(lexeme)]
    words = list(dict.fromkeys(lexeme for lexeme, _part in rows))[:MAX_LEXEMES]
    return Lexemes(words, frozenset(lx for lx, part in rows if part == 0 and lx in words))


def lexeme_query(lexemes: list[str]) -> SearchQuery:
    """Return a query matching any of these (already stemmed) lexemes, not stemmed again."""
    if not lexemes or not all(TOKEN.fullmatch(lx) for lx in lexemes):
        raise ValueError("lexemes must come from text_lexemes()")
    return SearchQuery(" | ".join(lexemes), config="simple", search_type="raw")


def similar_ids(
    source: SearchSource, queryset: QuerySet, lexemes: Lexemes, limit: int
) -> list[int]:
    """Return ids of records sharing enough of `lexemes`, most shared first.

    A record must contain at least 20 % of the text's lexemes (at least two, or all of them
    for a one-word text), one of them from the title if one was typed: a couple of common
    words ("Zeit", "Kunde") in a description are no similarity. Meaning without shared
    words is the vector side's part.
    """
    if not lexemes.words:
        return []
    field, query = source.search_vector_field, lexeme_query(lexemes.words)
    rows = (
        queryset.filter(**{field: query})
        .annotate(
            _rank=SearchRank(F(field), query, cover_density=True),
            _lexemes=Func(
                F(field), function="tsvector_to_array", output_field=ArrayField(TextField())
            ),
        )
        .order_by("-_rank", "pk")
        .values_list("pk", "_rank", "_lexemes")[:SIMILAR_CANDIDATES]
    )
    wanted = set(lexemes.words)
    needed = min(len(wanted), max(2, math.ceil(len(wanted) * SHARE_NEEDED)))
    scored = [
        (len(wanted.intersection(have)), rank, pk)
        for pk, rank, have in rows
        if not lexemes.title or lexemes.title.intersection(have)
    ]
    scored = [s for s in scored if s[0] >= needed]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [pk for _shared, _rank, pk in scored[:limit]]
