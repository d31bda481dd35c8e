"""Read the real tags of an HTML page (text that looks like a tag is not one)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


def tags(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return (tag, attributes) of every start tag in `html`."""
    parser = _Tags()
    parser.feed(html)
    return parser.found
