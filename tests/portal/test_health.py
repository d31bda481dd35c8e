"""/healthz reports PostgreSQL, Redis and the workers; 503 as soon as one is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.utils import OperationalError

from portal.views import server_error

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_no_worker_means_503_and_says_which(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["database"] == "ok"
    assert report["redis"] == "ok"
    assert report["workers"] == {"default": "down", "llm": "down", "stt": "down"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_redis_down_is_reported_not_raised(client, settings) -> None:
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "unix:///tmp/no-such-redis.sock?db=1"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"


@pytest.mark.slow
def test_real_workers_make_it_healthy(client, settings, tiny_whisper_model) -> None:
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(settings.DATA_DIR),
        "PORTAL_STT_MODEL_PATH": str(tiny_whisper_model),
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                queue,
                "-c",
                "1",
                "-n",
                f"{queue}-health@%h",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for queue in ("default", "llm", "stt")
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            response = client.get("/healthz")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert response.status_code == 200, response.json()
        assert response.json() == {
            "database": "ok",
            "redis": "ok",
            "status": "ok",
            "workers": {"default": "ok", "llm": "ok", "stt": "ok"},
        }
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)


def test_database_outage_gives_friendly_503(rf) -> None:
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Datenbank" in response.content.decode()


def test_other_errors_give_500(rf) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
