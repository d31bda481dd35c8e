"""What the portal adds on top of llama.cpp, on a random model shaped like a ~0.5B instruct one.

1. e2e/raw: POST to the protocol form → job done (view, service, Redis, Celery worker, job
   rows) over the same `create_chat_completion` called directly in this process.
2. TTFT of a second job over the first on a fresh llm worker: the fixed prompt prefix comes
   first, so llama.cpp reuses its KV cache for it.
3. Decoding with the JSON-schema grammar over free decoding (same prompt, same token count).
Everything (embedded PostgreSQL + Redis, worker, data dir) is created here and removed after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHAPE = {"n_embd": 896, "n_layer": 24, "n_head": 14, "n_head_kv": 2, "n_ff": 4864}  # Qwen2.5-0.5B
N = 64  # output tokens per job; PORTAL_LLM_MAX_OUTPUT_TOKENS may not go below 64
N_DECODE = 128  # output tokens per call in the decoding comparison
ROUNDS = 5  # measured rounds per comparison, after one warm-up round
TARGETS = {"e2e_over_raw": 1.10, "ttft_second_over_first": 0.25}
TARGETS["constrained_over_unconstrained"] = 1.3
STATUS_KEY = "assistants:model-status"
TITLE, DATE = "Jour fixe KI-Einführung", "2025-03-04"
PEOPLE = ("Anna", "Ben", "Carla", "David", "Eva", "Felix", "Greta", "Hannes", "Ines", "Jonas",
          "Klara", "Lukas", "Mia", "Noah")  # fmt: skip
TOPICS = (
    "die Schulung im Vertrieb", "den Pilot für Angebotsentwürfe", "die Freigabe durch den "
    "Datenschutz", "das Budget für Lizenzen", "die Vorlage für Protokolle", "den Newsletter",
    "die Sprechstunde am Freitag", "die Auswertung der Umfrage", "den Workshop im April",
)  # fmt: skip


def transcript(index: int, lines: int) -> str:
    """A note that differs from every other index from its first token on (no free prefix)."""
    return "\n".join(
        f"{PEOPLE[(index + k) % len(PEOPLE)]}: Zu Punkt {index * 7 + k} über "
        f"{TOPICS[(index + 2 * k) % len(TOPICS)]} haben wir entschieden, dass "
        f"{PEOPLE[(index + k + 3) % len(PEOPLE)]} das bis 2025-04-{1 + (index + k) % 28:02d} klärt."
        for k in range(lines)
    )


def bench_model() -> tuple[Path, int]:
    """Write (or reuse) the model under var/bench/, keyed by shape and writer source."""
    from assistants import gguf_models

    source = Path(gguf_models.__file__).read_bytes()
    key = hashlib.sha256(json.dumps(SHAPE).encode() + source).hexdigest()[:12]
    path = ROOT / "var" / "bench" / f"chat-0.5b-shape-{key}.gguf"
    if not path.exists():
        print(f"writing {path.name} …", flush=True)
        gguf_models.write_chat_model(path, n_ctx=4096, name="bench-0.5b-random", **SHAPE)
    import gguf

    params = sum(int(t.n_elements) for t in gguf.GGUFReader(path).tensors)
    return path, params


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(name: str, value: float) -> str:
    ok = "PASS" if value <= TARGETS[name] else "FAIL"
    return f"{name} = {value:.3f} (target ≤ {TARGETS[name]}) {ok}"


def raw_chat(llm: Any, messages: list, max_tokens: int, schema: dict | None) -> tuple:
    """Call llama.cpp as the portal's backend does; return (seconds, ttft, tokens)."""
    fmt = {"type": "json_object", "schema": schema} if schema is not None else None
    started, first, tokens = time.monotonic(), None, 0
    stream = llm.create_chat_completion(
        messages=messages, max_tokens=max_tokens, temperature=0.2, stream=True, response_format=fmt
    )
    for chunk in stream:
        if chunk["choices"][0]["delta"].get("content"):
            tokens += 1
            first = first if first is not None else time.monotonic() - started
    return time.monotonic() - started, first, tokens


class Worker:
    """A real `celery worker -Q llm -c 1` subprocess against this run's stack."""

    def __init__(self, data: Path, name: str) -> None:
        from django.core.cache import cache

        cache.delete(STATUS_KEY)
        self.log = data / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "llm"]
        command += ["-c", "1", "-n", f"{name}@%h", "--loglevel", "info"]
        with self.log.open("w") as log:  # same arguments as runstack's llm worker
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop it in `finally`
            )  # fmt: skip
        deadline = time.monotonic() + 180
        try:  # ready = consuming, and the model preloaded in the pool process
            while not (cache.get(STATUS_KEY) and " ready." in self.log.read_text()):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llm worker did not start:\n{self.log.read_text()[-3000:]}")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def submit(client: Any, template_pk: int, text: str) -> tuple[float, Any, dict]:
    """POST the form, poll the job row every 10 ms; return (POST→done seconds, job, phases)."""
    from assistants.models import GenerationJob

    wall, started = time.time(), time.monotonic()
    form = {"title": TITLE, "meeting_date": DATE, "template": template_pk}
    form |= {"output_language": "de", "transcript": text, "participants_other": ""}
    response = client.post("/assistenten/protokoll/neu/", form)
    posted = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[-2000:]
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    rows = GenerationJob.objects.filter(pk=job_id).values_list("status", flat=True)
    while rows[0] in GenerationJob.ACTIVE:
        if time.monotonic() - started > 600:
            raise RuntimeError(f"job {job_id} did not finish")
        time.sleep(0.01)
    seconds = time.monotonic() - started
    job = GenerationJob.objects.get(pk=job_id)
    assert job.started_at and job.finished_at, job.error
    phases = {  # where the time went, from the job row's timestamps (same clock)
        "post": posted,
        "pickup": job.started_at.timestamp() - wall - posted,
        "run": (job.finished_at - job.started_at).total_seconds(),
        "seen": wall + seconds - job.finished_at.timestamp(),
    }
    return seconds, job, phases


def measure(data: Path, model: Path) -> dict:
    import llama_cpp
    from django.test import Client

    from assistants import prompts, schema
    from assistants.ingest import clean_pasted_text
    from assistants.models import ProtocolTemplate
    from portal.services import user_create

    user = user_create(email="bench@example.com", name="Bench Person")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    template = ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True)
    meta = {"title": TITLE, "meeting_date": DATE, "participants": []}

    def messages(text: str) -> list[dict[str, str]]:
        return prompts.protocol_messages(
            template=template, language="de", meta=meta, transcript=clean_pasted_text(text)
        )

    llm = llama_cpp.Llama(
        str(model), n_ctx=4096, n_threads=2, n_threads_batch=2, n_batch=512, verbose=False
    )

    def count(text: str) -> int:
        return len(llm.tokenize(text.encode(), add_bos=False))

    fixed = sum(count(m["content"]) for m in messages(""))
    json_schema = schema.generation_schema()

    print(f"\n[1] e2e (POST→done) vs raw create_chat_completion, {N} tokens, 4-line notes")
    print(f"    prompt: {fixed} fixed tokens + {count(transcript(0, 4))} transcript tokens")
    worker = Worker(data, "llm-bench")
    try:
        raw, e2e = [], []
        for r in range(ROUNDS + 1):
            seconds, _first, tokens = raw_chat(llm, messages(transcript(2 * r, 4)), N, json_schema)
            assert tokens == N, f"raw produced {tokens} tokens, not {N}"
            total, job, phases = submit(client, template.pk, transcript(2 * r + 1, 4))
            assert job.status == "done" and job.completion_tokens == N, (job.status, job.error)
            label = "warm-up" if r == 0 else f"round {r}"
            steps = " ".join(f"{k} {v * 1000:.0f} ms" for k, v in phases.items())
            print(f"    {label}: raw {seconds:.3f} s, e2e {total:.3f} s ({steps})")
            if r:
                raw.append(seconds)
                e2e.append(total)
        e2e_over_raw = median(e2e) / median(raw)
        print(f"    median raw {median(raw):.3f} s, e2e {median(e2e):.3f} s")
        print("    " + verdict("e2e_over_raw", e2e_over_raw))

        print("\n[2] time to first token on a fresh llm worker: job 1 (cold) vs job 2 (warm)")
        print(f"    prompt: {fixed} fixed tokens + {count(transcript(100, 1))} transcript tokens")
        cold, warm = [], []
        for r in range(3):
            worker.stop()
            worker = Worker(data, f"llm-fresh{r}")
            ttfts = []
            for index in (100 + 2 * r, 101 + 2 * r):
                _total, job, _phases = submit(client, template.pk, transcript(index, 1))
                assert job.first_token_at, (job.status, job.error)
                ttfts.append((job.first_token_at - job.started_at).total_seconds())
            print(f"    restart {r + 1}: first {ttfts[0]:.3f} s, second {ttfts[1]:.3f} s")
            cold.append(ttfts[0])
            warm.append(ttfts[1])
        ttft_ratio = median(warm) / median(cold)
        print("    " + verdict("ttft_second_over_first", ttft_ratio))
    finally:
        worker.stop()

    print(f"\n[3] decoding {N_DECODE} tokens, JSON-schema grammar vs free (raw, same prompt)")
    prompt = messages(transcript(300, 4))
    decode: dict[bool, list[float]] = {True: [], False: []}
    for r in range(ROUNDS + 1):
        for constrained in (r % 2 == 0, r % 2 == 1):  # alternate which goes first
            seconds, first, tokens = raw_chat(
                llm, prompt, N_DECODE, json_schema if constrained else None
            )
            assert tokens == N_DECODE, f"{tokens} tokens, not {N_DECODE}"
            decode[constrained].append(seconds - first)
        label = "warm-up" if r == 0 else f"round {r}"
        print(f"    {label}: grammar {decode[True][-1]:.3f} s, free {decode[False][-1]:.3f} s")
    decode = {k: v[1:] for k, v in decode.items()}  # drop the warm-up round
    constrained_ratio = median(decode[True]) / median(decode[False])
    print("    " + verdict("constrained_over_unconstrained", constrained_ratio))
    return {
        "e2e_over_raw": round(e2e_over_raw, 3),
        "ttft_second_over_first": round(ttft_ratio, 3),
        "constrained_over_unconstrained": round(constrained_ratio, 3),
        "tokens": N,
        "raw_s": round(median(raw), 3),
        "e2e_s": round(median(e2e), 3),
        "ttft_first_s": round(median(cold), 3),
        "ttft_second_s": round(median(warm), 3),
        "prefix_tokens": fixed,
    }


def main() -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up like Ctrl-C
    model, params = bench_model()
    print(
        f"model {model.name}: {params / 1e6:.0f} M parameters, {model.stat().st_size / 1e6:.0f} MB"
    )
    print(f"shape {SHAPE}")
    data = Path(tempfile.mkdtemp(prefix="pbench-", dir="/tmp"))  # short: unix sockets
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(data), PORTAL_DEBUG="true",
        PORTAL_LLM_N_THREADS="2", PORTAL_LLM_MAX_OUTPUT_TOKENS=str(N),
        PORTAL_LLM_MODEL_PATH=str(model),
    )  # fmt: skip
    from portal import stack

    redis = connections = None
    try:
        socket_dir = stack.start_postgres(data / "pg")
        redis = stack.start_redis(data / "redis")
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        from django.db import connections

        settings.DATABASES["default"]["HOST"] = str(socket_dir)
        call_command("migrate", verbosity=0)
        figures = measure(data, model)
    finally:
        if connections is not None:
            connections.close_all()
        if redis is not None:
            stack.stop_redis(redis)
        stack.stop_postgres(data / "pg")
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(figures | {"model_params": params}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
