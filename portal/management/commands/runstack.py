"""Run the whole portal on one machine: embedded PostgreSQL and Redis, workers, web server.

What `make run` calls. Data stays in PORTAL_DATA_DIR (./var) for the next run; Ctrl-C
stops every process this command started. With PORTAL_DATABASE_URL / PORTAL_REDIS_URL
set, those servers are used instead of the embedded ones.

The children are supervised (portal/supervisor.py): a crashed worker, beat, web server or
embedded Redis is restarted with backoff, and the others keep running. Their output goes to
PORTAL_DATA_DIR/logs/<name>.log (to the console with `-v 2`), so the console shows the
start, the banner and what the supervisor does; Enter prints the banner again.
"""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError

from portal import registry, stack
from portal.cli import database_hint
from portal.middleware import is_loopback
from portal.supervisor import Supervisor, status_path

LOG_ROTATE_BYTES = 10 * 1024 * 1024


def logs_dir() -> Path:
    return settings.DATA_DIR / "logs"


class Command(BaseCommand):
    help = "Start the embedded stack, migrate, load the demo once, run workers and web server."
    requires_system_checks: list = []  # checked below, after the database is up

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port of the web server")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo programme")
        parser.add_argument(
            "--noreload",
            action="store_true",
            help="debug mode: no code reloading (tests run while files change)",
        )

    def handle(self, *args, **options) -> None:
        self.addr = options["addr"]
        host = self.addr.rpartition(":")[0] if ":" in self.addr else self.addr
        if settings.DEBUG_SECRET_KEY and not is_loopback(host):
            raise CommandError(
                f"Refusing to listen on {self.addr}: debug mode with the built-in secret key "
                "(anyone can forge sessions with it) answers only on this machine. Set "
                "PORTAL_SECRET_KEY to a long random string, or use a 127.0.0.1 address."
            )
        self.console = options["verbosity"] >= 2
        self.supervisor = Supervisor(
            status_file=status_path(settings.DATA_DIR),
            say=self._say,
            max_restarts=settings.STACK_MAX_RESTARTS,
            stable_after=settings.STACK_STABLE_SECONDS,
            info={"addr": self.addr},
        )
        # Installed explicitly: a shell that starts us in the background ignores SIGINT.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _raise_interrupt)
        try:
            self._start_services()
            self._prepare(load_demo=not options["no_demo"])
            self._start_processes(reload=not options["noreload"])
            self._wait_for_web()
            self.banner = self._banner()
            self.stdout.write(self.banner)
            self._watch()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping …")
        finally:
            self._stop_all()

    def _say(self, line: str) -> None:
        self.stdout.write(f"[{time.strftime('%H:%M:%S')}] {line}")

    def _start_services(self) -> None:
        if settings.EMBEDDED_DATABASE:
            pgdata = settings.DATA_DIR / "pg"
            self.stdout.write(f"Starting embedded PostgreSQL in {pgdata} …")
            try:
                socket_dir = stack.start_postgres(pgdata)
            except stack.StackError as e:
                raise CommandError(str(e)) from e
            settings.DATABASES["default"]["HOST"] = str(socket_dir)
            connection.settings_dict["HOST"] = str(socket_dir)
        if settings.EMBEDDED_REDIS:
            redis_dir = settings.DATA_DIR / "redis"
            self.stdout.write(f"Starting embedded Redis in {redis_dir} …")
            try:
                # Restarted on the same socket with its append-only file: queued work survives.
                self.supervisor.add(
                    "redis", lambda: stack.start_redis(redis_dir), stop=stack.stop_redis
                )
            except stack.StackError as e:
                raise CommandError(str(e)) from e
        try:
            connection.ensure_connection()
        except OperationalError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else "no answer"
            raise CommandError(f"Database unreachable at {database_hint()}: {first}") from e

    def _prepare(self, *, load_demo: bool) -> None:
        call_command("check")
        self.stdout.write("Applying database migrations …")
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:  # production settings serve static files from their manifest
            self.stdout.write("Collecting static files …")
            call_command("collectstatic", interactive=False, verbosity=0)
        from portal.models import User

        if load_demo and not User.objects.exists():
            self.stdout.write("Loading the demo programme (first start only) …")
            call_command("seed_demo")
        for preparer in registry.stack_preparers:
            line = preparer()
            if line:
                self.stdout.write(line)
        connection.close()  # the children open their own connections

    def _commands(self, *, reload: bool) -> list[tuple[str, list[str]]]:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "portal"]
        worker = [*celery, "worker", "--loglevel", "info"]
        schedule = str(settings.DATA_DIR / "celerybeat-schedule")
        if settings.DEBUG:
            web = [python, "manage.py", "runserver", self.addr, *([] if reload else ["--noreload"])]
        else:
            web = [python, "-m", "gunicorn", "portal.wsgi:application", "-b", self.addr, "-w", "2"]
        return [
            ("worker-default", [*worker, "-Q", "default", "-c", "2", "-n", "default@%h"]),
            ("worker-llm", [*worker, "-Q", "llm", "-c", "1", "-n", "llm@%h"]),
            ("worker-stt", [*worker, "-Q", "stt", "-c", "1", "-n", "stt@%h"]),
            ("beat", [*celery, "beat", "--loglevel", "info", "-s", schedule]),
            ("web", web),
        ]

    def _start_processes(self, *, reload: bool = True) -> None:
        if not self.console:
            logs_dir().mkdir(parents=True, exist_ok=True)
            self.stdout.write(f"Workers, beat and web server write to {logs_dir()}/")
        for name, command in self._commands(reload=reload):
            self.supervisor.add(name, lambda n=name, c=command: self._spawn(n, c))

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        output = None if self.console else _log_file(logs_dir() / f"{name}.log")
        try:
            # A session of its own: Ctrl-C reaches only runstack, which stops them in order.
            return subprocess.Popen(  # noqa: S603 - our own fixed commands
                command,
                cwd=settings.BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
            )
        finally:
            if output is not None:
                output.close()  # the child holds its own descriptor

    def _wait_for_web(self, timeout: float = 120) -> None:
        """The banner comes once the web server accepts connections (or after a while)."""
        host, _, port = self.addr.rpartition(":")
        host = "127.0.0.1" if host in ("", "0.0.0.0") else host.strip("[]")  # noqa: S104
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.supervisor.poll()
            try:
                with socket.create_connection((host, int(port)), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)

    def _banner(self) -> str:
        from portal.demo import CAST, DEMO_PASSWORD
        from portal.models import User

        url = f"http://{self.addr}/"
        lines = ["", "=" * 72, f"  KI-Portal runs at {url}", ""]
        demo_users = set(
            User.objects.filter(email__in=[m.email for m in CAST]).values_list("email", flat=True)
        )
        connection.close()
        if demo_users:
            lines.append(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
            for member in CAST:
                if member.email in demo_users:
                    lines.append(f"    {member.email:<28} {member.about}")
            lines += ["", "  ada and rita need a two-factor code; it changes every 30 s:"]
            lines.append(f"    {totp_command('ada')}")
        if settings.LLM_DEMO_MODEL:
            lines += [
                "",
                "  No model configured: assistants run on random weights (meaningless output).",
            ]
        if not self.console:
            lines += ["", f"  Logs of workers, beat and web server: {logs_dir()}/"]
        lines += [
            "",
            "  Enter shows this again. Ctrl-C stops everything; data stays in "
            + str(settings.DATA_DIR),
            "=" * 72,
            "",
        ]
        return "\n".join(lines)

    def _watch(self) -> None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
        while True:
            self.supervisor.poll()
            if interactive:
                ready, _, _ = select.select([sys.stdin], [], [], 0.5)
                if ready:
                    if sys.stdin.readline():
                        self.stdout.write(self.banner)
                    else:  # end of input: stop listening
                        interactive = False
            else:
                time.sleep(0.5)

    def _stop_all(self) -> None:
        self.supervisor.stop_all()
        if settings.EMBEDDED_DATABASE:
            connection.close()
            stack.stop_postgres(settings.DATA_DIR / "pg")
        self.stdout.write("All processes stopped.")


def totp_command(login: str) -> str:
    """The command that prints a demo login's current code, from the project directory.

    Not `python manage.py demo_totp`: a plain `python` finds neither the project's virtual
    environment nor the debug mode `make run` sets; `make totp` brings both.
    """
    return f"make totp WHO={login}"


def _log_file(path: Path):
    """Open a child's log for appending; keep one previous file when it grows too large."""
    try:
        if path.stat().st_size > LOG_ROTATE_BYTES:
            path.replace(path.with_suffix(".log.1"))
    except FileNotFoundError:
        pass
    return path.open("ab")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
