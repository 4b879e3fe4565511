"""The real server over HTTP: register over REST with tokens, read over GraphQL."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg

from infrastructure.settings import Settings
from tests.support.api import OFFICER
from tests.support.people import LI_MING_ID, credit_code, tea_shop, wang_fang
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


LI_MING = wang_fang(name="Li Ming", id_number=LI_MING_ID, phone="13900139000")
SECOND_SHOP = tea_shop(name="Hankou Tea House", id_number=credit_code("92420106MA4K3L5Q9"),
                       phone="+86 139 1234 5679")  # fmt: skip


def test_api_processes_are_followed_and_keep_serving_when_a_read_model_fails(
    settings: Settings, db_url: str
) -> None:
    """`serve --workers 2`: two API processes; the one that started them follows the
    store, so a read waits for the write whichever process answers it. A read model that
    fails then stops alone, and every API process shows it in /health (they read it from
    the database); only the follower's own failure (here its LISTEN connection killed)
    stops every process, with exit status 1. One server for both: each start of its three
    processes costs seconds."""
    with server_process(settings, "--workers", "2", processes=2) as (process, base):
        with httpx.Client(base_url=base, timeout=30) as http:
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

        with psycopg.connect(db_url, autocommit=True) as conn:
            # NOT VALID: the rows there stay; every new one is refused.
            conn.execute("ALTER TABLE borrowers ADD CONSTRAINT refused CHECK (false) NOT VALID")
        with httpx.Client(base_url=base, timeout=30) as http:
            written = http.post("/borrowers", json=LI_MING, headers=OFFICER)
            assert written.status_code == 201, written.text
            deadline = time.monotonic() + 60
            while (borrowers := _borrowers_health(http))["stopped_at"] is None:
                assert time.monotonic() < deadline, "the failure never showed in /health"
            assert borrowers["running"] is False
            assert "refused" in borrowers["error"]
            health = http.get("/health")
            assert (health.status_code, health.json()["status"]) == (200, "degraded")
            second = http.post("/borrowers", json=SECOND_SHOP, headers=OFFICER)
            assert second.status_code == 201, second.text
        assert process.poll() is None

        with psycopg.connect(db_url, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
            ).fetchall()
        assert killed
        assert process.wait(timeout=60) == 1
        assert process.stdout is not None
        assert "read models stopped" in process.stdout.read()


def _borrowers_health(http: httpx.Client) -> dict[str, Any]:
    body = http.get("/health").json()
    (borrowers,) = [p for p in body["projections"] if p["name"] == "borrowers"]
    return dict(borrowers)
