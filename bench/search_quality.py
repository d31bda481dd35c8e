"""Does the FAQ search find what German employees type? Full text, embeddings, hybrid.

Loads tests/data/search/faq_de.json — 120 FAQ entries of our own on workplace and AI-rollout
topics, with paraphrased questions as people type them, queries with typing errors, and
queries that name only a part of a German compound — into a fresh embedded PostgreSQL,
embeds the entries with the portal's default embedding model (multilingual-e5-small and the
multilingual Universal Sentence Encoder side by side; `--backend e5` for e5 alone), and runs
every query three ways through the portal's own code:

- full text alone (`rollout.search.fulltext`, the German tsquery with prefixes),
- embeddings alone (the vector ranking with the model's similarity floor),
- hybrid: `rollout.faq.search.faq_search` exactly as a German user gets it.

For each way and query set it prints top-1 and top-3 (the asked entry is first / among the
first three), MRR (mean of 1/rank, 0 when missing) and the share of queries with no result
at all, then the hybrid search's latency per query including the query's embedding. The
last line is one JSON object. `--smoke` runs a tenth of the queries.

Everything is deterministic (no sampling, fixed data), so figures of two runs with different
`--backend` compare directly.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles

from bench import django_on_embedded_postgres

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "search" / "faq_de.json"
QUERY_SETS = ("paraphrases", "holdout", "typos", "compounds")
WAYS = ("fulltext", "embeddings", "hybrid")


@dataclass
class Score:
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the answer
    empty: int = 0

    def add(self, ids: list[int], answer: int) -> None:
        self.ranks.append(ids.index(answer) + 1 if answer in ids else None)
        self.empty += not ids

    def figures(self) -> dict[str, float]:
        n = len(self.ranks) or 1
        return {
            "top1": round(sum(r == 1 for r in self.ranks) / n, 3),
            "top3": round(sum(r is not None and r <= 3 for r in self.ranks) / n, 3),
            "mrr": round(sum(1 / r for r in self.ranks if r) / n, 3),
            "no_result": round(self.empty / n, 3),
        }


def load_entries(data: dict) -> dict[str, int]:
    """Create the FAQ entries; return their primary keys by the data's ids."""
    import datetime

    from rollout.faq.models import FaqCategory, FaqEntry

    category = FaqCategory.objects.create(name_de="Allgemein")
    ids = {}
    for entry in data["entries"]:
        ids[entry["id"]] = FaqEntry.objects.create(
            category=category,
            question_de=entry["question"],
            answer_de=entry["answer"],
            reviewed_on=datetime.date(2026, 12, 1),
        ).pk
    return ids


def measure(smoke: bool) -> dict:
    from assistants.embeddings import get_embedder
    from rollout.faq.search import faq_reindex, faq_search, faq_source, published
    from rollout.search import fulltext, hybrid

    data = json.loads(DATA.read_text(encoding="utf-8"))
    ids = load_entries(data)
    started = time.monotonic()
    faq_reindex()
    embedder = get_embedder()
    took = time.monotonic() - started
    print(f"[data] {len(ids)} entries embedded with {embedder.model_name} in {took:.1f} s; "
          f"similarity floor {embedder.min_similarity}")  # fmt: skip
    source, queryset = faq_source(), published()
    scores = {(way, name): Score() for way in WAYS for name in QUERY_SETS}
    seconds = []
    for name in QUERY_SETS:
        queries = data[name][::10] if smoke else data[name]
        for item in queries:
            query, answer = item["query"], ids[item["answer"]]
            text = hybrid.clean_text(query, hybrid.MAX_QUERY_LENGTH)
            scores["fulltext", name].add(
                fulltext.fulltext_ranking(source, queryset, text, hybrid.FULLTEXT_CANDIDATES).ids,
                answer,
            )
            scores["embeddings", name].add(
                hybrid._vector_ranking(
                    source,
                    queryset,
                    text,
                    limit=hybrid.VECTOR_CANDIDATES,
                    min_similarity=None,
                    embedder=embedder,
                    query=True,
                ),
                answer,
            )
            began = time.perf_counter()
            hits = faq_search(query, language="de")
            seconds.append(time.perf_counter() - began)
            scores["hybrid", name].add([hit.obj.pk for hit in hits], answer)
    figures: dict = {"entries": len(ids), "model": embedder.model_name}
    print(f"{'':12} {'queries':>7}  {'way':<10} {'top-1':>6} {'top-3':>6} {'MRR':>6} {'none':>6}")
    for name in QUERY_SETS:
        for way in WAYS:
            result = scores[way, name].figures()
            n = len(scores[way, name].ranks)
            print(f"{name:<12} {n:>7}  {way:<10} {result['top1']:>6.3f} {result['top3']:>6.3f} "
                  f"{result['mrr']:>6.3f} {result['no_result']:>6.3f}")  # fmt: skip
            figures.update({f"{name}_{way}_{key}": value for key, value in result.items()})
        figures[f"{name}_queries"] = n
    cuts = quantiles([s * 1000 for s in seconds], n=20)
    figures["hybrid_p50_ms"], figures["hybrid_p95_ms"] = round(cuts[9], 1), round(cuts[18], 1)
    print(f"[latency] hybrid FAQ search incl. the query's embedding: p50 "
          f"{figures['hybrid_p50_ms']} ms, p95 {figures['hybrid_p95_ms']} ms")  # fmt: skip
    return figures


def main() -> int:
    from bench import arguments

    parser = arguments(__doc__)
    parser.add_argument("--backend", choices=("e5-use", "e5"), default="e5-use")
    options = parser.parse_args()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    # One thread for the model, as the web process has on 2 cores.
    env = {"PORTAL_EMBEDDING_BACKEND": options.backend, "PORTAL_LLM_N_THREADS": "1"}
    with django_on_embedded_postgres("sqbench-", env):
        figures = measure(options.smoke)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.search_quality")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (stack and data dir removed)")
