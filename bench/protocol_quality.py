"""How good are the protocols? Decisions and action items against gold, for a given model.

Runs the twelve German meetings in bench/data/protocol_quality/ through the portal's real
protocol path (job row → claim → the kind's generation with its template, parts, grammar,
cleaning and checks → stored Protocol) on the model given with `--model PATH`, and compares
each protocol with the hand-annotated gold:

- decisions and action items: precision and recall (a generated item matches a gold one when
  their words overlap enough: token F1 ≥ 0.34 against the gold's paraphrase or quote, each
  gold item matched at most once);
- owner accuracy and due-date accuracy over the matched action items (a first name counts
  for the full name; "no date" must be no date);
- rejected or postponed proposals listed as decisions (the gold's `not_decisions`);
- the share of items whose quote the server verified in the transcript;
- seconds per protocol.

`--smoke` runs two shortened meetings on the tests' tiny random model and checks the scoring
against the gold itself (it must score 1.0): the same code path in about a minute. The figures
of a random model mean nothing; the README has the table for a real one. Everything
(embedded PostgreSQL, data dir) is created here and removed after.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "protocol_quality"
MATCH = 0.34  # token F1 from which a generated item counts as the gold item
_COMMON_WORDS = (  # left out when words are compared
    "der die das den dem des ein eine einen einem einer und oder aber auch als am an auf aus "
    "bei bis da dass für hat haben im in ist mit nach nicht noch nur so sie sind um vom von "
    "vor wird werden wir zu zum zur über es er ich ihr man mal also äh ja jetzt dann schon "
    "the a an of to and for on in is be by"
)
STOPWORDS = frozenset(_COMMON_WORDS.split())


def tokens(text: object) -> set[str]:
    words = re.findall(r"[\wäöüß]+", str(text or "").casefold())
    return {w for w in words if w not in STOPWORDS and len(w) > 1}


def f1(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similarity(generated: dict, gold: dict, text_key: str) -> float:
    """How well a generated item matches a gold item: its text or quote against the gold's."""
    mine = [tokens(generated.get(text_key)), tokens(generated.get("source_quote"))]
    theirs = [tokens(gold.get("text") or gold.get("task")), tokens(gold.get("quote"))]
    return max(f1(a, b) for a in mine for b in theirs)


def match(generated: list[dict], gold: list[dict], text_key: str) -> list[tuple[dict, dict]]:
    """Pair generated with gold items, best pairs first, each item at most once."""
    pairs = sorted(
        (
            (similarity(g, o, text_key), i, j)
            for i, g in enumerate(generated)
            for j, o in enumerate(gold)
        ),
        reverse=True,
    )
    used_g, used_o, matched = set(), set(), []
    for score, i, j in pairs:
        if score < MATCH:
            break
        if i not in used_g and j not in used_o:
            used_g.add(i)
            used_o.add(j)
            matched.append((generated[i], gold[j]))
    return matched


def owner_right(generated: str, gold: str) -> bool:
    mine, theirs = tokens(generated), tokens(gold)
    return bool(mine) and mine <= theirs


@dataclass
class Tally:
    generated: int = 0
    gold: int = 0
    matched: int = 0

    def precision(self) -> float:
        return self.matched / self.generated if self.generated else 0.0

    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0


@dataclass
class Score:
    decisions: Tally = field(default_factory=Tally)
    actions: Tally = field(default_factory=Tally)
    owners_right: int = 0
    dates_right: int = 0
    rejected_listed: int = 0
    items: int = 0
    verified: int = 0

    def add(self, protocol: dict, gold: dict) -> None:
        decisions = [d for d in protocol.get("decisions", []) if isinstance(d, dict)]
        actions = [a for a in protocol.get("action_items", []) if isinstance(a, dict)]
        matched_decisions = match(decisions, gold["decisions"], "text")
        matched_actions = match(actions, gold["action_items"], "task")
        self.decisions.generated += len(decisions)
        self.decisions.gold += len(gold["decisions"])
        self.decisions.matched += len(matched_decisions)
        self.actions.generated += len(actions)
        self.actions.gold += len(gold["action_items"])
        self.actions.matched += len(matched_actions)
        for mine, theirs in matched_actions:
            self.owners_right += owner_right(mine.get("owner", ""), theirs["owner"])
            self.dates_right += (mine.get("due_date") or None) == theirs["due_date"]
        rejected = [{"text": text} for text in gold.get("not_decisions", [])]
        unmatched = [d for d in decisions if all(d is not m for m, _ in matched_decisions)]
        self.rejected_listed += len(match(unmatched, rejected, "text"))
        self.items += len(decisions) + len(actions)
        self.verified += sum(bool(item.get("verified")) for item in decisions + actions)

    def figures(self) -> dict[str, float]:
        matched = self.actions.matched
        return {
            "decision_precision": self.decisions.precision(),
            "decision_recall": self.decisions.recall(),
            "action_item_precision": self.actions.precision(),
            "action_item_recall": self.actions.recall(),
            "owner_accuracy": self.owners_right / matched if matched else 0.0,
            "due_date_accuracy": self.dates_right / matched if matched else 0.0,
            "rejected_listed_as_decisions": float(self.rejected_listed),
            "verified_quote_share": self.verified / self.items if self.items else 0.0,
        }


def meetings(smoke: bool) -> list[dict]:
    found = [json.loads(p.read_text()) for p in sorted(DATA.glob("*.json"))]
    if not smoke:
        return found
    short = []
    for meeting in found[:2]:  # two decisions and two action items, and only their lines
        gold = dict(meeting["gold"])
        gold["decisions"], gold["action_items"] = gold["decisions"][:2], gold["action_items"][:2]
        quotes = [item["quote"] for item in gold["decisions"] + gold["action_items"]]
        lines = [
            line for line in meeting["transcript"].splitlines() if any(q in line for q in quotes)
        ]
        short.append(meeting | {"transcript": "\n".join(lines), "gold": gold})
    return short


def gold_as_protocol(gold: dict) -> dict:
    """The gold written as a protocol: the scoring must give it full marks."""
    decisions = [{"text": d["text"], "source_quote": d["quote"]} for d in gold["decisions"]]
    actions = [
        {
            "task": a["task"],
            "owner": a["owner"],
            "due_date": a["due_date"],
            "source_quote": a["quote"],
        }
        for a in gold["action_items"]
    ]
    return {"decisions": decisions, "action_items": actions}


def generate(meeting: dict, owner) -> tuple[dict, float, str]:
    """Run one meeting through the real protocol path; return (protocol data, seconds, error)."""
    from assistants.models import GenerationJob, Protocol, ProtocolTemplate
    from assistants.services.generation import generation_job_run

    job = GenerationJob.objects.create(
        kind="protocol",
        owner=owner,
        input_text=meeting["transcript"],
        template=ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True),
        output_language="de",
        params={
            "title": meeting["title"],
            "meeting_date": meeting["meeting_date"],
            "participants": meeting["participants"],
        },
    )
    started = time.monotonic()
    generation_job_run(job_id=job.pk)
    seconds = time.monotonic() - started
    job.refresh_from_db()
    protocol = Protocol.objects.filter(job=job).first()
    return (protocol.data if protocol else {}), seconds, job.error


def scoring_self_check(chosen: list[dict]) -> None:
    """The gold itself must get full marks, before any model is asked."""
    check = Score()
    for meeting in chosen:
        check.add(gold_as_protocol(meeting["gold"]), meeting["gold"])
    figures = check.figures()
    perfect = ["decision_precision", "decision_recall", "action_item_precision"]
    perfect += ["action_item_recall", "owner_accuracy", "due_date_accuracy"]
    if any(figures[key] != 1.0 for key in perfect) or figures["rejected_listed_as_decisions"]:
        raise SystemExit(f"the scoring does not give the gold full marks: {figures}")


def measure(
    smoke: bool, model: Path, out: Path | None = None, only: set[str] | None = None
) -> dict:
    from portal.models import User

    owner = User.objects.create(email="bench@hallberg.example", name="Bench")
    score, seconds, failed = Score(), [], 0
    chosen = [m for m in meetings(smoke) if not only or m["id"] in only]
    if not chosen:
        raise SystemExit(f"no meeting with the ids {sorted(only or [])}")
    scoring_self_check(chosen)
    for meeting in chosen:
        data, took, error = generate(meeting, owner)
        if out is not None:  # to read what the model wrote next to the gold
            with out.open("a", encoding="utf-8") as file:
                record = {"id": meeting["id"], "protocol": data, "error": error}
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        seconds.append(took)
        failed += bool(error)
        before = Score()
        before.add(data, meeting["gold"])
        score.add(data, meeting["gold"])
        one = before.figures()
        print(
            f"{meeting['id']} {meeting['title'][:40]:40} {took:6.1f} s  decisions "
            f"{before.decisions.matched}/{before.decisions.gold} (of {before.decisions.generated})"
            f"  action items {before.actions.matched}/{before.actions.gold} "
            f"(of {before.actions.generated})  owners {one['owner_accuracy']:.2f}"
            f"  dates {one['due_date_accuracy']:.2f}{'  FAILED: ' + error[:80] if error else ''}"
        )
    figures = {k: round(v, 3) for k, v in score.figures().items()}
    figures |= {
        "seconds_per_protocol": round(sum(seconds) / len(seconds), 1),
        "failed": failed,
        "meetings": len(chosen),
        "model": model.name,
    }
    return figures


def main() -> int:
    from bench import arguments, django_on_embedded_postgres

    parser = arguments(__doc__)
    configured = os.environ.get("PORTAL_LLM_MODEL_PATH")
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(configured) if configured else None,
        help="the GGUF to measure, an instruct/chat one (default: PORTAL_LLM_MODEL_PATH)",
    )
    parser.add_argument("--n-ctx", type=int, default=8192, help="context length (default 8192)")
    parser.add_argument("--max-output-tokens", type=int, default=1536)
    parser.add_argument(
        "--out", type=Path, help="also write each generated protocol to this file (JSON lines)"
    )
    parser.add_argument("--only", help="comma-separated meeting ids, e.g. 01,07 (default: all)")
    options = parser.parse_args()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    models = Path(tempfile.mkdtemp(prefix="qbench-model-", dir="/tmp"))
    if options.smoke:
        from assistants.gguf_models import write_chat_model

        model = write_chat_model(models / "tiny-chat.gguf")
        n_ctx, max_out = 4096, 256
    elif options.model is None:
        # `make bench` runs every bench: without a real model there is nothing to measure.
        print("no model given (--model PATH, or PORTAL_LLM_MODEL_PATH): nothing measured")
        print(json.dumps({"meetings": 0}))
        shutil.rmtree(models, ignore_errors=True)
        return 0
    elif not options.model.is_file():
        parser.error(f"{options.model} is not a file: give a GGUF model with --model PATH")
    else:
        model, n_ctx, max_out = options.model.resolve(), options.n_ctx, options.max_output_tokens
    env = {
        "PORTAL_LLM_MODEL_PATH": str(model),
        "PORTAL_LLM_N_CTX": str(n_ctx),
        "PORTAL_LLM_N_THREADS": str(os.cpu_count() or 2),
        "PORTAL_LLM_MAX_OUTPUT_TOKENS": str(max_out),
        "PORTAL_LLM_BUSY_SHARE_PERCENT": "100",  # measure the model, not the politeness
    }
    started = time.monotonic()
    try:
        with django_on_embedded_postgres("qbench-", env):
            only = set(options.only.split(",")) if options.only else None
            figures = measure(options.smoke, model, options.out, only)
    finally:
        shutil.rmtree(models, ignore_errors=True)
    print(f"(whole run {time.monotonic() - started:.0f} s)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.protocol_quality")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (stack and data dir removed)")
