"""REST commands on borrowers: status codes, problem JSON, auth and roles."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, runtime_of
from tests.support.people import WANG_FANG_ID, tea_shop, wang_fang


def problem_fields(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return [error["field"] for error in body.get("errors", [])]


def test_registering_answers_201_with_id_version_and_position(api: TestClient) -> None:
    response = api.post("/borrowers", json=wang_fang(), headers=OFFICER)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "version", "position"}
    assert body["version"] == 1
    assert body["position"] > 0
    business = api.post("/borrowers", json=tea_shop(), headers=OFFICER)
    assert business.status_code == 201, business.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (wang_fang(monthly_income="-1.00"), "monthly_income"),
        (wang_fang(monthly_income="10.001"), "monthly_income"),
        (wang_fang(monthly_income="lots"), "monthly_income"),
        (wang_fang(kind="robot"), "kind"),
        ({k: v for k, v in wang_fang().items() if k != "name"}, "name"),
        (wang_fang(region=7), "region"),
        (
            wang_fang(id_number=WANG_FANG_ID[:-1] + "9" if WANG_FANG_ID[-1] != "9" else "8"),
            "id_number",
        ),
        (wang_fang(phone="555"), "phone"),
        (wang_fang(birth_date="1990-01-01"), "birth_date"),
        (wang_fang(favourite_colour="green"), "favourite_colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    api: TestClient, body: dict[str, object], field: str
) -> None:
    response = api.post("/borrowers", json=body, headers=OFFICER)
    assert response.status_code == 422, response.text
    assert field in problem_fields(response)


def test_malformed_json_is_422_not_500(api: TestClient) -> None:
    response = api.post(
        "/borrowers",
        content=b'{"kind": "individual",',
        headers=OFFICER | {"content-type": "application/json"},
    )
    assert response.status_code == 422
    problem_fields(response)


def test_duplicate_id_number_is_409_naming_the_existing_borrower(api: TestClient) -> None:
    first = api.post("/borrowers", json=wang_fang(), headers=OFFICER).json()
    again = api.post("/borrowers", json=wang_fang(name="Impostor"), headers=OFFICER)
    assert again.status_code == 409
    assert again.json()["existing_borrower_id"] == first["id"]
    assert first["id"] in again.json()["detail"]


def test_update_unknown_borrower_is_404(api: TestClient) -> None:
    response = api.post(
        f"/borrowers/{uuid.uuid4()}/update", json={"region": "Hunan"}, headers=OFFICER
    )
    assert response.status_code == 404


def test_stale_if_match_is_409(api: TestClient) -> None:
    created = api.post("/borrowers", json=wang_fang(), headers=OFFICER).json()
    path = f"/borrowers/{created['id']}/update"
    ok = api.post(path, json={"region": "Hunan"}, headers=OFFICER | {"If-Match": "1"})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = api.post(path, json={"region": "Henan"}, headers=OFFICER | {"If-Match": "1"})
    assert stale.status_code == 409
    garbage = api.post(path, json={"region": "Henan"}, headers=OFFICER | {"If-Match": "abc"})
    assert garbage.status_code == 422
    assert "If-Match" in problem_fields(garbage)


def test_update_refuses_null_for_required_fields(api: TestClient) -> None:
    created = api.post("/borrowers", json=wang_fang(), headers=OFFICER).json()
    response = api.post(f"/borrowers/{created['id']}/update", json={"name": None}, headers=OFFICER)
    assert response.status_code == 422
    assert problem_fields(response) == ["name"]


def test_missing_or_invalid_token_is_401(api: TestClient) -> None:
    assert api.post("/borrowers", json=wang_fang()).status_code == 401
    forged = {"Authorization": "Bearer not.a.token"}
    assert api.post("/borrowers", json=wang_fang(), headers=forged).status_code == 401
    assert (
        api.post("/graphql", json={"query": "{ borrowers { edges { cursor } } }"}).status_code
        == 401
    )


def test_wrong_role_is_403(api: TestClient) -> None:
    assert api.post("/borrowers", json=wang_fang(), headers=ANALYST).status_code == 403


def test_a_borrower_registers_only_itself_and_cannot_update(api: TestClient) -> None:
    me = uuid.uuid4()
    response = api.post("/borrowers", json=wang_fang(), headers=bearer(str(me), Role.BORROWER))
    assert response.status_code == 201
    assert response.json()["id"] == str(me)
    update = api.post(
        f"/borrowers/{me}/update", json={"region": "Hunan"}, headers=bearer(str(me), Role.BORROWER)
    )
    assert update.status_code == 403


def test_health_reports_database_and_projection_lag(api: TestClient) -> None:
    written = api.post("/borrowers", json=wang_fang(), headers=OFFICER).json()
    runtime_of(api).projections.wait(written["position"])
    body = api.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    (borrowers,) = [p for p in body["projections"] if p["name"] == "borrowers"]
    assert borrowers["position"] == written["position"]
    assert borrowers["lag"] == 0


def test_a_failing_projection_is_reported_by_health(api: TestClient, db_url: str) -> None:
    """The read model stops alone; health says so, and stays 200 for the others."""
    import psycopg

    from projections.base import ReadModelStopped

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE borrowers ADD CONSTRAINT no_atlantis CHECK (region <> 'Atlantis')"
        )
    written = api.post("/borrowers", json=wang_fang(region="Atlantis"), headers=OFFICER).json()
    projections = runtime_of(api).projections
    with pytest.raises(ReadModelStopped):
        projections.wait(written["position"])
    body = api.get("/health")
    assert body.status_code == 200
    assert body.json()["status"] == "degraded"
    (borrowers,) = [p for p in body.json()["projections"] if p["name"] == "borrowers"]
    assert borrowers["running"] is False
    assert "no_atlantis" in borrowers["error"]
    assert borrowers["lag"] >= 1
    assert written["position"] > borrowers["position"]
    assert borrowers["stopped_at"] <= written["position"]
