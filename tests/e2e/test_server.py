"""The real server over HTTP: register over REST with tokens, read over GraphQL."""

from __future__ import annotations

import httpx
import psycopg

from infrastructure.settings import Settings
from tests.support.api import OFFICER
from tests.support.people import tea_shop, wang_fang
from tests.support.processes import running_server, server_process

BORROWERS = "{ borrowers(first: 10) { edges { node { name kind monthlyIncome version } } } }"


def test_register_over_rest_and_read_back_over_graphql(settings: Settings) -> None:
    with running_server(settings) as base, httpx.Client(base_url=base, timeout=10) as http:
        first = http.post("/borrowers", json=wang_fang(), headers=OFFICER)
        second = http.post("/borrowers", json=tea_shop(), headers=OFFICER)
        assert first.status_code == 201, first.text
        assert second.status_code == 201, second.text
        position = second.json()["position"]
        answer = http.post(
            "/graphql",
            json={"query": BORROWERS},
            # A loan officer reads names in full (an analyst, masked).
            headers=OFFICER | {"X-Min-Position": str(position)},
        )
        assert answer.status_code == 200
        nodes = [e["node"] for e in answer.json()["data"]["borrowers"]["edges"]]
        assert nodes == [
            {"name": "Wang Fang", "kind": "INDIVIDUAL", "monthlyIncome": "8500.00", "version": 1},
            {
                "name": "Wuhan Spring Tea Shop",
                "kind": "BUSINESS",
                "monthlyIncome": "30000.00",
                "version": 1,
            },
        ]
        assert http.post("/borrowers", json=wang_fang()).status_code == 401
        docs = http.get("/docs")
        assert docs.status_code == 200
        assert "/borrowers" in http.get("/openapi.json").json()["paths"]
        health = http.get("/health").json()
        assert health["status"] == "ok"


def test_api_processes_are_followed_by_the_serving_one(settings: Settings) -> None:
    """`serve --workers 2`: two API processes; the one that started them follows the
    store, so a read waits for the write whichever process answers it."""
    with (
        running_server(settings, "--workers", "2", processes=2) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        for person in (wang_fang(), tea_shop()):
            written = http.post("/borrowers", json=person, headers=OFFICER)
            assert written.status_code == 201, written.text
            answer = http.post(
                "/graphql",
                json={"query": BORROWERS},
                headers=OFFICER | {"X-Min-Position": str(written.json()["position"])},
            )
            names = [e["node"]["name"] for e in answer.json()["data"]["borrowers"]["edges"]]
            assert names[-1] == person["name"]
        assert http.get("/health").json()["status"] == "ok"


def test_api_processes_stop_when_the_read_models_fail(settings: Settings, db_url: str) -> None:
    """As a worker exits when its read models fail, so does `serve --workers 2`, with
    its API processes, and says which read model stopped."""
    with server_process(settings, "--workers", "2", processes=2) as (process, base):
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE borrowers ADD CONSTRAINT refused CHECK (false)")
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.post("/borrowers", json=wang_fang(), headers=OFFICER).status_code == 201
        assert process.wait(timeout=60) == 1
        assert process.stdout is not None
        assert "projection borrowers stopped" in process.stdout.read()
