"""Run the whole portal on one machine: embedded PostgreSQL and Redis, workers, web server.

What `make run` calls. Data stays in PORTAL_DATA_DIR (./var) for the next run; Ctrl-C
stops every process this command started. With PORTAL_DATABASE_URL / PORTAL_REDIS_URL
set, those servers are used instead of the embedded ones.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError

from portal import registry, stack
from portal.cli import database_hint


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
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.redis: subprocess.Popen | None = None
        # Installed explicitly: a shell that starts us in the background ignores SIGINT.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _raise_interrupt)
        try:
            self._start_services()
            self._prepare(load_demo=not options["no_demo"])
            self._start_processes(options["addr"], reload=not options["noreload"])
            self._banner(options["addr"])
            self._watch()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping …")
        finally:
            self._stop_all()

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
                self.redis = stack.start_redis(redis_dir)
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

    def _start_processes(self, addr: str, *, reload: bool = True) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "portal"]
        commands = [
            (
                "worker-default",
                [
                    *celery,
                    "worker",
                    "-Q",
                    "default",
                    "-c",
                    "2",
                    "-n",
                    "default@%h",
                    "--loglevel",
                    "info",
                ],
            ),
            (
                "worker-llm",
                [*celery, "worker", "-Q", "llm", "-c", "1", "-n", "llm@%h", "--loglevel", "info"],
            ),
            (
                "beat",
                [
                    *celery,
                    "beat",
                    "--loglevel",
                    "info",
                    "-s",
                    str(settings.DATA_DIR / "celerybeat-schedule"),
                ],
            ),
            (
                "web",
                [python, "manage.py", "runserver", addr, *([] if reload else ["--noreload"])]
                if settings.DEBUG
                else [python, "-m", "gunicorn", "portal.wsgi:application", "-b", addr, "-w", "2"],
            ),
        ]
        for name, command in commands:
            # A session of their own: Ctrl-C reaches only this process, which stops them in order.
            proc = subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
            self.children.append((name, proc))

    def _banner(self, addr: str) -> None:
        from portal.demo import CAST, DEMO_PASSWORD
        from portal.models import User

        time.sleep(2)
        url = f"http://{addr}/"
        lines = ["", "=" * 72, f"  KI-Portal runs at {url}", ""]
        demo_users = set(
            User.objects.filter(email__in=[m.email for m in CAST]).values_list("email", flat=True)
        )
        if demo_users:
            lines.append(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
            for member in CAST:
                if member.email in demo_users:
                    lines.append(f"    {member.email:<28} {member.about}")
            lines += ["", "  ada and rita need a two-factor code: python manage.py demo_totp ada"]
        if settings.LLM_DEMO_MODEL:
            lines += [
                "",
                "  No model configured: assistants run on random weights (meaningless output).",
            ]
        lines += [
            "",
            "  Ctrl-C stops everything; data stays in " + str(settings.DATA_DIR),
            "=" * 72,
            "",
        ]
        connection.close()
        self.stdout.write("\n".join(lines))

    def _watch(self) -> None:
        while True:
            for name, proc in self.children:
                if proc.poll() is not None:
                    raise CommandError(
                        f"{name} exited with code {proc.returncode}; stopping the rest"
                    )
            time.sleep(1)

    def _stop_all(self) -> None:
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.redis is not None:
            stack.stop_redis(self.redis)
        if settings.EMBEDDED_DATABASE:
            connection.close()
            stack.stop_postgres(settings.DATA_DIR / "pg")
        self.stdout.write("All processes stopped.")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
