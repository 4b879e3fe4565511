"""Request bodies are capped (LENDING_MAX_BODY_BYTES): 413 before a large body is read."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from infrastructure.settings import Settings
from tests.support.api import ANALYST, OFFICER, client
from tests.support.people import wang_fang
from tests.support.processes import running_server

JSON = {"content-type": "application/json"}
MEGABYTE = 1_048_576


def address_update(size: int) -> bytes:
    """An update whose address makes the whole body `size` bytes."""
    frame = len(json.dumps({"address": ""}))
    return json.dumps({"address": "x" * (size - frame)}).encode()


def in_pieces(body: bytes, piece: int = 64 * 1024) -> Iterator[bytes]:
    """The body streamed without a Content-Length (chunked)."""
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 413
    assert str(MEGABYTE) in problem["detail"]


def test_a_2_mb_update_is_refused_within_a_second_and_health_still_answers(
    settings: Settings,
) -> None:
    with running_server(settings) as base, httpx.Client(base_url=base, timeout=10) as http:
        registered = http.post("/borrowers", json=wang_fang(), headers=OFFICER)
        assert registered.status_code == 201, registered.text
        path = f"/borrowers/{registered.json()['id']}/update"
        for body in (address_update(2 * MEGABYTE), in_pieces(address_update(2 * MEGABYTE))):
            started = time.monotonic()
            response = http.post(path, content=body, headers=OFFICER | JSON)
            elapsed = time.monotonic() - started
            assert response.status_code in (413, 422), response.text
            assert elapsed < 1, f"refused after {elapsed:.2f} s"
            health = http.get("/health", timeout=1)
            assert health.status_code == 200, health.text
        graphql = http.post("/graphql", content=b" " * (2 * MEGABYTE), headers=ANALYST | JSON)
        assert_too_large(graphql)
        assert http.get("/health", timeout=1).status_code == 200


UPDATE = "/borrowers/00000000-0000-0000-0000-000000000007/update"


@pytest.mark.parametrize(
    ("path", "streamed"),
    [
        (UPDATE, False),
        (UPDATE, True),
        ("/graphql", False),
        ("/graphql", True),
        # A declared length over the cap is refused before any route is found.
        ("/health", False),
        ("/nowhere", False),
    ],
)
def test_a_body_over_the_cap_is_413_problem_json_wherever_it_goes(
    settings: Settings, path: str, streamed: bool
) -> None:
    body = address_update(MEGABYTE + 1)
    with client(settings) as api:
        content = in_pieces(body) if streamed else body
        assert_too_large(api.post(path, content=content, headers=OFFICER | JSON))


def test_a_body_at_the_cap_is_read(settings: Settings) -> None:
    with client(settings) as api:
        for content in (address_update(MEGABYTE), in_pieces(address_update(MEGABYTE))):
            response = api.post(
                UPDATE,
                content=content,
                headers=OFFICER | JSON,
            )
            # Read and validated: the address is too long, so the field is named.
            assert response.status_code == 422, response.text
            assert [e["field"] for e in response.json()["errors"]] == ["address"]


def test_the_cap_is_a_setting(settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 100})
    with client(small) as api:
        response = api.post("/schedules/preview", content=b" " * 101, headers=OFFICER | JSON)
        assert response.status_code == 413
        assert "100 bytes" in response.json()["detail"]
