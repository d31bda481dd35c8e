"""`manage.py model_pull` against a loopback HTTP server serving generated GGUF models.

Nothing here reaches a model hub: the server is in this process, the models are written by
`assistants.gguf_models`, and the catalogue's real addresses are only checked for form.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from assistants import model_pull
from assistants.model_catalogue import CATALOGUE, by_name
from assistants.model_download import unconfirmed_path

pytestmark = pytest.mark.django_db


class _Files:
    """What the server serves, how it misbehaves, and what it was asked."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.cut_after: int | None = None  # send this many bytes of the next body, then hang up
        self.ignore_range = False
        self.requests: list[tuple[str, str | None]] = []


def _handler(files: _Files) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            files.requests.append((self.path, self.headers.get("Range")))
            body = files.bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            start = 0
            wanted = self.headers.get("Range")
            if wanted and not files.ignore_range:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            payload = body[start:]
            if files.cut_after is not None:
                payload, files.cut_after = payload[: files.cut_after], None
                self.wfile.write(payload)
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, _Files]]:
    files = _Files()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(files))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", files
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def models_dir(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    settings.MODELS_DIR = folder
    settings.ACTIVE_MODEL_FILE = folder / "active-model"
    settings.MODEL_MIRROR = ""
    return folder


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from assistants.gguf_models import write_chat_model

    return write_chat_model(tmp_path_factory.mktemp("served") / "m.gguf").read_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pull(*args: str) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("model_pull", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_pulls_verifies_installs_and_activates(server, models_dir, gguf) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf

    out = _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))

    assert (models_dir / "tiny.gguf").read_bytes() == gguf
    assert (models_dir / "active-model").read_text().strip() == "tiny.gguf"
    assert (models_dir / "active-model").stat().st_mode & 0o777 == 0o644  # every service reads it
    assert sorted(p.name for p in models_dir.iterdir()) == ["active-model", "tiny.gguf"]
    assert "SHA-256 verified" in out and "Active model: tiny.gguf" in out

    again = _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))
    assert "installed already (SHA-256 verified)" in again
    assert len(files.requests) == 1  # nothing downloaded twice


def test_broken_connection_keeps_the_part_and_the_next_run_resumes(
    server, models_dir, gguf
) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    files.cut_after = len(gguf) // 3
    args = ("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))

    with pytest.raises(CommandError, match="run the same command again to resume"):
        _pull(*args, "--retries", "0")
    assert (models_dir / "tiny.gguf.part").stat().st_size == len(gguf) // 3
    assert not (models_dir / "tiny.gguf").exists()
    assert not (models_dir / "active-model").exists()

    out = _pull(*args)

    assert files.requests[-1] == ("/m/tiny.gguf", f"bytes={len(gguf) // 3}-")
    assert f"Resumed at {len(gguf) // 3:,} bytes" in out
    assert (models_dir / "tiny.gguf").read_bytes() == gguf
    assert not (models_dir / "tiny.gguf.part").exists()


def test_a_break_is_retried_within_the_same_run(server, models_dir, gguf) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    files.cut_after = 1000

    _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))

    assert [r for _, r in files.requests] == [None, "bytes=1000-"]
    assert (models_dir / "tiny.gguf").read_bytes() == gguf


def test_wrong_checksum_installs_nothing_and_keeps_nothing(server, models_dir, gguf) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf

    with pytest.raises(CommandError, match=r"Checksum mismatch.*nothing was installed"):
        _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", "0" * 64)

    assert list(models_dir.iterdir()) == []


def test_a_partial_file_is_checked_whole_even_when_resumed(server, models_dir, gguf) -> None:
    """Garbage left in a .part file is caught by the checksum, which covers every byte."""
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    models_dir.mkdir()
    (models_dir / "tiny.gguf.part").write_bytes(b"GGUF" + b"\0" * 996)

    with pytest.raises(CommandError, match="Checksum mismatch"):
        _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))
    assert not (models_dir / "tiny.gguf.part").exists()

    _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))
    assert (models_dir / "tiny.gguf").read_bytes() == gguf


def test_a_server_without_ranges_sends_it_all_again(server, models_dir, gguf) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    files.ignore_range = True
    models_dir.mkdir()
    (models_dir / "tiny.gguf.part").write_bytes(gguf[:5000])

    _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))

    assert (models_dir / "tiny.gguf").read_bytes() == gguf


def test_a_finished_part_file_is_verified_without_downloading_again(
    server, models_dir, gguf
) -> None:
    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    models_dir.mkdir()
    (models_dir / "tiny.gguf.part").write_bytes(gguf)

    _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))

    assert files.requests == [("/m/tiny.gguf", f"bytes={len(gguf)}-")]
    assert (models_dir / "tiny.gguf").read_bytes() == gguf


def test_an_error_page_instead_of_a_model_is_refused(server, models_dir) -> None:
    base, files = server
    page = b"<html><body>Bitte anmelden</body></html>"
    files.bodies["/m/tiny.gguf"] = page

    with pytest.raises(CommandError, match="not a GGUF model"):
        _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(page))
    assert list(models_dir.iterdir()) == []


def test_a_missing_file_names_the_server_answer(server, models_dir) -> None:
    base, _ = server
    with pytest.raises(CommandError, match="404"):
        _pull("--url", f"{base}/m/none.gguf", "--file", "none.gguf", "--sha256", "a" * 64)


def test_without_a_published_checksum_the_admin_confirms_it(server, models_dir, gguf) -> None:
    base, files = server
    files.bodies["/m/own.gguf"] = gguf
    args = ("--url", f"{base}/m/own.gguf", "--file", "own.gguf")

    with pytest.raises(CommandError, match="not confirmed") as refused:
        _pull(*args)
    assert refused.value.returncode == 3
    waiting = unconfirmed_path(models_dir / "own.gguf")
    assert waiting.read_bytes() == gguf
    assert not (models_dir / "own.gguf").exists()
    assert not (models_dir / "active-model").exists()

    with pytest.raises(CommandError, match="is not the file's"):
        _pull(*args, "--confirm-sha256", "b" * 64)
    assert waiting.exists()

    out = _pull(*args, "--confirm-sha256", _sha(gguf))

    assert (models_dir / "own.gguf").read_bytes() == gguf
    assert "checksum recorded" in out
    recorded = json.loads((models_dir / "checksums.json").read_text())
    assert recorded["own.gguf"]["sha256"] == _sha(gguf)
    # Later pulls (another server, a reinstall) verify against the confirmed checksum.
    again = model_pull.custom_source(f"{base}/m/own.gguf", filename="own.gguf")
    assert (again.sha256, again.checksum_origin) == (_sha(gguf), "confirmed")


def test_the_company_mirror_serves_catalogue_models(server, models_dir, settings, gguf) -> None:
    base, files = server
    model = CATALOGUE[0]
    files.bodies[f"/spiegel/{model.filename}"] = gguf
    settings.MODEL_MIRROR = f"{base}/spiegel"

    # The mirror's copy is our tiny model, so its checksum is given instead of the catalogue's.
    _pull(model.name, "--sha256", _sha(gguf))

    assert files.requests == [(f"/spiegel/{model.filename}", None)]
    assert (models_dir / model.filename).read_bytes() == gguf
    assert (models_dir / "active-model").read_text().strip() == model.filename


def test_a_base_model_is_installed_but_never_made_active(server, models_dir, tmp_path) -> None:
    from assistants.gguf_models import write_chat_model

    base_model = write_chat_model(tmp_path / "base.gguf", chat_template=None).read_bytes()
    base, files = server
    files.bodies["/m/base.gguf"] = base_model

    with pytest.raises(CommandError, match=r"no chat template.*not made active"):
        _pull("--url", f"{base}/m/base.gguf", "--file", "base.gguf", "--sha256", _sha(base_model))

    assert (models_dir / "base.gguf").exists()
    assert not (models_dir / "active-model").exists()


def test_not_enough_disk_space_is_said_before_downloading(
    server, models_dir, gguf, monkeypatch
) -> None:
    import shutil

    base, files = server
    files.bodies["/m/tiny.gguf"] = gguf
    monkeypatch.setattr(
        "assistants.model_download.shutil.disk_usage", lambda _: shutil._ntuple_diskusage(1, 1, 10)
    )

    with pytest.raises(CommandError, match="Not enough disk space"):
        _pull("--url", f"{base}/m/tiny.gguf", "--file", "tiny.gguf", "--sha256", _sha(gguf))
    assert not (models_dir / "tiny.gguf").exists()


def test_a_models_folder_that_cannot_be_written_is_named(settings, tmp_path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    settings.MODELS_DIR = tmp_path / "a-file" / "models"
    with pytest.raises(CommandError, match=r"Cannot write to .*a-file/models.*may write to"):
        _pull("--url", "http://127.0.0.1:9/x.gguf", "--file", "x.gguf", "--retries", "0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("llama-99b",), "No model 'llama-99b' in the catalogue"),
        (("--url", "http://127.0.0.1:9/x.gguf"), "--url needs --file"),
        (("--url", "file:///etc/passwd", "--file", "x.gguf"), "Only http"),
        (("--url", "http://127.0.0.1:9/x.gguf", "--file", "../x.gguf"), "plain file name"),
        (("--url", "http://127.0.0.1:9/x", "--file", "x.gguf", "--sha256", "xyz"), "64 hex"),
        (("--url", "http://127.0.0.1:9/x.gguf", "--file", "x.gguf", "--retries", "0"), "reach"),
    ],
)
def test_bad_arguments_get_a_clear_message(models_dir, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        _pull(*args)
    assert not models_dir.exists() or not (models_dir / "active-model").exists()


def test_the_catalogue_lists_sizes_licences_and_what_is_active(models_dir) -> None:
    models_dir.mkdir()
    chosen = CATALOGUE[-1]
    (models_dir / chosen.filename).write_bytes(b"GGUF")
    (models_dir / "active-model").write_text(chosen.filename)

    out = _pull()

    for model in CATALOGUE:
        assert model.name in out and model.licence in out
    active = next(line for line in out.splitlines() if line.endswith("active"))
    assert active.startswith(chosen.name)


def test_catalogue_entries_are_complete_and_never_guess_a_checksum() -> None:
    assert len({m.name for m in CATALOGUE}) == len(CATALOGUE)
    for model in CATALOGUE:
        assert model.url.startswith("https://huggingface.co/")
        assert model.url.endswith("/" + model.filename) and model.filename.endswith(".gguf")
        assert model.licence and model.licence_url.startswith("https://")
        assert model.size_bytes > 0 and model.min_ram_gb > 0 and model.note
        if model.sha256:
            assert len(model.sha256) == 64 and int(model.sha256, 16) >= 0
            assert model.sha256_source.startswith("https://")
        else:
            assert model.sha256_source == ""
        assert by_name(model.name.upper()) is model


def _settings_of(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LLM_MODEL_PATH, s.LLM_MODEL_CHOSEN_BY, s.LLM_DEMO_MODEL)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "PORTAL_LLM_MODEL_PATH"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DJANGO_SETTINGS_MODULE": "portal.settings"} | env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_load_the_pulled_model_and_refuse_a_dangling_choice(tmp_path, gguf) -> None:
    (tmp_path / "m.gguf").write_bytes(gguf)
    (tmp_path / "active-model").write_text("m.gguf\n")

    loaded = _settings_of({"PORTAL_MODELS_DIR": str(tmp_path)})
    assert loaded.stdout.split() == [str(tmp_path / "m.gguf"), "model_pull", "False"]

    (tmp_path / "m.gguf").unlink()
    dangling = _settings_of({"PORTAL_MODELS_DIR": str(tmp_path)})
    assert dangling.returncode != 0
    assert "pull it again with manage.py model_pull" in dangling.stderr

    (tmp_path / "active-model").unlink()
    demo = _settings_of({"PORTAL_MODELS_DIR": str(tmp_path)})
    assert demo.stdout.split()[1:] == ["demo", "True"]


def test_the_model_status_page_says_where_the_model_came_from(
    client, ada, settings, tiny_chat_model
) -> None:
    settings.LLM_MODEL_PATH, settings.LLM_DEMO_MODEL = tiny_chat_model, False
    settings.LLM_MODEL_CHOSEN_BY = "model_pull"
    client.force_login(ada)

    page = client.get("/assistenten/modell/").content.decode()

    assert "tiny-chat.gguf" in page and "aus dem Modellkatalog installiert" in page
    assert "python manage.py model_pull qwen2.5-7b" in page  # the command, inside <code>
    # the setting's name only as a technical hint for administrators, in <code>
    assert "Einstellung für Administratoren: <code>PORTAL_LLM_MODEL_PATH</code>" in page
    assert "llama.cpp (auf diesem Server)" in page and "llama_cpp" not in page
