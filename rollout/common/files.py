"""Uploaded documents (event materials, use-case attachments): which types are taken, how
they are checked and named, and how they are served — always as a download, never inline,
and only by a view that has checked who asks (the storage has no public URL)."""

from __future__ import annotations

import codecs
from pathlib import PurePosixPath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FILE_SIZE = 20 * 1024 * 1024
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# extension → (content type sent on download, how the file must begin; None: UTF-8 text)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "zip": ("application/zip", _ZIP),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain; charset=utf-8", None),
    "md": ("text/markdown; charset=utf-8", None),
}


def file_extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")


def safe_filename(name: str) -> str:
    """Return a harmless file name: no path, ASCII letters, digits and dashes, known suffix."""
    path = PurePosixPath(name.replace("\\", "/"))
    stem = slugify(path.stem)[:80].strip("-_") or "material"
    return f"{stem}.{file_extension(name)}"


def content_matches_type(upload: UploadedFile, extension: str) -> bool:
    """True when the file begins the way files of its type do (text: valid UTF-8, no NUL)."""
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    signatures = ALLOWED_TYPES[extension][1]
    if signatures is not None:
        return head.startswith(signatures)
    if b"\x00" in head:
        return False
    try:  # incremental: a character cut at the end of the sample is fine
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


HELP_TEXT = gettext_lazy(
    "PDF, PowerPoint, Word, Excel, PNG, JPG, text, Markdown or ZIP, up to 20 MB."
)


class DocumentField(forms.FileField):
    """A file field for the types above: size, extension and content checked."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", gettext_lazy("File"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "PDF, PowerPoint, Word, Excel, PNG, JPG, text, Markdown or ZIP, up to 20 MB."
            ),
        )
        accept = ",".join(f".{e}" for e in ALLOWED_TYPES)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return upload
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        extension = file_extension(upload.name)
        if extension not in ALLOWED_TYPES:
            raise forms.ValidationError(
                _("Files of this type cannot be added. Allowed: %(types)s.")
                % {"types": ", ".join(sorted(ALLOWED_TYPES))}
            )
        if not content_matches_type(upload, extension):
            raise forms.ValidationError(
                _("The file's content does not match its type (.%(ext)s).") % {"ext": extension}
            )
        return upload


def file_download(stored: FieldFile) -> FileResponse:
    """Serve a stored file as an attachment (no sniffing, no shared caches); 404 if gone."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = ALLOWED_TYPES.get(file_extension(stored.name), ("application/octet-stream",))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePosixPath(stored.name).name,
        content_type=content_type[0],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
