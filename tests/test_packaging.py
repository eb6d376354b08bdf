"""The install ships every file the service serves, and setuptools has nothing to warn about."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _packages() -> set[str]:
    found = CONFIG.get("packages", {})
    if isinstance(found, list):
        return set(found)
    options = found["find"]
    assert options.get("namespaces", True), "plain discovery misses the data folders"
    return set(find_namespace_packages(where=str(ROOT), include=options["include"], exclude=options.get("exclude", ())))


def test_every_importable_folder_is_a_declared_package() -> None:
    """What setuptools warns about as 'Package would be ignored'."""
    packages = _packages()
    top = {p.split(".")[0] for p in packages}
    for name in top:
        for folder in [ROOT / name, *(ROOT / name).rglob("*")]:
            if not folder.is_dir() or folder.name == "__pycache__":
                continue
            parts = folder.relative_to(ROOT).parts
            if all(part.isidentifier() for part in parts):
                assert ".".join(parts) in packages, f"{folder} is importable but not declared"


def test_data_files_are_package_data() -> None:
    """Every file beside the code (queries, ontology, seeds, templates, static files, examples)."""
    packages = _packages()
    data = CONFIG["package-data"]
    for top in sorted({p.split(".")[0] for p in packages}):
        for path in (ROOT / top).rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = ".".join(path.parent.relative_to(ROOT).parts)
            candidates = [(p, ROOT.joinpath(*p.split("."))) for p in packages if owner.startswith(p)]
            assert any(
                _matches(path.relative_to(base), glob) for package, base in candidates for glob in data.get(package, [])
            ), f"{path.relative_to(ROOT)} would not be installed"
    assert (ROOT / "api" / "static" / "vendor" / "yasgui" / "LICENSE").exists()


def _matches(relative: Path, glob: str) -> bool:
    """``glob`` as setuptools reads it (``**/`` spans folders, ``*`` stays in one) on a relative path."""
    import re

    pattern = "".join(
        "(?:.*/)?" if part == "**/" else "[^/]*" if part == "*" else re.escape(part)
        for part in re.split(r"(\*\*/|\*)", glob)
    )
    return re.fullmatch(pattern, relative.as_posix()) is not None
