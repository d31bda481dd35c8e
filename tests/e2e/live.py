"""The real stack for browser and fault tests: `manage.py runstack` on its own data directory.

That is exactly what `make run` starts: embedded PostgreSQL and Redis, migrations, the demo
programme, the default and llm Celery workers, beat, and the web server. The test session's
own database (tests/stack.py) is not involved; these tests see the portal from outside.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Demo-Passwort-2026"
DEMO_DOMAIN = "hallberg.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveStack:
    data_dir: Path
    port: int
    log: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    _totp_used: dict[str, int] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runstack",
                "--noreload",
                "--addr",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy(timeout)

    def health(self) -> tuple[int, dict]:
        """(HTTP status, JSON) of /healthz; (0, {}) when nothing answers."""
        try:
            url = f"{self.base_url}/healthz"
            with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own http URL
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, {}

    def wait_healthy(self, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError("runstack exited:\n" + self.tail())
            status, report = self.health()
            if status == 200 and report.get("status") == "ok":
                return report
            time.sleep(1)
        raise AssertionError("the portal did not become healthy:\n" + self.tail())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C sends: stops children in order
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def manage(self, *args: str, timeout: float = 120) -> str:
        """Run a management command against this stack's database; return its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str, timeout: float = 120) -> str:
        """Run Python in `manage.py shell` against this stack (to arrange or inspect data)."""
        return self.manage("shell", "--no-imports", "-c", code, timeout=timeout)

    def totp(self, login: str) -> str:
        """The demo account's current two-factor code, never one already used (allauth
        refuses a code twice): waits for the next 30-second period when needed."""
        from allauth.mfa import app_settings
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        from portal.demo import DEMO_TOTP_SECRET

        period = app_settings.TOTP_PERIOD
        counter = int(time.time()) // period
        if self._totp_used.get(login, -1) >= counter:
            time.sleep((counter + 1) * period - time.time() + 0.5)
            counter = int(time.time()) // period
        self._totp_used[login] = counter
        return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


def live_stack_create(**extra_env: str) -> LiveStack:
    data_dir = Path(tempfile.mkdtemp(prefix="portal-e2e-", dir="/tmp"))  # short: unix sockets
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DEBUG="true",
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_LLM_N_THREADS="1",
        # The llm worker at normal priority and full speed: the suite (and a busy CI machine)
        # would otherwise make it step back for minutes. The stepping back has its own tests
        # (tests/assistants/test_cpu_share.py) and measurement (bench/load.py).
        PORTAL_LLM_NICE="0",
        PORTAL_LLM_BUSY_SHARE_PERCENT="100",
        PORTAL_SIGNUP_DOMAINS=DEMO_DOMAIN,
        PORTAL_SITE_URL=f"http://127.0.0.1:{port}",
    )
    # Speech to text on the tests' tiny generated Whisper, never the real one (145 MB).
    from assistants.speech.whisper_tiny import write_tiny_whisper

    env.update(
        PORTAL_STT_MODEL_PATH=str(write_tiny_whisper(data_dir / "tiny-whisper")),
        PORTAL_STT_THREADS="1",
    )
    env.update(extra_env)  # may override the defaults above (e.g. PORTAL_DEBUG="false")
    log = data_dir.parent / f"{data_dir.name}.log"
    return LiveStack(data_dir=data_dir, port=port, log=log, env=env)
