"""Schemathesis sends schema-derived requests to every REST operation: never a 500."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import bearer, client

EVERY_ROLE = bearer("fuzz.admin", *Role)


def test_no_request_gets_a_server_error(settings: Settings) -> None:
    with client(settings) as api:
        schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 15
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings_for_fuzzing
            def no_server_error(case: Any) -> None:
                response = case.call(headers=EVERY_ROLE)
                assert response.status_code < 500, (case.method, case.path, case.body)

            no_server_error()


settings_for_fuzzing = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
