"""Property-based run of the service's own OpenAPI document: no 5xx, no response off-schema.

The schema is loaded at import (``schemathesis.pytest.from_fixture`` does not work with the
installed pytest), from an app over its own in-memory seed store.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from api.main import create_app
from api.settings import Settings
from graph.build.loading import build
from graph.store.embedded import KGStore


def _app() -> object:
    store = KGStore()
    build(store, validate=False)
    return create_app(Settings(store="", admin_token=None, query_timeout=5.0), store=store)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.status_code_conformance,
        ]
    )
