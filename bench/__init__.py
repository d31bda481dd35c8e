"""Benchmarks: each module measures the portal against a baseline in the same run.

Run one from the project root as a module, `python -m bench.<name>` (`--smoke` for the same
code path on small sizes, as `make test` does): the project root then comes first on
sys.path, so `bench/newsletter.py` never stands in for the `newsletter` app, and every
server or worker a bench starts runs with the project root as its working directory.
"""

from __future__ import annotations

import argparse
import os


def arguments(doc: str) -> argparse.ArgumentParser:
    """Return a parser described by `doc`'s first line, with `--smoke` (or BENCH_SMOKE=1)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        default=os.environ.get("BENCH_SMOKE") == "1",
        help="same code path on small sizes, to prove the bench runs (figures mean little)",
    )
    return parser
