"""The programme dashboard and roadmap at company scale.

1. Queries: the dashboard and the roadmap run the same number of queries on a small data
   set and on a large one (5,000 people, 500 events, 20,000 registrations, more
   milestones and KPIs): the count must not depend on the data size.
2. Throughput: gunicorn on a loopback port serves the project's URLs plus a trivial view
   (`wsgi_application()` below installs a URLconf with both). Rounds alternate between
   the dashboard and the trivial view, same person, same session cookie, one request at a
   time; the ratio is the median of the per-round throughput ratios (target ≥ 0.3).
`--smoke` runs the same on a few hundred rows and a few requests (proves it runs, in ~1 min).
Everything (embedded PostgreSQL + Redis, data dir, server) is created here and removed after.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from statistics import median, quantiles

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.3
TRIVIAL_PATH = "/bench/trivial/"
DEPARTMENTS = ["Geschäftsführung & Verwaltung", "Vertrieb", "Konstruktion & Entwicklung",
               "Produktion & Logistik", "Kundenservice", "IT & Organisation", "Einkauf",
               "Qualitätssicherung"]  # fmt: skip
EVENT_KINDS = ["kickoff"] * 2 + ["workshop"] * 8 + ["community_round"] * 40
EVENT_KINDS += ["user_group"] * 20 + ["sprint"] * 10 + ["training"] * 20


@dataclass(frozen=True)
class Sizes:
    small: dict
    large: dict
    rounds: int  # measured rounds, after one warm-up round
    per_round: int  # requests per side and round
    cold: int  # requests with the figures recomputed


FULL = Sizes(
    small={"people": 60, "events": 6, "registrations": 240, "milestones": 2, "kpi_sets": 1},
    large={"people": 5000, "events": 500, "registrations": 20000, "milestones": 20,
           "kpi_sets": 3},
    rounds=7, per_round=40, cold=20,
)  # fmt: skip
SMOKE = Sizes(
    small={"people": 20, "events": 2, "registrations": 20, "milestones": 2, "kpi_sets": 1},
    large={"people": 200, "events": 10, "registrations": 400, "milestones": 4, "kpi_sets": 2},
    rounds=2, per_round=5, cold=4,
)  # fmt: skip


def wsgi_application():
    """Return the portal's WSGI app with this bench's URLconf (called by gunicorn)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse
    from django.urls import include, path

    def trivial(request):
        return HttpResponse("ok", content_type="text/plain")

    urls = types.ModuleType("bench_dashboard_urls")
    urls.urlpatterns = [
        path(TRIVIAL_PATH.strip("/") + "/", trivial),
        path("", include("portal.urls")),
    ]
    urls.handler500 = "portal.views.server_error"
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    return get_wsgi_application()


# --- data ---------------------------------------------------------------------------------


def grow(size: dict, rng: random.Random) -> None:
    """Add people, events, registrations, jobs and multipliers up to `size` (bulk inserts)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from assistants.models import GenerationJob
    from portal.models import Department, User
    from rollout.models import Event, Multiplier, Registration

    departments = [Department.objects.get_or_create(name=n)[0] for n in DEPARTMENTS]
    password = make_password("bench-only-password")  # one hash for everyone: fast
    have = User.objects.count()
    User.objects.bulk_create(
        [
            User(email=f"person{i}@bench.example", name=f"Person {i}", password=password,
                 department=departments[i % len(departments)])
            for i in range(have, size["people"])
        ],
        batch_size=2000,
    )  # fmt: skip
    people = list(User.objects.values_list("pk", flat=True))
    now = timezone.now()
    have = Event.objects.count()
    events = []
    for i in range(have, size["events"]):
        start = now + timedelta(days=rng.randint(-300, 60), hours=rng.randint(8, 16))
        events.append(
            Event(kind=EVENT_KINDS[i % len(EVENT_KINDS)], title=f"Termin {i}", starts_at=start,
                  ends_at=start + timedelta(hours=2), capacity=200)
        )  # fmt: skip
    Event.objects.bulk_create(events, batch_size=2000)
    per_event = size["registrations"] // size["events"]
    registrations = []
    for event in events:
        past = event.starts_at < now
        for user_id in rng.sample(people, per_event):
            came = past and rng.random() < 0.75
            registrations.append(
                Registration(event=event, user_id=user_id, status="confirmed",
                             attended_at=event.starts_at if came else None)
            )  # fmt: skip
    Registration.objects.bulk_create(registrations, batch_size=5000)
    recent = [now - timedelta(days=rng.random() * 10) for _ in range(len(people) // 10)]
    jobs = GenerationJob.objects.bulk_create(
        [GenerationJob(owner_id=rng.choice(people), status="done") for _ in recent]
    )
    for job, created in zip(jobs, recent, strict=True):
        job.created_at = created
    GenerationJob.objects.bulk_update(jobs, ["created_at"], batch_size=2000)
    Multiplier.objects.bulk_create(
        [Multiplier(user_id=u, confirmed_at=now) for u in people[: len(people) // 50]],
        ignore_conflicts=True,
    )


def programme(size: dict) -> None:
    """Add milestones per phase and KPIs (every metric, `kpi_sets` times) with 84 days' trend."""
    from django.utils import timezone

    from rollout.demo.programme import seed_programme
    from rollout.models import Kpi, KpiMeasurement, Milestone, Phase
    from rollout.programme import kpis

    seed_programme(lambda line: None)
    today = timezone.localdate()
    for phase in Phase.objects.all():
        have = phase.milestones.count()
        Milestone.objects.bulk_create(
            [
                Milestone(phase=phase, title=f"Meilenstein {i}",
                          due_on=today + timedelta(i * 9 - 60),
                          done_on=today - timedelta(3) if i % 3 == 0 else None)
                for i in range(have, size["milestones"])
            ]
        )  # fmt: skip
    phases = list(Phase.objects.order_by("number"))
    have = Kpi.objects.count() // len(kpis.METRICS)
    new = []
    for k in range(have, size["kpi_sets"]):
        for i, metric in enumerate(kpis.METRICS):
            spec = kpis.METRICS[metric]
            new.append(
                Kpi(phase=phases[i % len(phases)], metric=metric, name=f"{metric} {k}",
                    definition=str(spec.definition), unit=spec.unit or "count",
                    target=Decimal(80), manual_value=Decimal(12) if metric == "manual" else None)
            )  # fmt: skip
    Kpi.objects.bulk_create(new)
    KpiMeasurement.objects.bulk_create(
        [
            KpiMeasurement(kpi=kpi, measured_on=today - timedelta(d), value=Decimal(d % 50))
            for kpi in new
            for d in range(1, 85)
        ],
        batch_size=5000,
    )


# --- measurements -------------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up: first-request work is not the page's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    """GET on a new connection (the sync worker closes each); return (seconds, status, bytes)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "localhost", "Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return time.perf_counter() - started, response.status, len(body)


class Server:
    """gunicorn, one sync worker, on a loopback port, serving `wsgi_application()`."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.log = data / "gunicorn.log"
        # From the project root, this module as `bench.dashboard`: with bench/ itself as the
        # directory, bench/newsletter.py would be imported as the newsletter app.
        command = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                   "--error-logfile", str(self.log),
                   "bench.dashboard:wsgi_application()"]  # fmt: skip
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), start_new_session=True
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(self.port, "/healthz/live", "")[1] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def burst(port: int, path: str, cookie: str, n: int) -> tuple[float, list[float]]:
    """Send `n` requests one after the other; return (requests per second, latencies)."""
    started, latencies = time.perf_counter(), []
    for _ in range(n):
        seconds, status, _size = get(port, path, cookie)
        assert status == 200, (path, status)
        latencies.append(seconds)
    return n / (time.perf_counter() - started), latencies


def throughput(data: Path, cookie: str, sizes: Sizes) -> dict:
    server = Server(data)
    try:
        _seconds, status, size = get(server.port, "/programm/cockpit/", cookie)
        assert status == 200 and size > 10_000, ("dashboard over HTTP", status, size)
        ratios, dashboard_latencies = [], []
        for r in range(sizes.rounds + 1):
            sides = {}
            order = ("dashboard", "trivial") if r % 2 else ("trivial", "dashboard")
            for side in order:  # alternate which goes first
                path = "/programm/cockpit/" if side == "dashboard" else TRIVIAL_PATH
                sides[side] = burst(server.port, path, cookie, sizes.per_round)
            dash, trivial = sides["dashboard"][0], sides["trivial"][0]
            label = "warm-up" if r == 0 else f"round {r}"
            print(f"    {label}: dashboard {dash:6.1f} req/s, trivial {trivial:6.1f} req/s, "
                  f"ratio {dash / trivial:.3f}")  # fmt: skip
            if r:
                ratios.append(dash / trivial)
                dashboard_latencies += sides["dashboard"][1]
        # The same page recomputed on every request (`?neu=1` skips the figures' cache).
        _rps, cold_latencies = burst(server.port, "/programm/cockpit/?neu=1", cookie, sizes.cold)
    finally:
        server.stop()
    cuts, cold = quantiles(dashboard_latencies, n=100), quantiles(cold_latencies, n=20)
    return {
        "throughput_over_trivial": median(ratios),
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "cold_p50_ms": cold[9] * 1000,
        "cold_p95_ms": cold[18] * 1000,
        "dashboard_bytes": size,
    }


def measure(data: Path, sizes: Sizes) -> dict:
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from portal.roles import Role
    from portal.services import user_create
    from rollout.programme.views_dashboard import CACHE_SECONDS

    rng = random.Random(5)
    admin = user_create(email="ada@bench.example", name="Ada Bench", roles=[Role.PROGRAMME_ADMIN])
    TOTP.activate(admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # her role requires two-factor
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    figures: dict = {}
    for label, size in (("small", sizes.small), ("large", sizes.large)):
        started = time.monotonic()
        grow(size, rng)
        programme(size)
        dashboard, roadmap = (
            count_queries(client, "/programm/cockpit/?neu=1"),  # computed, not from the cache
            count_queries(client, "/fahrplan/"),
        )
        figures[f"queries_{label}"] = dashboard
        figures[f"roadmap_queries_{label}"] = roadmap
        built = time.monotonic() - started
        print(f"[{label}] {size['people']} people, {size['events']} events, "
              f"{size['registrations']} registrations (built in {built:.1f} s): "
              f"dashboard {dashboard} queries, roadmap {roadmap} queries")  # fmt: skip
    warm = count_queries(client, "/programm/cockpit/")
    print(f"[large] dashboard with its figures from the cache: {warm} queries")
    print(f"\n[throughput] gunicorn (1 sync worker) on 127.0.0.1, {sizes.per_round} requests "
          f"per side and round, one at a time, dashboard vs {TRIVIAL_PATH}")  # fmt: skip
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    figures |= throughput(data, cookie, sizes)
    print()
    same = figures["queries_small"] == figures["queries_large"]
    same_roadmap = figures["roadmap_queries_small"] == figures["roadmap_queries_large"]
    print(f"queries constant: dashboard {'PASS' if same else 'FAIL'}, "
          f"roadmap {'PASS' if same_roadmap else 'FAIL'}")  # fmt: skip
    print(
        f"dashboard p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms "
        f"(figures from the {CACHE_SECONDS // 60}-minute cache, as in the rounds above)"
    )
    print(f"dashboard recomputed (?neu=1, cache skipped): p50 {figures['cold_p50_ms']:.1f} ms, "
          f"p95 {figures['cold_p95_ms']:.1f} ms")  # fmt: skip
    ok = "PASS" if figures["throughput_over_trivial"] >= TARGET else "FAIL"
    print(f"throughput_over_trivial = {figures['throughput_over_trivial']:.3f} "
          f"(median per-round ratio, target ≥ {TARGET}) {ok}")  # fmt: skip
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def main() -> int:
    from bench import arguments

    sizes = SMOKE if arguments(__doc__).parse_args().smoke else FULL
    for signum in (signal.SIGINT, signal.SIGTERM):  # clean up on both (SIGINT may be ignored)
        signal.signal(signum, signal.default_int_handler)
    data = Path(tempfile.mkdtemp(prefix="pbench-", dir="/tmp"))  # short: unix sockets
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(data), PORTAL_DEBUG="true"
    )
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
        figures = measure(data, sizes)
    finally:
        if connections is not None:
            connections.close_all()
        if redis is not None:
            stack.stop_redis(redis)
        stack.stop_postgres(data / "pg")
        shutil.rmtree(data, ignore_errors=True)
    keys = ("queries_small", "queries_large", "p95_ms", "throughput_over_trivial")
    print(json.dumps({k: figures[k] for k in keys}))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.dashboard")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (stack, server and data dir removed)")
