"""The examples in docstrings are part of the contract: run every one of them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import api
import graph

MODULES = sorted(
    name
    for package in (graph, api)
    for name in (m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."))
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
