"""The real server over HTTP: register over REST with tokens, read over GraphQL."""

from __future__ import annotations

import httpx

from infrastructure.settings import Settings
from tests.support.api import ANALYST, OFFICER
from tests.support.people import tea_shop, wang_fang
from tests.support.processes import running_server

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
            headers=ANALYST | {"X-Min-Position": str(position)},
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
