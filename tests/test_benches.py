"""Every bench runs once in smoke mode, so that a broken bench fails `make test`.

Each `bench/<name>.py` (found by glob: a new bench is covered without touching this file)
runs as `make bench` runs it, `python -m bench.<name>`, from the project root, with `--smoke`:
the same code path on small sizes and, where a model is needed, a small generated one. It
starts its own embedded stack, servers and workers. A `sitecustomize` module on PYTHONPATH
carries the session's network guard into that process and every Python process it starts:
benches stay on this machine (loopback and unix sockets), and every attempt to leave it is
written down and fails the test even if the bench caught the error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))
TIMEOUT_SECONDS = 600

# Loaded by `site` in every Python process of a bench run (PYTHONPATH): the suite's guard,
# writing each attempt to a file that the test reads, since the bench may catch the error.
GUARD = """\
import os

from tests import netguard


def _refuse(what):
    with open(os.environ["BENCH_NETWORK_LOG"], "a") as log:
        log.write(f"pid {os.getpid()}: {what}\\n")
    raise PermissionError(f"{what} blocked: benches stay on loopback")


netguard.install(_refuse)
"""


def _figures(stdout: str) -> dict:
    """Return the JSON object on the last line of a bench's output."""
    lines = stdout.strip().splitlines()
    assert lines, "the bench printed nothing"
    figures = json.loads(lines[-1])
    assert isinstance(figures, dict), lines[-1]
    return figures


def _run(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run a bench from the project root; past the timeout, stop it as Ctrl-C would.

    SIGTERM lets the bench stop its stack, servers and workers (SIGKILL would leave them).
    """
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as bench:
        try:
            stdout, stderr = bench.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            bench.terminate()
            try:
                stdout, stderr = bench.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                bench.kill()
                stdout, stderr = bench.communicate()
            pytest.fail(f"over {TIMEOUT_SECONDS} s:\nstdout:\n{stdout[-4000:]}\n{stderr[-4000:]}")
    return bench.returncode, stdout, stderr


def test_benches_are_found() -> None:
    assert BENCHES, "no bench/*.py found"


@pytest.mark.slow
@pytest.mark.parametrize("name", BENCHES)
def test_bench_smoke(name: str, tmp_path: Path) -> None:
    (tmp_path / "guard").mkdir()
    (tmp_path / "guard" / "sitecustomize.py").write_text(GUARD)
    network_log = tmp_path / "network.log"
    paths = [str(tmp_path / "guard"), str(ROOT), os.environ.get("PYTHONPATH")]
    path = os.pathsep.join(filter(None, paths))
    env = os.environ | {"PYTHONPATH": path, "BENCH_NETWORK_LOG": str(network_log)}
    returncode, stdout, stderr = _run([sys.executable, "-m", f"bench.{name}", "--smoke"], env)
    output = f"stdout:\n{stdout[-4000:]}\nstderr:\n{stderr[-4000:]}"
    assert returncode == 0, output
    left = network_log.read_text() if network_log.exists() else ""
    assert not left, f"bench.{name} tried to leave the machine:\n{left}"
    figures = _figures(stdout)
    numbers = [
        v for v in figures.values() if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    assert numbers, f"no numeric figure in {figures}"
