"""Faults on the real stack (`manage.py runstack`): a killed llm worker, a Redis restart,
a PostgreSQL outage. Each test starts a stack of its own, because it breaks parts of it.

The whole llm worker killed and replaced by a new one is proven against the test database in
tests/assistants/test_worker_kill.py, and runstack restarting each of its processes in
tests/portal/test_runstack_supervision.py; here the pool process running llama.cpp dies
mid-protocol and Celery forks a new one.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from portal import stack as embedded
from tests.e2e.live import DEMO_DOMAIN, DEMO_PASSWORD, ROOT, LiveStack, live_stack_create

PRODUCTION = {
    "PORTAL_DEBUG": "false",
    "PORTAL_SECRET_KEY": "faults-only-5c1e9a7b3d2f4e6a8b0c2d4f6a8b0c2e4f6a8b0c2d4e6f8a",
    "PORTAL_ALLOWED_HOSTS": "127.0.0.1",
    "PORTAL_SSL_REDIRECT": "false",
    "PORTAL_EMAIL_HOST": "127.0.0.1",
}
TRANSCRIPT = "\n".join(f"Anna: Punkt {i} zur Schulungsplanung im Vertrieb." for i in range(40))
UNAVAILABLE = ("Das Portal ist kurz nicht erreichbar", "Die Datenbank antwortet gerade nicht")


class Session:
    """One person's cookies against the stack, over plain HTTP.

    Cookies are kept by hand: in production mode they are `Secure` and `__Host-` prefixed,
    which http.cookiejar never sends over http://127.0.0.1.
    """

    def __init__(self, stack: LiveStack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for line in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str) -> tuple[int, dict, str]:
        """GET, following redirects within the portal."""
        for _hop in range(5):
            status, headers, text = self.request("GET", path)
            if status not in (301, 302, 303) or "location" not in headers:
                return status, headers, text
            path = urlsplit(headers["location"]).path or "/"
        raise AssertionError(f"too many redirects from {path}")

    def post(self, path: str, form: dict) -> tuple[int, dict, str]:
        """POST a form of the page at `path` with its CSRF token (no redirect followed)."""
        status, _headers, page = self.get(path)
        assert status == 200, (path, status, page[-2000:])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token.group(1)})

    def login(self, local: str) -> None:
        status, _headers, _text = self.post(
            "/accounts/login/", {"login": f"{local}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
        )
        assert status == 302, f"login as {local} answered {status}"
        status, _headers, home = self.get("/")
        assert status == 200 and "Abmelden" in home, f"{local} is not signed in"

    def protocol_submit(self, title: str) -> int:
        """Ask for a protocol through the form; return the job's id."""
        _status, _headers, page = self.get("/assistenten/protokoll/neu/")
        template = re.search(r'<option value="(\d+)"[^>]*selected', page)
        assert template, "no preselected protocol template"
        form = {
            "title": title,
            "meeting_date": "2026-03-04",
            "template": template.group(1),
            "output_language": "de",
            "transcript": TRANSCRIPT,
            "participants_other": "",
        }
        status, headers, text = self.post("/assistenten/protokoll/neu/", form)
        assert status == 302, (status, text[-2000:])
        return int(headers["location"].rstrip("/").rsplit("/", 1)[1])


class OwnStacks:
    """Stacks a test starts for itself."""

    def __init__(self) -> None:
        self.stacks: list[LiveStack] = []

    def start(self, prepare: Callable[[LiveStack], None] | None = None, **env: str) -> LiveStack:
        stack = live_stack_create()
        stack.env.update(env)
        self.stacks.append(stack)
        if prepare is not None:
            prepare(stack)
        stack.start()
        return stack

    def remove(self) -> None:
        for stack in self.stacks:
            for pid in _descendants(stack):
                _signal(pid, signal.SIGCONT)  # a stopped worker cannot stop by itself
            stack.stop()
        for stack in self.stacks:
            shutil.rmtree(stack.data_dir, ignore_errors=True)
            stack.log.unlink(missing_ok=True)


@pytest.fixture
def stacks() -> Iterator[OwnStacks]:
    """Start stacks of this test's own; stop them and remove their data at the end."""
    own = OwnStacks()
    try:
        yield own
    finally:
        own.remove()


# --- processes of one stack ---------------------------------------------------------------


def _descendants(stack: LiveStack) -> list[int]:
    """Return the pids of every process below this stack's runstack (not other stacks')."""
    if stack.process is None:
        return []
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parents[int(entry.name)] = _parent(int(entry.name))
    found, frontier = [], [stack.process.pid]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += children
        frontier = children
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def _llm_worker(stack: LiveStack) -> tuple[int, list[int]]:
    """Return the llm worker's main pid and the pids of its live pool processes."""
    assert stack.process is not None
    pids = [pid for pid in _descendants(stack) if "-n llm@%h" in _cmdline(pid)]
    main = [pid for pid in pids if _parent(pid) == stack.process.pid]
    assert len(main) == 1, f"expected one llm worker under runstack, found {pids}"
    return main[0], [pid for pid in pids if _parent(pid) == main[0] and _alive(pid)]


# --- looking into the stack ---------------------------------------------------------------


def _poller(condition: str, timeout: float) -> str:
    return (
        "import time\n"
        "from assistants.models import GenerationJob, Protocol\n"
        "print('READY', flush=True)\n"
        f"deadline = time.monotonic() + {timeout}\n"
        f"while not ({condition}):\n"
        "    if time.monotonic() > deadline:\n"
        "        print('TIMEOUT')\n"
        "        break\n"
        "    time.sleep(0.1)\n"
        "else:\n"
        "    print('MET')\n"
    )


def _wait_in_stack(stack: LiveStack, condition: str, timeout: float, what: str) -> None:
    """Poll `condition` (Python over the models) inside the stack until it holds."""
    output = stack.shell(_poller(condition, timeout), timeout=timeout + 60)
    assert "MET" in output, f"timed out waiting for {what}:\n{_diagnosis(stack)}"


class _Watch:
    """A poller that is already looking when the call returns: for a state that lasts only
    seconds (a job mid-stream), which a poller still starting Django on a busy machine
    would miss."""

    def __init__(self, stack: LiveStack, condition: str, timeout: float, what: str) -> None:
        self.stack, self.timeout, self.what = stack, timeout, what
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                _poller(condition, timeout),
            ],
            cwd=ROOT,
            env=stack.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready.strip() == "READY", f"the poller did not start: {ready!r}"

    def wait(self) -> None:
        output, _ = self.process.communicate(timeout=self.timeout + 60)
        assert "MET" in output, f"timed out waiting for {self.what}:\n{_diagnosis(self.stack)}"


def _diagnosis(stack: LiveStack) -> str:
    """What a timed-out wait needs to be understood: the jobs' rows and the workers' logs."""
    jobs = stack.shell(
        "from assistants.models import GenerationJob\n"
        "for row in GenerationJob.objects.values('pk', 'status', 'attempts', 'progress_note', "
        "'error', 'enqueued_at', 'started_at', 'worker'):\n"
        "    print(row)\n",
        timeout=60,
    )
    logs = [
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
        for log in sorted((stack.data_dir / "logs").glob("*.log"))
        if log.name.startswith(("worker", "llm", "beat"))
    ]
    return "\n".join([stack.tail(1500), "--- jobs", jobs, *logs])


def _job_facts(stack: LiveStack, job_ids: list[int]) -> dict[int, dict]:
    """Status, attempts and how many protocols and audit entries each job produced."""
    code = (
        "import json\n"
        "from assistants.models import GenerationJob, Protocol\n"
        "from portal.models import AuditEntry\n"
        "facts = {}\n"
        f"for job in GenerationJob.objects.filter(pk__in={job_ids!r}):\n"
        "    audit = AuditEntry.objects.filter(\n"
        "        target_type='assistants.generationjob', target_id=str(job.pk))\n"
        "    facts[job.pk] = {\n"
        "        'status': job.status, 'attempts': job.attempts, 'error': job.error,\n"
        "        'protocols': Protocol.objects.filter(job=job).count(),\n"
        "        'generated': audit.filter(action='assistant.protocol_generated').count(),\n"
        "        'failed': audit.filter(action='assistant.generation_failed').count(),\n"
        "    }\n"
        "print(json.dumps(facts))\n"
    )
    facts = json.loads(stack.shell(code).strip().splitlines()[-1])
    return {int(pk): value for pk, value in facts.items()}


def _done_exactly_once(facts: dict) -> None:
    assert facts["status"] == "done", facts
    assert facts["protocols"] == 1, facts
    assert facts["generated"] == 1, facts
    assert facts["failed"] == 0, facts


# --- the faults ---------------------------------------------------------------------------


def _slow_model(stack: LiveStack) -> None:
    """Put a model in the stack's data dir that is slow enough to be caught mid-generation."""
    from assistants.gguf_models import write_chat_model

    path = stack.data_dir / "models" / "slow.gguf"
    write_chat_model(path, n_embd=256, n_layer=6, n_head=8, n_head_kv=4, n_ff=512)
    stack.env["PORTAL_LLM_MODEL_PATH"] = str(path)


def test_sigkilled_llm_process_finishes_its_job_once(stacks) -> None:
    """The process running llama.cpp dies mid-protocol: one protocol, one audit entry."""
    stack = stacks.start(
        prepare=_slow_model,
        PORTAL_LLM_N_CTX="4096",
        PORTAL_LLM_MAX_OUTPUT_TOKENS="800",  # seconds mid-stream, done soon after the restart
        PORTAL_LLM_JOB_LEASE_SECONDS="10",
    )
    alice = Session(stack)
    alice.login("alice")
    streaming = _Watch(
        stack,
        "GenerationJob.objects.filter(status='running').exclude(partial_output='').exists()",
        180,
        "the llm worker to stream the protocol",
    )
    job_id = alice.protocol_submit("Jour fixe Vertrieb")
    streaming.wait()
    main, pool = _llm_worker(stack)
    assert len(pool) == 1, f"the llm worker runs one pool process, found {pool}"
    os.kill(pool[0], signal.SIGKILL)  # what the OOM killer or a llama.cpp crash does

    assert _alive(main), "the llm worker's main process must survive its pool process"
    # Celery forks a new pool process; the job comes back through the rejected message or,
    # once the dead attempt's 10-second lease has run out, through beat's reaper (every 10 seconds).
    _wait_in_stack(
        stack,
        f"not GenerationJob.objects.filter(pk={job_id}, status__in=GenerationJob.ACTIVE).exists()",
        240,
        "the job to finish after the restart",
    )
    facts = _job_facts(stack, [job_id])[job_id]
    _done_exactly_once(facts)
    assert facts["attempts"] == 2, facts
    assert _llm_worker(stack)[1] not in ([], pool), "a new pool process ran the job"
    status, _headers, page = alice.get(f"/assistenten/auftraege/{job_id}/")
    assert status == 200 and "Jour fixe Vertrieb" in page
    assert stack.health()[0] == 200, "the stack must be healthy again with the new pool process"


def _redis_server(stack: LiveStack) -> int:
    sock = str(embedded.redis_socket(stack.data_dir / "redis"))
    pids = [
        pid
        for pid in _descendants(stack)
        if "redis-server" in _cmdline(pid) and sock in _cmdline(pid) and _alive(pid)
    ]
    assert len(pids) == 1, f"expected one redis-server for {sock}, found {pids}"
    return pids[0]


def _llm_queue_length(stack: LiveStack) -> int:
    import redis

    client = redis.Redis(unix_socket_path=str(embedded.redis_socket(stack.data_dir / "redis")))
    try:
        return int(client.llen("llm"))
    finally:
        client.close()


def _redis_client(stack: LiveStack):
    import redis

    sock = embedded.redis_socket(stack.data_dir / "redis")
    return redis.Redis(unix_socket_path=str(sock), socket_timeout=10)


def _redis_flush(stack: LiveStack) -> None:
    client = _redis_client(stack)
    try:
        client.flushall()
    finally:
        client.close()


def _redis_answers(stack: LiveStack) -> bool:
    import redis

    client = _redis_client(stack)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
        return False
    finally:
        client.close()


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, stack: LiveStack) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{stack.tail()}")
        time.sleep(0.2)


@pytest.mark.parametrize("data", ["kept", "lost"])
def test_redis_restart_loses_no_queued_job(stacks, data: str) -> None:
    """A clean restart keeps the queue (append-only file); a Redis that comes back empty
    (no volume, a crash) loses it, and the job rows in PostgreSQL bring every job back."""
    stack = stacks.start(
        PORTAL_LLM_MAX_OUTPUT_TOKENS="64",
        # The least the reaper waits before it re-sends a queued job's wake-up call (the
        # settings refuse less than 30 s).
        PORTAL_LLM_REQUEUE_AFTER_SECONDS="30",
    )
    alice = Session(stack)
    alice.login("alice")
    main, pool = _llm_worker(stack)
    worker = [main, *pool]
    for pid in worker:
        _signal(pid, signal.SIGSTOP)  # no llm worker consumes: the jobs stay queued
    job_ids = [alice.protocol_submit(f"Runde {n}") for n in range(4)]
    facts = _job_facts(stack, job_ids)
    assert all(f["status"] == "queued" for f in facts.values()), facts
    # The worker, stopped while it waited, may hold one message Redis has already handed out.
    queued = _llm_queue_length(stack)
    assert queued >= len(job_ids) - 1, f"only {queued} messages in the llm queue"

    # runstack restarts Redis on the same socket: with its append-only file after a clean
    # shutdown, empty after a crash that lost its data (emptied here, then killed).
    redis_pid = _redis_server(stack)
    if data == "lost":
        _redis_flush(stack)
        os.kill(redis_pid, signal.SIGKILL)
    else:
        os.kill(redis_pid, signal.SIGTERM)  # a clean shutdown writes the append-only file
    _wait_for(lambda: not _alive(redis_pid), 30, "redis-server to stop", stack)
    _wait_for(lambda: _redis_answers(stack), 120, "runstack to restart Redis", stack)
    assert _redis_server(stack) != redis_pid
    if data == "kept":
        # At least as many: beat's reaper may already have re-sent a job's wake-up call.
        assert _llm_queue_length(stack) >= queued, "the queued messages must survive"

    for pid in worker:
        _signal(pid, signal.SIGCONT)
    # Lost messages come back through beat's reaper (every 10 seconds), which re-sends jobs
    # queued for longer than PORTAL_LLM_REQUEUE_AFTER_SECONDS.
    _wait_in_stack(
        stack,
        f"not GenerationJob.objects.filter(pk__in={job_ids!r}, "
        "status__in=GenerationJob.ACTIVE).exists()",
        240,
        "every queued job to finish after the restart",
    )
    for facts in _job_facts(stack, job_ids).values():
        _done_exactly_once(facts)
        assert facts["attempts"] == 1, facts
    stack.wait_healthy(120)  # both workers and beat are back on the new Redis


def _assert_unavailable(session: Session, path: str) -> None:
    status, headers, page = session.get(path)
    assert status == 503, f"{path} answered {status} while the database was down"
    assert headers.get("retry-after") == "30", headers
    for text in UNAVAILABLE:
        assert text in page, page[-2000:]
    assert "Traceback" not in page and "OperationalError" not in page, page[-2000:]


def test_postgres_outage_gives_friendly_503_and_recovers(stacks) -> None:
    """Production settings (gunicorn, no debug page): a friendly 503, then back by itself."""
    stack = stacks.start(PORTAL_LLM_MAX_OUTPUT_TOKENS="64", **PRODUCTION)
    alice = Session(stack)
    alice.login("alice")
    assert any(name.startswith("__Host-") for name in alice.cookies), alice.cookies
    visitor = Session(stack)
    pgdata = stack.data_dir / "pg"

    embedded.stop_postgres(pgdata)
    try:
        for path in ("/", "/faq/"):
            _assert_unavailable(alice, path)
        _assert_unavailable(visitor, "/accounts/login/")
        status, report = stack.health()
        assert status == 503, report
        assert report["database"] == "down" and report["redis"] == "ok", report
    finally:
        embedded.start_postgres(pgdata)

    # No process is restarted: the web workers and Celery reconnect on their own.
    def pages_answer() -> bool:
        return all(alice.get(path)[0] == 200 for path in ("/", "/faq/"))

    _wait_for(pages_answer, 60, "the pages to answer again", stack)
    assert visitor.get("/accounts/login/")[0] == 200
    stack.wait_healthy(60)
    job_id = alice.protocol_submit("Nach dem Ausfall")
    _wait_in_stack(
        stack,
        f"not GenerationJob.objects.filter(pk={job_id}, status__in=GenerationJob.ACTIVE).exists()",
        180,
        "a job submitted after the outage to finish",
    )
    _done_exactly_once(_job_facts(stack, [job_id])[job_id])
