"""Read a large Word document's XML in a child process with a memory ceiling.

An XML tree in lxml takes about ten times the file's size, so a few MB of crafted XML could
make a web process grow by hundreds of MB for every upload. Main parts above
`ingest.IN_PROCESS_XML_BYTES` go to `python -m assistants.docx_worker` instead: it limits its
own address space first, reads the XML on stdin, writes the text on stdout (UTF-8), and
exits 2 if the XML is no Word document. Hitting the ceiling or the time limit kills the
child, never the web process.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

MEMORY_LIMIT_BYTES = 768 * 2**20
TIMEOUT_SECONDS = 30
UNREADABLE = 2
ROOT = Path(__file__).resolve().parents[1]


def text_in_child(xml: bytes) -> str:
    """Return `docx_text(xml)` computed in a child process (TranscriptError as there)."""
    from assistants.ingest import DOCX_TOO_LARGE, DOCX_UNREADABLE, TranscriptError

    try:
        done = subprocess.run(
            [sys.executable, "-m", "assistants.docx_worker"],
            input=xml,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TranscriptError(DOCX_TOO_LARGE) from None
    if done.returncode == 0:
        return done.stdout.decode("utf-8")
    raise TranscriptError(DOCX_UNREADABLE if done.returncode == UNREADABLE else DOCX_TOO_LARGE)


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    from assistants.ingest import TranscriptError, docx_text

    try:
        text = docx_text(sys.stdin.buffer.read())
    except TranscriptError:
        return UNREADABLE
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
