"""The layout of graph/: layers without import circles, every module says what it holds, the
architecture document names every module."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (ROOT / "graph").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_starts_with_what_it_holds(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path.relative_to(ROOT)} has no module docstring"
    assert len(doc.splitlines()[0]) > 10


def test_architecture_document_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in MODULES:
        rel = path.relative_to(ROOT / "graph")
        if rel.name == "__init__.py":
            name = str(rel.parent) if rel.parent != Path(".") else None
            if name and f"graph.{name}" not in text and f"graph/{name}/" not in text:
                missing.append(f"graph.{name}")
            continue
        words = set(re.findall(r"[\w.]+", text))
        dotted = "graph." + ".".join(rel.with_suffix("").parts)
        if dotted not in text and rel.stem not in words:
            missing.append(dotted)
    assert missing == []


def test_import_contracts_hold() -> None:
    """Layers and no circles, as ``lint-imports`` checks them in CI (contracts in pyproject.toml)."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (the test extra installs it)")
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
