"""Browser fixtures: live uvicorn servers on loopback and Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.viz_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, Watched

playwright_sync = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def live(seed_store: Any) -> Iterator[LiveServer]:
    """The seed graph served on a free loopback port."""
    with LiveServer(seed_store) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_live() -> Iterator[LiveServer]:
    """Seeds plus enterprises named ``<script>…`` and ``<img onerror…>``, served on loopback."""
    from tests.viz_hostile import hostile_store

    with LiveServer(hostile_store()) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def watched(browser: Any) -> Iterator[Callable[[], Watched]]:
    """Factory of fresh watched pages (1400×860) in a new context each."""
    contexts: list[Any] = []

    def make() -> Watched:
        ctx = browser.new_context(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
        contexts.append(ctx)
        return Watched(ctx.new_page())

    yield make
    for ctx in contexts:
        ctx.close()
