"""Configuration: bad values stop with one clear line; production passes check --deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PORTAL_DEBUG": "false",
    "PORTAL_SECRET_KEY": "k7#Vq2!pLr9@xT4$wZ8^mN3&bH6*cJ1(fD5)gS0-yA_eR+uW=iO;lK:nM<vB>Q",
    "PORTAL_ALLOWED_HOSTS": "ki.firma.test",
    "PORTAL_SITE_URL": "https://ki.firma.test",
    "PORTAL_EMAIL_HOST": "127.0.0.1",
}


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    base["PORTAL_DATA_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_clear_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    ("env", "needles"),
    [
        ({"PORTAL_DEBUG": "vielleicht"}, ["PORTAL_DEBUG", "true or false", "vielleicht"]),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_LLM_MODEL_PATH": "/nowhere/model.gguf"},
            ["PORTAL_LLM_MODEL_PATH", "/nowhere/model.gguf"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_EMBEDDING_BACKEND": "gguf"},
            ["PORTAL_EMBEDDING_BACKEND=gguf needs PORTAL_EMBEDDING_MODEL_PATH"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_EMBEDDING_BACKEND": "bert"},
            ["PORTAL_EMBEDDING_BACKEND", "bert"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_MODEL_MIRROR": "ftp://spiegel.intern/modelle"},
            ["PORTAL_MODEL_MIRROR", "http(s)"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_LLM_N_CTX": "viel"},
            ["PORTAL_LLM_N_CTX", "whole number"],
        ),
        ({"PORTAL_DEBUG": "false"}, ["PORTAL_SECRET_KEY"]),
        ({**PRODUCTION, "PORTAL_SITE_URL": "ki.firma.test"}, ["PORTAL_SITE_URL"]),
        ({"PORTAL_DEBUG": "true", "PORTAL_REDIS_URL": "http://x"}, ["PORTAL_REDIS_URL"]),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_CRON_JOB_REAPER": "jede Minute"},
            ["PORTAL_CRON_JOB_REAPER"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_CRON_EVENT_REMINDERS": "off"},
            ["PORTAL_CRON_EVENT_REMINDERS", "PORTAL_CRON_REMINDERS"],
        ),
        (
            {
                "PORTAL_DEBUG": "true",
                "PORTAL_LLM_BACKEND": "openai",
                "PORTAL_LLM_SERVER_URL": "https://api.openai.com",
            },
            ["PORTAL_LLM_ALLOWED_HOSTS", "api.openai.com"],
        ),
        (
            {"PORTAL_DEBUG": "true", "PORTAL_SECRET_KEY_FILE": "/nowhere/secret"},
            ["PORTAL_SECRET_KEY_FILE", "cannot be read"],
        ),
    ],
)
def test_bad_configuration_stops_with_one_line(env, needles, tmp_path) -> None:
    _one_clear_line(_manage("check", env=env, tmp_path=tmp_path), *needles)


def test_unreachable_database_stops_with_one_line(tmp_path) -> None:
    env = {"PORTAL_DEBUG": "true", "PORTAL_DATABASE_URL": "postgres://portal:pw@127.0.0.1:1/portal"}
    result = _manage("migrate", env=env, tmp_path=tmp_path)
    _one_clear_line(result, "Database unreachable", "127.0.0.1:1/portal", "PORTAL_DATABASE_URL")


def test_secret_read_from_file(tmp_path) -> None:
    secret = tmp_path / "key"
    secret.write_text(PRODUCTION["PORTAL_SECRET_KEY"] + "\n")
    env = {**PRODUCTION, "PORTAL_SECRET_KEY_FILE": str(secret)}
    env.pop("PORTAL_SECRET_KEY")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_passes_check_deploy_without_warnings(tmp_path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_headers_and_cookies_on_real_responses(tmp_path) -> None:
    """Serve requests with the production settings: HSTS, CSP, __Host- cookies."""
    db = settings.DATABASES["default"]
    env = {
        **PRODUCTION,
        "PORTAL_DATABASE_URL": f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        "PORTAL_REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    script = (
        "import django, json, sys; django.setup();"
        "from django.conf import settings; settings.STATIC_ROOT = sys.argv[1];"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='ki.firma.test').get('/accounts/login/', secure=True);"
        "c = r.cookies['__Host-csrftoken'];"
        "print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security'),"
        " 'csp': r.get('Content-Security-Policy'), 'secure': c['secure'], 'path': c['path'],"
        " 'domain': c['domain'], 'session_cookie': django.conf.settings.SESSION_COOKIE_NAME,"
        " 'insecure': Client(HTTP_HOST='ki.firma.test').get('/accounts/login/').status_code}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "static")],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["status"] == 200
    assert "max-age=31536000" in facts["hsts"]
    assert "includeSubDomains" in facts["hsts"]
    assert "unsafe-inline" not in facts["csp"]
    assert "unsafe-eval" not in facts["csp"]
    assert "default-src 'self'" in facts["csp"]
    assert facts["secure"] is True
    assert facts["path"] == "/"
    assert facts["domain"] == ""
    assert facts["session_cookie"] == "__Host-sessionid"
    assert facts["insecure"] == 301  # plain HTTP is redirected to HTTPS


def test_env_example_lists_every_variable() -> None:
    import re

    source = (ROOT / "portal" / "settings.py").read_text()
    used = set(re.findall(r'env_\w+\("(PORTAL_[A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^(PORTAL_[A-Z_]+)=", example, re.MULTILINE))
    assert used - listed == set()


def test_oidc_switched_on_by_environment(tmp_path) -> None:
    env = {
        "PORTAL_DEBUG": "true",
        "PORTAL_OIDC_SERVER_URL": "https://login.microsoftonline.com/t/v2.0",
        "PORTAL_OIDC_CLIENT_ID": "portal",
        "PORTAL_OIDC_CLIENT_SECRET": "geheim",
    }
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "a = settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0]; "
        "print(a['provider_id'], a['settings']['server_url'])",
        env=env,
        tmp_path=tmp_path,
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "sso",
        "https://login.microsoftonline.com/t/v2.0",
    ]
    missing = {**env, "PORTAL_OIDC_CLIENT_SECRET": ""}
    _one_clear_line(_manage("check", env=missing, tmp_path=tmp_path), "PORTAL_OIDC_CLIENT_SECRET")


def test_pytest_refuses_a_run_without_tests(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/portal/test_stack.py", "-k", "no_such_test", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode not in (0, 5), result.stdout


@pytest.mark.parametrize(
    ("url", "transport", "cert_reqs"),
    [
        ("unix:///tmp/r.sock", "portal.broker:UnixSocketTransport", None),
        ("redis://redis:6379", "portal.broker:Transport", None),
        # kombu alone would speak TLS to rediss:// without checking the certificate.
        ("rediss://:pw@redis.firma.test:6380", "portal.broker:Transport", "CERT_REQUIRED"),
    ],
)
def test_every_redis_url_uses_the_transport_that_survives_restarts(
    url: str, transport: str, cert_reqs: str | None, tmp_path: Path
) -> None:
    code = (
        "from portal.celery import app\n"
        "c = app.connection_for_write()\n"  # builds the connection, does not connect
        "reqs = (c.ssl or {}).get('ssl_cert_reqs')\n"
        "print(c.transport_cls, getattr(reqs, 'name', None), c.transport.Channel.__module__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DEBUG="true", PORTAL_DATA_DIR=str(tmp_path), PORTAL_REDIS_URL=url)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [transport, str(cert_reqs), "portal.broker"]
