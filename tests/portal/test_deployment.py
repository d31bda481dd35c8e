"""The production compose file: it validates, and it has the shape the deployment relies on.

No database and no Docker engine: `docker-compose config` only reads files.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

PYTHON_SERVICES = {"migrate", "web", "worker", "worker-llm", "worker-stt", "beat"}
# Run by hand only (`docker compose run --rm model-pull NAME`), never by `up`.
TOOLS = {"model-pull"}
ALL_SERVICES = PYTHON_SERVICES | TOOLS | {"postgres", "redis"}
LONG_RUNNING = ALL_SERVICES - {"migrate"} - TOOLS

DUMMY_ENV = """\
POSTGRES_PASSWORD=dummy-password
PORTAL_SECRET_KEY=dummy-secret-key
PORTAL_ALLOWED_HOSTS=portal.example.com
PORTAL_SITE_URL=https://portal.example.com
PORTAL_EMAIL_HOST=mail.example.com
"""


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]


def _args(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def _option(args: list[str], name: str) -> str | None:
    """Return the value of `name` in a command line, given as `name value` or `name=value`."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def _mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Return (source, target, read_only) for each volume, in short or long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((volume["source"], volume["target"], bool(volume.get("read_only"))))
        else:
            source, target, *mode = volume.split(":")
            mounts.append((source, target, "ro" in ",".join(mode).split(",")))
    return mounts


def test_compose_file_validates_with_docker_compose(tmp_path: Path) -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed, and CI must have it")
        warnings.warn(
            "docker-compose is not installed: only the structure of docker-compose.yml was checked",
            stacklevel=1,
        )
        return
    shutil.copy(COMPOSE_FILE, tmp_path)
    shutil.copy(DOCKERFILE, tmp_path)
    (tmp_path / ".env").write_text(DUMMY_ENV, encoding="utf-8")
    # A bare environment, so that variables of the calling shell cannot hide a missing default.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_compose_has_the_expected_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == ALL_SERVICES


def test_python_services_share_one_image_and_build(services: dict[str, dict[str, Any]]) -> None:
    images = {services[name].get("image") for name in PYTHON_SERVICES | TOOLS}
    builds = {repr(services[name].get("build")) for name in PYTHON_SERVICES | TOOLS}

    assert len(images) == 1 and None not in images
    assert len(builds) == 1 and "None" not in builds


def test_llm_worker_runs_one_generation_at_a_time(services: dict[str, dict[str, Any]]) -> None:
    args = _args(services["worker-llm"]["command"])

    assert _option(args, "-Q") == "llm"
    assert _option(args, "--concurrency") == "1"
    assert _option(args, "--prefetch-multiplier") == "1"


def test_speech_worker_runs_one_transcription_at_a_time(
    services: dict[str, dict[str, Any]],
) -> None:
    args = _args(services["worker-stt"]["command"])

    assert _option(args, "-Q") == "stt"
    assert _option(args, "--concurrency") == "1"
    assert _option(args, "--prefetch-multiplier") == "1"


def test_default_worker_does_not_consume_the_llm_queue(
    services: dict[str, dict[str, Any]],
) -> None:
    assert _option(_args(services["worker"]["command"]), "-Q") == "default"


def test_llm_worker_mounts_the_models_read_only(services: dict[str, dict[str, Any]]) -> None:
    service = services["worker-llm"]
    model_mounts = [m for m in _mounts(service) if m[1] == "/models"]

    assert model_mounts, "worker-llm does not mount /models"
    assert all(read_only for _, _, read_only in model_mounts)
    assert service["environment"]["PORTAL_LLM_MODEL_PATH"].startswith("/models/")


def test_no_running_service_writes_to_the_models(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for _, target, read_only in _mounts(service):
            if target == "/models" and name not in TOOLS:
                assert read_only, f"{name} mounts /models writable"


def test_only_the_model_pull_tool_writes_models_and_only_when_asked(
    services: dict[str, dict[str, Any]],
) -> None:
    tool = services["model-pull"]

    assert tool["profiles"] == ["tools"]  # `docker compose up` never starts it
    assert tool["restart"] == "no" and "ports" not in tool
    assert ("./models", "/models", False) in _mounts(tool)
    assert _args(tool["entrypoint"])[:4] == ["python", "manage.py", "model_pull", "--no-activate"]
    # The running services name the model themselves (PORTAL_LLM_MODEL_FILE); before the first
    # pull there is none, so the tool must not require one.
    assert tool["environment"]["PORTAL_LLM_MODEL_PATH"] == ""
    assert tool["environment"]["PORTAL_MODELS_DIR"] == "/models"


def test_long_running_services_have_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name in LONG_RUNNING:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), name
        assert services[name].get("restart") == "unless-stopped", name


def test_python_services_wait_for_migrations(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"].get("restart") == "no"
    for name in PYTHON_SERVICES - {"migrate"}:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_postgres_has_pgvector(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")


def test_only_the_web_service_publishes_a_port(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, service in services.items() if service.get("ports")}

    assert published == {"web"}


def test_no_service_uses_host_networking(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert service.get("network_mode") != "host", name


def test_image_runs_as_a_non_root_user() -> None:
    users = [
        line.split()[1]
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("USER ")
    ]

    assert users and users[-1] not in {"root", "0"}
