"""Fetch axe-core from the npm registry once, at install time (never during a test run).

`make test` calls this before pytest; the file lands in .tools/axe-core/ and the browser
tests inject it into each page. The tarball's sha512 is pinned: a changed or truncated
download is refused. Uses the standard library only (no npm needed).
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = (
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
TARGET = Path(__file__).resolve().parents[2] / ".tools" / "axe-core" / f"axe-{VERSION}.min.js"


def main() -> int:
    if TARGET.is_file():
        return 0
    with urllib.request.urlopen(URL, timeout=60) as response:
        data = response.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"axe-core {VERSION}: checksum mismatch, download refused")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        script = archive.extractfile("package/axe.min.js")
        assert script is not None
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        TARGET.write_bytes(script.read())
    print(f"axe-core {VERSION} -> {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
