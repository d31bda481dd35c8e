"""Fixtures of the browser journeys: the live stack (once per session) and Chromium.

Every test here is marked `e2e` and `slow`: `make test` runs them; a developer can leave
them out locally with `-m "not e2e"`. Without /usr/bin/chromium or axe-core they fail
under CI (CI=true) and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Visitor
from tests.e2e.fetch_axe import TARGET as AXE_PATH
from tests.e2e.live import LiveStack, live_stack_create

HERE = os.path.dirname(__file__)
# Browser assertions may wait for a worker on a busy 2-core machine: as long as a page step.
expect.set_options(timeout=30_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if str(item.fspath).startswith(HERE):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must run the browser tests (.ci/run installs it)")
    pytest.skip(f"{what} is missing (make test installs axe-core; apt-get install chromium)")


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    stack = live_stack_create()
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(stack.data_dir, ignore_errors=True)
        stack.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    if not AXE_PATH.exists():
        _missing(f"axe-core ({AXE_PATH})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A fresh temporary profile per launch; Playwright never downloads a browser here.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visitor(live_stack: LiveStack, chromium) -> Iterator[Callable[..., Visitor]]:
    """Make a Visitor (own cookies) per person; each one's problems fail the test."""
    visitors: list[Visitor] = []

    def make(**context_options) -> Visitor:
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900},
            locale="de-DE",
            accept_downloads=True,
            **context_options,
        )
        person = Visitor(stack=live_stack, context=context)
        visitors.append(person)
        return person

    yield make
    problems = []
    for person in visitors:
        problems += person.problems
        person.context.close()
    assert not problems, "\n".join(problems)
