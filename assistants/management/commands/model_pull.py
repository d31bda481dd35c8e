"""Download a language model for the assistants, check it, install it, make it active.

    manage.py model_pull                       # the catalogue: sizes, licences, what is here
    manage.py model_pull qwen2.5-7b            # pull, verify, install, activate
    manage.py model_pull NAME --confirm-sha256 HEX      # where no checksum is published
    manage.py model_pull --url URL --file x.gguf [--sha256 HEX]   # a model of your own

Run by an administrator on the server; nothing in the portal downloads on its own.
"""

from __future__ import annotations

import os
import shlex
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.template.defaultfilters import filesizeformat

from assistants import model_pull
from assistants.model_catalogue import CATALOGUE, by_name
from assistants.model_download import (
    DownloadError,
    Interrupted,
    file_sha256,
    install_confirmed,
    unconfirmed_path,
)


class Command(BaseCommand):
    help = (
        "Download a German-capable instruction-tuned GGUF model from the catalogue (or an "
        "address you give), verify its checksum, install it into the models folder and make "
        "it the assistants' model. Without a name: list the catalogue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="a catalogue name, e.g. qwen2.5-7b")
        parser.add_argument("--url", default="", help="download from this address instead")
        parser.add_argument("--file", default="", help="file name for a model given by --url")
        parser.add_argument("--sha256", default="", help="the checksum the file must have")
        parser.add_argument(
            "--confirm-sha256",
            default="",
            metavar="HEX",
            help="confirm the checksum of a file pulled without a published one, and install it",
        )
        parser.add_argument(
            "--no-activate", action="store_true", help="install only; keep the current model"
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=3,
            choices=range(0, 11),
            metavar="N",
            help="resume a broken download up to N times before giving up (default 3)",
        )

    @no_translations  # an operator's tool, in English like manage.py itself
    def handle(self, *args, **options) -> None:
        if settings.LLM_BACKEND != "llama_cpp":
            raise CommandError("PORTAL_LLM_BACKEND is not llama_cpp: this server loads no model.")
        try:
            source = self._source(options)
            if source is None:
                self._list()
                return
            if options["confirm_sha256"]:
                self._confirm(source, options["confirm_sha256"])
            else:
                self._pull(source, retries=options["retries"])
        except DownloadError as e:
            raise CommandError(str(e)) from e
        except OSError as e:  # the network's errors are DownloadErrors: this is the disk
            raise CommandError(
                f"Cannot write to {settings.MODELS_DIR}: {e.strerror or e}. It must be a folder "
                f"the portal's user (uid {os.getuid()}) may write to, with room for the model."
            ) from e
        problem = model_pull.chat_template_problem(settings.MODELS_DIR / source.filename)
        if problem:
            raise CommandError(f"{problem} It stays installed but is not made active.")
        if options["no_activate"]:
            self.stdout.write(
                f"Not made active. To use it: PORTAL_LLM_MODEL_FILE={source.filename} in .env "
                "(docker compose), or PORTAL_LLM_MODEL_PATH to its path, then restart."
            )
        else:
            self._activate(source.filename)

    def _source(self, options) -> model_pull.Source | None:
        name, url = options["name"], options["url"]
        given = [name] if name else []
        given += [f"--url {shlex.quote(url)}"] if url else []
        given += [f"--file {shlex.quote(options['file'])}"] if options["file"] else []
        self._again = " ".join(given)  # how to name this model again in a later call
        if name:
            model = by_name(name)
            if model is None:
                names = ", ".join(m.name for m in CATALOGUE)
                raise CommandError(f"No model {name!r} in the catalogue. Known: {names}.")
            return model_pull.source_for(model, url=url, sha256=options["sha256"])
        if url:
            if not options["file"]:
                raise CommandError("--url needs --file NAME.gguf, the name to install it under.")
            return model_pull.custom_source(url, filename=options["file"], sha256=options["sha256"])
        return None

    def _list(self) -> None:
        active = model_pull.active_name()
        self.stdout.write(f"Models folder: {settings.MODELS_DIR}\n")
        for model in CATALOGUE:
            installed = (settings.MODELS_DIR / model.filename).is_file()
            mark = "active" if model.filename == active else "installed" if installed else ""
            checksum = "published checksum" if model.sha256 else "checksum confirmed on pull"
            self.stdout.write(
                f"{model.name:<16} {filesizeformat(model.size_bytes):>8}  "
                f"RAM ≥ {model.min_ram_gb} GB  {model.licence}; {checksum}  {mark}\n"
                f"{'':16} {model.title}: {model.note}\n"
            )
        self.stdout.write("Pull one with: manage.py model_pull NAME")

    def _pull(self, source: model_pull.Source, *, retries: int) -> None:
        installed = settings.MODELS_DIR / source.filename
        if source.sha256 and installed.is_file() and file_sha256(installed) == source.sha256:
            self.stdout.write(f"{source.filename} is installed already (SHA-256 verified).")
            return
        self.stdout.write(f"Downloading {source.filename} from {source.url}")
        for attempt in range(retries + 1):
            bar = _Bar(self.stderr)
            try:
                done = model_pull.pull(source, progress=bar)
                break
            except Interrupted as e:
                bar.close()
                if attempt == retries:
                    raise
                self.stderr.write(f"{e} Resuming (try {attempt + 2} of {retries + 1}) ...")
                time.sleep(min(2**attempt, 30))
        bar.close()
        if done.resumed_from:
            self.stdout.write(f"Resumed at {done.resumed_from:,} bytes.")
        if source.sha256 is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No checksum is published for {source.filename}. The downloaded file has\n"
                    f"  SHA-256 {done.sha256}\n"
                    "Compare it with the publisher's page (on Hugging Face: the file's page "
                    "shows its SHA256), then run\n"
                    f"  manage.py model_pull {self._again} --confirm-sha256 {done.sha256}\n"
                    f"The file waits, not installed, at {done.path}."
                )
            )
            if not (sys.stdin.isatty() and _ask("Does it match the published one? [y/N] ")):
                raise CommandError("Not installed: its checksum is not confirmed.", returncode=3)
            self._confirm(source, done.sha256)
            return
        self.stdout.write(
            self.style.SUCCESS(f"Installed {done.path} ({done.size:,} bytes, SHA-256 verified).")
        )

    def _confirm(self, source: model_pull.Source, sha256: str) -> None:
        target = settings.MODELS_DIR / source.filename
        if not unconfirmed_path(target).exists() and target.is_file() and source.sha256:
            self.stdout.write(f"{source.filename} is installed already.")
            return
        install_confirmed(target, sha256)
        model_pull.record_confirmed(source.filename, sha256, source.url)
        self.stdout.write(self.style.SUCCESS(f"Installed {target}; checksum recorded."))

    def _activate(self, filename: str) -> None:
        path = settings.MODELS_DIR / filename
        model_pull.activate(filename)
        self.stdout.write(self.style.SUCCESS(f"Active model: {filename}."))
        configured = settings.LLM_MODEL_PATH
        if settings.LLM_MODEL_CHOSEN_BY == "environment" and configured != path:
            self.stdout.write(
                self.style.WARNING(
                    f"PORTAL_LLM_MODEL_PATH={configured} is set and wins: point it at {path}, "
                    "or unset it."
                )
            )
        self.stdout.write("Restart the portal (its llm worker) to load the new model.")


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes", "j", "ja")
    except EOFError:
        return False


def _plain(text: str) -> str:
    return text  # progress is not an error: no red on stderr


class _Bar:
    """Progress on stderr: one redrawn line on a terminal, a line per tenth elsewhere."""

    def __init__(self, stream) -> None:
        self.stream, self.tty, self.last_tenth = stream, stream.isatty(), -1

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            share = done / total
            text = f"{share:6.1%}  {filesizeformat(done)} of {filesizeformat(total)}"
        else:
            share, text = 0.0, f"{filesizeformat(done)}"
        if self.tty:
            width = 30
            filled = int(width * share)
            line = f"\r[{'#' * filled}{'.' * (width - filled)}] {text}"
            self.stream.write(line, style_func=_plain, ending="")
            self.stream.flush()
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(text, style_func=_plain)

    def close(self) -> None:
        if self.tty:
            self.stream.write("", style_func=_plain)
