"""Every command of the README's "Try it" section, run verbatim against a real server.

The section's fenced blocks are read when the tests are collected, so a line added to the
README is a new test case. ``curl`` lines and ``.venv/bin/chainkg`` lines run through the shell,
exactly as written, except for two substitutions: the README's ``http://127.0.0.1:8000`` becomes
the test server's free loopback port, and ``.venv/bin/`` becomes the running interpreter's
``bin/`` when the README's venv is not the one running the tests. Python blocks run as scripts
with the same URL substitution.

The server is ``chainkg serve`` in a subprocess over a temporary store that it builds on start;
the CLI commands run in a temporary working directory (where the repository's files are linked,
so ``docs/examples/...`` resolve) against another temporary store (``CHAINKG_STORE``). curl's
status code is read through a ``.curlrc`` (``CURL_HOME``), so the command line stays as written.
Lines that need the admin token are skipped: the test server runs without one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[1]
README_URL = "http://127.0.0.1:8000"
STATUS_MARK = "\n@@chainkg-status="


@dataclass(frozen=True)
class Command:
    """One runnable item of the README: a shell line (``bash``) or a script (``python``)."""

    lang: str
    text: str

    @property
    def id(self) -> str:
        first = self.text.splitlines()[0] if self.lang == "bash" else self.text.strip().splitlines()[-1]
        return re.sub(r"\s+", " ", first)[:70]


def try_it_commands(readme: str) -> list[Command]:
    """The commands of the "Try it" section: each ``bash`` block split into shell commands
    (comments dropped, continuation lines and quoted newlines kept), each ``python`` block whole.

    >>> text = "## Try it\\n```bash\\n# c\\ncurl -s 'a\\nb' \\\\\\n  -H x\\nls\\n```\\n## Next\\n```bash\\npwd\\n```\\n"
    >>> [c.text for c in try_it_commands(text)]
    ["curl -s 'a\\nb' \\\\\\n  -H x", 'ls']
    """
    match = re.search(r"^## Try it\s*$(.*?)(?=^## )", readme + "\n## end\n", flags=re.M | re.S)
    assert match, "the README has no '## Try it' section"
    commands: list[Command] = []
    for lang, body in re.findall(r"^```(\w+)\n(.*?)^```", match.group(1), flags=re.M | re.S):
        if lang == "python":
            commands.append(Command("python", body))
            continue
        if lang not in ("bash", "sh", "shell"):
            continue
        pending: list[str] = []
        for line in body.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending.append(line)
            text = "\n".join(pending)
            if text.endswith("\\"):
                continue
            try:
                shlex.split(text, comments=True)
            except ValueError:  # an open quote: the command goes on
                continue
            commands.append(Command("bash", text))
            pending = []
        assert not pending, f"unterminated command in the README: {pending}"
    return commands


COMMANDS = try_it_commands((ROOT / "README.md").read_text(encoding="utf-8"))


def _needs_admin(command: Command) -> bool:
    return "CHAINKG_ADMIN_TOKEN" in command.text or "Authorization: Bearer" in command.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin() -> Path:
    readme_venv = ROOT / ".venv" / "bin"
    return readme_venv if (readme_venv / "chainkg").exists() else Path(sys.executable).parent


@dataclass
class Env:
    url: str
    workdir: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def live_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    base = tmp_path_factory.mktemp("readme")
    workdir = base / "work"
    workdir.mkdir()
    for entry in ROOT.iterdir():  # the repository as the user's checkout, without its store
        if entry.name not in ("var", ".git", "test-artifacts") and not (workdir / entry.name).exists():
            (workdir / entry.name).symlink_to(entry)
    curl_home = base / "curl"
    curl_home.mkdir()
    mark = STATUS_MARK.replace("\n", "\\n")
    (curl_home / ".curlrc").write_text(f'write-out = "{mark}%{{http_code}}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINKG_")}
    env.update({"CURL_HOME": str(curl_home), "CHAINKG_STORE": str(base / "cli-store"), "NO_PROXY": "*"})
    port = _free_port()
    server_env = {**env, "CHAINKG_STORE": str(base / "server-store"), "CHAINKG_ACCESS_LOG": "false"}
    proc = subprocess.Popen([str(_bin() / "chainkg"), "serve", "--port", str(port)], cwd=workdir,
                            env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180  # the first start builds the store
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chainkg serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("chainkg serve did not listen within 180 s")
                time.sleep(0.2)
        build = subprocess.run([str(_bin() / "chainkg"), "build"], cwd=workdir, env=env,
                               capture_output=True, timeout=300)
        assert build.returncode == 0, build.stderr
        yield Env(f"http://127.0.0.1:{port}", workdir, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _localise(text: str, env: Env) -> str:
    text = text.replace(README_URL, env.url)
    if _bin() != ROOT / ".venv" / "bin":
        text = text.replace(".venv/bin/", f"{_bin()}/")
    return text


def _assert_meaningful(body: str, where: str, *, lines: int = 2) -> None:
    """An answer that says something: JSON that is no error and not empty, RDF with triples,
    or at least ``lines`` lines of text (a table with a header and rows)."""
    text = body.strip()
    assert text, f"{where}: empty answer"
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        assert not (isinstance(data, dict) and "error" in data), f"{where}: {text[:300]}"
        assert data not in ({}, [], None), f"{where}: empty JSON"
        return
    if text.startswith("@prefix") or text.startswith("<"):
        assert len(Graph().parse(data=text, format="turtle")) > 0, f"{where}: no triples"
        return
    assert len(text.splitlines()) >= lines, f"{where}: too short: {text[:300]}"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_readme_command(command: Command, live_env: Env) -> None:
    if _needs_admin(command):
        pytest.skip("needs the admin token; the test server runs without one")
    text = _localise(command.text, live_env)
    if command.lang == "python":
        run = subprocess.run([sys.executable, "-c", text], cwd=live_env.workdir, env=live_env.env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        _assert_meaningful(run.stdout, "python block")
        return
    program = shlex.split(command.text, comments=True)[0]
    if program == "curl" and not shutil.which("curl"):
        pytest.skip("curl is not installed")
    run = subprocess.run(["bash", "-c", text], cwd=live_env.workdir, env=live_env.env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr}{run.stdout[-2000:]}"
    out = run.stdout
    if program == "curl":
        out, _, status = out.rpartition(STATUS_MARK)
        assert status.strip().isdigit(), f"no status from curl: {run.stdout[-300:]}"
        assert 200 <= int(status) < 300, f"HTTP {status}: {out[:500]}"
    output = re.search(r"(?:^|\s)-o\s+(\S+)", command.text)
    if output:
        written = live_env.workdir / output.group(1)
        assert written.exists() and written.stat().st_size > 0, f"{written} was not written"
        return
    _assert_meaningful(out, command.id, lines=2 if program == "curl" else 1)


def test_every_try_it_block_has_commands() -> None:
    assert any(c.text.startswith("curl") for c in COMMANDS)
    assert any(".venv/bin/chainkg" in c.text for c in COMMANDS)
    assert any(c.lang == "python" for c in COMMANDS)


def test_python_blocks_need_only_what_the_install_command_installs() -> None:
    """The first README command installs chainkg's dependencies, not its extras: the Python
    examples may import those only (and the standard library)."""
    import ast
    import tomllib
    from importlib.metadata import packages_distributions, requires

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = {re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0].lower().replace("_", "-") for d in project["dependencies"]}
    for dist in list(installed):  # and what those bring along
        for req in requires(dist) or []:
            if "extra ==" not in req:
                installed.add(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0].lower().replace("_", "-"))
    providers = packages_distributions()
    blocks = [c for c in COMMANDS if c.lang == "python"]
    assert blocks
    for block in blocks:
        for node in ast.walk(ast.parse(block.text)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names:
                    continue
                dists = {d.lower().replace("_", "-") for d in providers.get(top, [])}
                assert dists & installed, f"README imports {top!r}, which `pip install -e .` does not install"
