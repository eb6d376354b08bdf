"""Browser-test helpers: a live uvicorn server on loopback and a watched Playwright page."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A uvicorn server in a thread, serving an app over a given store."""

    def __init__(self, store: Any) -> None:
        import uvicorn

        from api.main import create_app
        from api.settings import Settings

        self.store = store
        self.port = free_port()
        app = create_app(Settings(store="", admin_token=None), store=store)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_js(page: Any, expression: str, arg: Any = None, *, timeout: float = 15.0) -> None:
    """Poll ``expression`` (a JS function source) with ``page.evaluate`` until it is truthy.

    ``page.wait_for_function`` compiles its predicate with ``eval`` inside the page, which the
    pages' Content-Security-Policy forbids; ``evaluate`` runs through the debugger protocol.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except Exception:  # navigation in progress
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {expression}")
        time.sleep(0.05)


class Watched:
    """A page with its external requests, dialogs, console errors and page errors recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request: Any) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(request.url)
        if parts.scheme in ("data", "file", "about", "blob"):
            return
        if parts.hostname != "127.0.0.1":
            self.external.append(request.url)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open_graph(self, url: str) -> dict[str, Any]:
        """Open a graph page and wait until vis-network has drawn it; return its counts."""
        self.page.goto(url)
        wait_js(self.page, "() => !!(window.chainkgGraph && window.chainkgGraph.ready === true)")
        counts: dict[str, Any] = self.page.evaluate(
            "({nodes: window.chainkgGraph.nodes, edges: window.chainkgGraph.edges,"
            " dataNodes: +document.getElementById('graph').dataset.nodes,"
            " dataEdges: +document.getElementById('graph').dataset.edges})"
        )
        return counts

    def click_node(self, node_id: str) -> str:
        """Click a node where it is drawn; return the details panel's text."""
        pos = self.page.evaluate("id => window.chainkgGraph.domPosition(id)", node_id)
        self.page.mouse.click(pos["x"], pos["y"])
        wait_js(self.page, "id => window.chainkgGraph.selected === id", node_id, timeout=5)
        return str(self.page.inner_text("#details-body"))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path
