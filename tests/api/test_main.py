"""Start-up of the application: what it loads."""

from __future__ import annotations

import subprocess
import sys


def test_app_start_does_not_import_the_view_libraries() -> None:
    code = "import sys, api.main; print(sorted(m for m in ('pyvis', 'networkx', 'pyshacl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
