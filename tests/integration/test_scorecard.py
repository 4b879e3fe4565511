"""Scorecards end to end: the store, training from the CLI, REST scoring and GraphQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import roc_auc_score

from application.scorecard import Activate, Publish, activate, load_scorecards, publish, score
from domain.errors import NotFound
from domain.scorecard import EXPERT_FEATURES, SCORECARDS_ID, ScoreModel, expert_model
from infrastructure.runtime import Runtime
from infrastructure.scorecard_training import train_file
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, graphql, runtime_of
from tests.support.credit_data import histories, write_csv
from tests.support.database import select_dicts
from tests.support.processes import lending_env, run

RISK = bearer("risk.he", Role.RISK_OFFICER)
SCORECARDS = """{ scorecards { version kind active createdAt publishedBy target features
    metrics { auc gini ks trainRows testRows } } }"""
APPLICANTS = [
    {
        "age": 41,
        "monthly_income": "15000",
        "debt_to_income": "0.18",
        "loan_to_annual_income": "0.08",
        "term_months": 6,
        "borrower_kind": "individual",
        "prior_loans": 3,
        "prior_max_dpd": 0,
    },
    {"age": 22, "monthly_income": 2800, "debt_to_income": 0.82, "prior_max_dpd": 120},
    {"debt_to_income": "0.45", "region": "Yunnan", "employment": "farmer"},
    {},
]


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> ScoreModel:
    path = write_csv(tmp_path_factory.mktemp("scorecard") / "book.csv", histories(2000, 31))
    return train_file(path, "status").model


def test_the_expert_model_is_published_on_first_use(runtime: Runtime) -> None:
    app = runtime.app
    assert not app.exists(SCORECARDS_ID)
    scored = score(app, APPLICANTS[0])
    assert (scored.version, scored.grade) == (1, "A")
    events = app.events_of(SCORECARDS_ID)
    assert [(type(e).__name__, e.actor) for e in events] == [
        ("Opened", "system"), ("ModelPublished", "system"), ("ModelActivated", "system"),
    ]  # fmt: skip
    assert events[1].model == expert_model()
    head = runtime.projections.head()
    assert score(app, APPLICANTS[1]).version == 1
    assert runtime.projections.head() == head  # scoring writes nothing


def test_replay_reproduces_past_assessments_after_a_newer_model_is_active(
    runtime: Runtime, settings: Settings, trained_model: ScoreModel
) -> None:
    assessed = [score(runtime.app, features) for features in APPLICANTS]
    assert {a.version for a in assessed} == {1}
    published = publish(runtime.app, Publish("risk.he", trained_model))
    assert published.version == 2
    activate(runtime.app, Activate("risk.he", 2))
    now = [score(runtime.app, features) for features in APPLICANTS]
    assert {n.version for n in now} == {2}
    assert [n.pd for n in now] != [a.pd for a in assessed]
    # Another process, with nothing cached, replays the store.
    elsewhere = Runtime.open(settings)
    try:
        assert [score(elsewhere.app, f, version=1) for f in APPLICANTS] == assessed
        assert [score(elsewhere.app, f) for f in APPLICANTS] == now
        assert load_scorecards(elsewhere.app).model(2) == trained_model
    finally:
        elsewhere.close()


def test_concurrent_publishers_get_distinct_versions(
    runtime: Runtime, settings: Settings, trained_model: ScoreModel
) -> None:
    other = Runtime.open(settings)
    try:
        load_scorecards(runtime.app)
        # Each loss is to another publisher's save, so four fit in the retry budget.
        apps = [runtime.app, other.app] * 2
        with ThreadPoolExecutor(max_workers=len(apps)) as pool:
            versions = list(
                pool.map(lambda a: publish(a, Publish("risk.he", trained_model)).version, apps)
            )
        assert sorted(versions) == [2, 3, 4, 5]
        assert sorted(load_scorecards(other.app).models) == [1, 2, 3, 4, 5]
    finally:
        other.close()
    with pytest.raises(NotFound):
        activate(runtime.app, Activate("risk.he", 6))


def rows(db_url: str) -> list[dict[str, Any]]:
    return select_dicts(db_url, "SELECT * FROM scorecards ORDER BY version")


def test_the_read_model_equals_a_rebuild(
    runtime: Runtime, db_url: str, trained_model: ScoreModel
) -> None:
    runtime.projections.start()
    publish(runtime.app, Publish("risk.he", trained_model))
    last = activate(runtime.app, Activate("risk.he", 2))
    runtime.projections.wait(last.position)
    incremental = rows(db_url)
    assert [(r["version"], r["kind"], r["active"]) for r in incremental] == [
        (1, "expert", False), (2, "logistic_woe", True),
    ]  # fmt: skip
    assert incremental[0]["features"] == list(EXPERT_FEATURES)
    assert incremental[1]["auc"] == trained_model.metrics.auc  # type: ignore[union-attr]
    assert incremental[1]["activated_at"] > incremental[0]["activated_at"]
    assert runtime.projections.rebuild("scorecards") == last.position
    assert rows(db_url) == incremental


def test_a_model_trained_from_the_command_line_scores_through_the_api(
    api: TestClient, settings: Settings, tmp_path: Path
) -> None:
    expert = graphql(api, SCORECARDS, ANALYST)["data"]["scorecards"]
    assert [(s["version"], s["kind"], s["active"], s["metrics"]) for s in expert] == [
        (1, "EXPERT", True, None)
    ]
    assert expert[0]["features"] == list(EXPERT_FEATURES)
    env = lending_env(settings)
    book = write_csv(tmp_path / "book.csv", histories(3000, seed=21))
    trained = run("scorecard", "train", str(book), "--target", "status", "--actor", "risk.he",
                  env=env)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert trained.stdout.strip().splitlines()[-1] == "2"
    assert "AUC" in trained.stdout

    head = runtime_of(api).app.recorder.max_notification_id()
    listed = graphql(api, SCORECARDS, RISK, min_position=head)["data"]["scorecards"]
    assert [(s["version"], s["active"]) for s in listed] == [(2, False), (1, True)]
    newest = listed[0]
    assert (newest["kind"], newest["publishedBy"], newest["target"]) == (
        "LOGISTIC_WOE", "risk.he", "status"
    )  # fmt: skip
    assert float(newest["metrics"]["auc"]) >= 0.75
    assert (newest["metrics"]["trainRows"], newest["metrics"]["testRows"]) == (2100, 900)

    # An analyst checks version 2 on rows it has never seen before making it active.
    held_out = histories(400, seed=22)
    pds = []
    for row in held_out:
        features = {k: v for k, v in row.items() if k != "status"}
        response = api.post("/scorecard/score", json={"features": features, "version": 2},
                            headers=ANALYST)  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2
        pds.append(float(response.json()["pd"]))
    assert roc_auc_score([row["status"] == "bad" for row in held_out], pds) >= 0.75

    assert run("scorecard", "activate", "2", env=env).returncode == 0
    now = api.post("/scorecard/score", json={"features": {}}, headers=OFFICER).json()
    assert now["version"] == 2
    missing = run("scorecard", "activate", "9", env=env)
    assert missing.returncode == 2
    assert "not found" in missing.stdout


def test_scoring_answers_pd_score_grade_and_reasons(api: TestClient) -> None:
    response = api.post("/scorecard/score", json={"features": APPLICANTS[1]}, headers=RISK)
    assert response.status_code == 200, response.text
    # z = -3.45 + 0.35 (age 22) + 0.50 (income) + 1.40 (debt) + 2.00 (120 dpd) + missing:
    # 0.40 (loan to income) + 0 (term) + 0.10 (kind) + 0.20 (prior loans) = 1.50;
    # PD = 1 / (1 + e^-1.5); score = 600 - 20 / ln 2 * (1.50 + ln 50) = 443.8.
    # Points lost against the best band: 2.00, 1.80, 0.85, prior loans 0.65 (loan to
    # income 0.60 comes fifth).
    assert response.json() == {
        "pd": "0.817574", "score": 444, "grade": "E",
        "reasons": ["prior_max_dpd", "debt_to_income", "monthly_income", "prior_loans"],
        "version": 1,
    }  # fmt: skip


UNREADABLE = [
    {"age": "forty"}, {"age": None, "debt_to_income": [0.3]}, {"age": {"years": 40}},
    {"borrower_kind": 7, "term_months": True}, {"unknown column": "x"},
]  # fmt: skip
BAD_REQUESTS = [
    ({"features": {}, "version": 7}, 404, None),
    ({"features": {}, "version": 0}, 422, "version"),
    ({"features": [1, 2]}, 422, "features"),
    ({}, 422, "features"),
    ({"features": {}, "model": 1}, 422, "model"),
]


def test_unreadable_values_count_as_missing(api: TestClient) -> None:
    for features in UNREADABLE:
        response = api.post("/scorecard/score", json={"features": features}, headers=ANALYST)
        assert response.status_code == 200, (features, response.text)
        assert response.json()["version"] == 1


def test_bad_requests_are_problems(api: TestClient) -> None:
    for body, status, field in BAD_REQUESTS:
        response = api.post("/scorecard/score", json=body, headers=ANALYST)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if field:
            assert field in [error["field"] for error in response.json()["errors"]]


def test_only_analysts_risk_and_loan_officers_score(api: TestClient) -> None:
    body = {"features": {}}
    assert api.post("/scorecard/score", json=body).status_code == 401
    for role in (Role.BORROWER, Role.COLLECTOR, Role.APPROVER):
        assert api.post("/scorecard/score", json=body, headers=bearer("x", role)).status_code == 403
    listed = api.post("/graphql", json={"query": SCORECARDS}, headers=bearer("b", Role.BORROWER))
    assert listed.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
