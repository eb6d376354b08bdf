"""What a server start imports: the rdflib ``Dataset`` over the store (oxrdflib, rdflib's SPARQL
modules, a third of a second) only when something asks for it."""

from __future__ import annotations

import subprocess
import sys


def test_the_app_and_a_store_do_not_import_oxrdflib_until_the_dataset_is_used() -> None:
    code = ("import sys; from api.main import create_app; from graph.store.embedded import KGStore; "
            "kg = KGStore(); create_app(store=kg); print('oxrdflib' in sys.modules); "
            "print(len(kg.dataset) >= 0, 'oxrdflib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False", "True", "True"]
