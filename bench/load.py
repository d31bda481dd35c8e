"""50 employees browsing while the model writes a protocol: does generation starve the web?

1. The production setup on this machine: embedded PostgreSQL + Redis, the demo programme,
   gunicorn with the image's 3 sync workers (debug off, whitenoise with its manifest), and
   the llm worker started exactly as docker-compose.yml starts it, on the random-weight
   0.5B-shaped model of llm_overhead.py (var/bench/).
2. 50 demo employees, each with their own session, browse in a closed loop with no think
   time (home, FAQ search with a query, events, use cases): 50 requests are always in
   flight (`--think 2` adds a pause of 2 s on average between a person's pages). One phase
   idle, then one while a protocol job generates; the job must run through the whole busy
   window (checked, and its tokens counted). The llm worker uses the product's default
   thread count (the cores less one) unless `--llm-threads` says otherwise.
3. Figures per phase: requests/s, p50/p95/p99, errors; the target is p95 busy / p95 idle ≤ 2.
`--smoke`: 5 people, 3 s per phase, a 256-wide 6-layer model written into the run's data dir
(proves it runs, in about a minute).
Sessions are created in-process (force_login): the login form allows 30 logins a minute
per address, and this measures browsing, not logging in.
Everything (embedded PostgreSQL + Redis, server, worker, data dir) is created here and
removed after, also on Ctrl-C.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0
FULL = {"seconds": 60.0, "users": 50}
SMOKE = {"seconds": 3.0, "users": 5}
# Small enough to write in a second, slow enough to still be writing after the busy window.
SMOKE_SHAPE = {"n_embd": 256, "n_layer": 6, "n_head": 8, "n_head_kv": 4, "n_ff": 512}
WORKERS = 3  # the Dockerfile's gunicorn command, which docker-compose.yml runs
MAX_OUTPUT_TOKENS = 3000  # longer than any busy window here; the job is cancelled after it
QUERIES = ("Datenschutz", "Schulung", "Protokoll", "Lizenz", "Sprechstunde", "Betriebsrat")
PAGES = ("/", "/faq/?q={q}", "/termine/", "/anwendungsfaelle/")
NOTES = "\n".join(
    f"Anna: Zu Punkt {i} über die Schulung im Vertrieb haben wir entschieden, dass Ben "
    f"das bis 2026-04-{i + 1:02d} klärt."
    for i in range(6)
)


def wsgi_application():
    """Return the portal's WSGI app with static files from this run's directory (gunicorn).

    Production settings need the static manifest, which lives in ./staticfiles; the bench
    collects into its own data dir instead of writing into the checkout.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
    return get_wsgi_application()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    """GET on a new connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads) so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Process:
    """A child in a session of its own, stopped with its whole group."""

    def __init__(self, command: list[str], log: Path, ready, what: str, timeout: float) -> None:
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop it in `finally`
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        try:
            while not ready():
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
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


def start_web(data: Path, port: int) -> Process:
    # From the project root, this module as `bench.load`: with bench/ itself on sys.path,
    # bench/newsletter.py would be imported as the newsletter app.
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
               "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
               "--access-logfile", str(data / "access.log"),
               "bench.load:wsgi_application()"]  # fmt: skip

    def ready() -> bool:
        try:
            return get(port, "/healthz/live", "")[0] == 200
        except OSError:
            return False

    return Process(command, data / "gunicorn.log", ready, "gunicorn", 120)


def start_llm_worker(data: Path) -> Process:
    from django.core.cache import cache

    cache.delete("assistants:model-status")
    # docker-compose.yml's worker-llm command.
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "llm",
               "--concurrency", "1", "--prefetch-multiplier", "1", "-n", "llm@%h"]  # fmt: skip
    log = data / "worker-llm.log"

    def ready() -> bool:  # the model is loaded in the pool process
        return bool(cache.get("assistants:model-status"))

    return Process(command, log, ready, "the llm worker", 300)


@dataclass
class Phase:
    name: str
    seconds: float
    started: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pages(self) -> str:
        """p50/p95 per page: which one the tail comes from."""
        parts = []
        for page, latencies in self.by_page.items():
            cuts = quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
            name = page.split("?")[0]
            parts.append(f"{name} {cuts[9] * 1000:.0f}/{cuts[18] * 1000:.0f}")
        return "p50/p95 ms per page: " + ", ".join(parts)

    def figures(self) -> dict:
        cuts = quantiles(self.latencies, n=100) if len(self.latencies) > 1 else [0.0] * 99
        return {
            "requests": len(self.latencies) + self.errors,
            "rps": len(self.latencies) / self.seconds,
            "p50_ms": cuts[49] * 1000,
            "p95_ms": cuts[94] * 1000,
            "p99_ms": cuts[98] * 1000,
            "errors": self.errors,
        }


def browse(
    port: int, cookies: list[str], phase: Phase, stop: threading.Event, think: float
) -> None:
    """Run one closed-loop thread per person until the phase's time is up."""
    end = phase.started + phase.seconds

    def person(index: int, cookie: str) -> None:
        rng = random.Random(index)  # a browsing pattern per person, the same every run
        while not stop.is_set():
            started = time.monotonic()
            if started >= end:
                return
            page = rng.choice(PAGES)
            path = page.format(q=rng.choice(QUERIES))
            try:
                status, body = get(port, path, cookie)
                ok = status == 200 and b"Abmelden" in body
            except OSError:
                ok = False
            seconds = time.monotonic() - started
            with phase.lock:
                if ok:
                    phase.latencies.append(seconds)
                    phase.by_page.setdefault(page, []).append(seconds)
                else:
                    phase.errors += 1
            if think:
                stop.wait(rng.expovariate(1 / think))

    threads = [
        threading.Thread(target=person, args=(i, c), daemon=True) for i, c in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.5)  # wakes up for Ctrl-C


def sessions(port: int, count: int) -> list[str]:
    """Sign `count` demo employees in (one session each); return their Cookie headers."""
    from django.conf import settings
    from django.test import Client

    from portal.models import User
    from portal.roles import Role

    employees = (
        User.objects.filter(groups__name=Role.EMPLOYEE, is_active=True)
        .exclude(groups__name__in=[role for role in Role.values if role != Role.EMPLOYEE])
        .order_by("pk")[:count]
    )
    cookies = []
    for user in employees:
        client = Client()
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        status, body = get(port, "/", cookie)
        assert status == 200 and b"Abmelden" in body, (user.email, status)
        cookies.append(cookie)
    assert len(cookies) == count, f"only {len(cookies)} demo employees"
    return cookies


def run_phase(port: int, cookies: list[str], name: str, seconds: float, think: float) -> Phase:
    print(f"{name}: {seconds:.0f} s …", flush=True)
    phase = Phase(name, seconds, started=time.monotonic())
    stop = threading.Event()
    try:
        browse(port, cookies, phase, stop, think)
    finally:
        stop.set()
    return phase


def generation_start(owner) -> object:
    """Ask for a protocol and wait until the model writes (prompt read, decoding)."""
    from assistants.models import GenerationJob, ProtocolTemplate
    from assistants.services.protocols import protocol_job_create

    job = protocol_job_create(
        owner=owner, title="Lasttest", meeting_date=date(2026, 3, 4), participants=[],
        template=ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True),
        output_language="de", transcript=NOTES,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while True:
        job = GenerationJob.objects.get(pk=job.pk)
        if job.first_token_at is not None and job.partial_output:
            return job
        if job.status not in GenerationJob.ACTIVE or time.monotonic() > deadline:
            raise RuntimeError(f"the job did not start generating: {job.status} {job.error}")
        time.sleep(0.2)


def count_tokens(model: Path, text: str) -> int:
    """Tokens of `text` in the model's vocabulary (loaded alone; llama.cpp's notes muted)."""
    import llama_cpp

    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            vocab = llama_cpp.Llama(str(model), vocab_only=True, verbose=False)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return len(vocab.tokenize(text.encode(), add_bos=False))


def measure(data: Path, model: Path, seconds: float, users: int, think: float) -> dict:
    from assistants.models import GenerationJob
    from assistants.services.jobs import job_cancel

    port = int(os.environ["BENCH_PORT"])
    web = worker = None
    try:
        web = start_web(data, port)
        worker = start_llm_worker(data)
        pool = children(worker.proc.pid)
        cookies = sessions(port, users)
        print(f"{users} people signed in; gunicorn {WORKERS} sync workers; llm worker pool "
              f"pid {pool}; {len(os.sched_getaffinity(0))} cores")  # fmt: skip
        run_phase(port, cookies, "warm-up", min(10.0, seconds), think)

        cpu = cpu_seconds(pool)
        idle = run_phase(port, cookies, "idle", seconds, think)
        idle_llm_cores = (cpu_seconds(pool) - cpu) / seconds

        from portal.models import User

        job = generation_start(User.objects.get(email="alice@hallberg.example"))
        text_before, cpu = job.partial_output, cpu_seconds(pool)
        window_start = time.time()
        busy = run_phase(port, cookies, "busy", seconds, think)
        busy_llm_cores = (cpu_seconds(pool) - cpu) / seconds
        job = GenerationJob.objects.get(pk=job.pk)
        covered = (
            job.status == GenerationJob.Status.RUNNING
            and job.first_token_at.timestamp() <= window_start
            and job.heartbeat_at.timestamp() >= window_start + seconds - 10  # still writing
        )
        tokens = count_tokens(model, job.partial_output) - count_tokens(model, text_before)
        job_cancel(job=job, by=job.owner)
        deadline = time.monotonic() + 120
        while GenerationJob.objects.filter(pk=job.pk, status__in=GenerationJob.ACTIVE).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the job did not stop after cancelling")
            time.sleep(0.2)
    finally:
        for process in (worker, web):
            if process is not None:
                process.stop()
    phases = {"idle": idle, "busy": busy}
    figures = {name: phase.figures() for name, phase in phases.items()}
    print()
    for name, f in figures.items():
        print(f"[{name}] {f['requests']} requests in {seconds:.0f} s: {f['rps']:.1f} req/s, "
              f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms, "
              f"errors {f['errors']}")  # fmt: skip
        print(f"    {phases[name].pages()}")
    coverage = "ran through the whole window" if covered else "did NOT cover the window"
    print(f"llm worker CPU: idle {idle_llm_cores:.2f} cores, busy {busy_llm_cores:.2f} cores; "
          f"{tokens} tokens generated in the busy window ({tokens / seconds:.1f}/s), "
          f"the job {coverage}")  # fmt: skip
    ratio = figures["busy"]["p95_ms"] / figures["idle"]["p95_ms"]
    ok = "PASS" if ratio <= TARGET and covered else "FAIL"
    print(f"p95_busy_over_idle = {ratio:.3f} (target ≤ {TARGET}) {ok}")
    return {
        "rps_idle": figures["idle"]["rps"],
        "p95_idle_ms": figures["idle"]["p95_ms"],
        "p95_busy_ms": figures["busy"]["p95_ms"],
        "p95_busy_over_idle": ratio,
        "errors": figures["idle"]["errors"] + figures["busy"]["errors"],
        "rps_busy": figures["busy"]["rps"],
        "p50_idle_ms": figures["idle"]["p50_ms"],
        "p50_busy_ms": figures["busy"]["p50_ms"],
        "p99_idle_ms": figures["idle"]["p99_ms"],
        "p99_busy_ms": figures["busy"]["p99_ms"],
        "llm_tokens_busy": tokens,
        "llm_cores_busy": busy_llm_cores,
        "job_covered_window": covered,
    }


def main() -> int:
    from bench import arguments, llm_overhead

    parser = arguments(__doc__)
    parser.add_argument("--seconds", type=float, help="length of each phase (60, smoke 3)")
    parser.add_argument("--users", type=int, help="concurrent people (50, smoke 5)")
    parser.add_argument(
        "--think", type=float, default=0, help="mean pause between a person's pages (s)"
    )
    parser.add_argument(
        "--llm-threads", type=int, help="PORTAL_LLM_N_THREADS (default: cores less one)"
    )
    args = parser.parse_args()
    size = SMOKE if args.smoke else FULL
    seconds = size["seconds"] if args.seconds is None else args.seconds
    users = size["users"] if args.users is None else args.users
    for signum in (signal.SIGINT, signal.SIGTERM):  # clean up on both (SIGINT may be ignored)
        signal.signal(signum, signal.default_int_handler)
    data = Path(tempfile.mkdtemp(prefix="pbench-", dir="/tmp"))  # short: unix sockets
    if args.smoke:  # small: written into this run's data dir, removed with it
        model, params = llm_overhead.bench_model(SMOKE_SHAPE, data / "models")
    else:
        model, params = llm_overhead.bench_model()
    print(f"model {model.name}: {params / 1e6:.1f} M parameters")
    port = free_port()
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(data),
        PORTAL_DEBUG="false", PORTAL_SECRET_KEY="load-bench-" + "x7Kq" * 12,
        PORTAL_ALLOWED_HOSTS="127.0.0.1", PORTAL_SITE_URL=f"http://127.0.0.1:{port}",
        PORTAL_SSL_REDIRECT="false", PORTAL_EMAIL_HOST="127.0.0.1",
        PORTAL_LLM_MODEL_PATH=str(model), PORTAL_LLM_MAX_OUTPUT_TOKENS=str(MAX_OUTPUT_TOKENS),
        BENCH_PORT=str(port), BENCH_STATIC_ROOT=str(data / "static"),
    )  # fmt: skip
    if args.llm_threads:
        os.environ["PORTAL_LLM_N_THREADS"] = str(args.llm_threads)
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
        settings.STATIC_ROOT = str(data / "static")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        started = time.monotonic()
        call_command("seed_demo", stdout=io.StringIO())
        print(f"demo programme loaded in {time.monotonic() - started:.0f} s")
        figures = measure(data, model, seconds, users, args.think)
    finally:
        if connections is not None:
            connections.close_all()
        if redis is not None:
            stack.stop_redis(redis)
        stack.stop_postgres(data / "pg")
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.load")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (stack, server, worker and data dir removed)")
