"""POST /schedules/preview answers the schedule and writes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ANALYST


def test_preview_of_the_textbook_annuity(api: TestClient) -> None:
    body = {
        "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
        "frequency": "monthly", "method": "equal_installments", "start_date": "2026-01-31",
    }  # fmt: skip
    response = api.post("/schedules/preview", json=body, headers=ANALYST)
    assert response.status_code == 200, response.text
    schedule = response.json()
    # 10000 * 0.01 / (1 - 1.01 ** -12) = 888.4878...
    assert schedule["installments"][0] == {
        "number": 1, "due_date": "2026-02-28", "principal": "788.49", "interest": "100.00",
        "fee": "0.00", "total": "888.49", "balance_after": "9211.51",
    }  # fmt: skip
    assert [i["due_date"] for i in schedule["installments"][:3]] == [
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]
    assert schedule["installments"][-1]["balance_after"] == "0.00"
    # Interest rounded each month on the declining balance; the last one absorbs the rest.
    assert schedule["total_payable"] == "10661.86"
    assert api.app.state.runtime.projections.head() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term": 0}, "term"),
        ({"method": "balloon"}, "method"),
        ({"grace_periods": 12}, "grace_periods"),
        ({"method": "equal_principal", "installment_multiple": "1"}, "installment_multiple"),
        ({"method": "bullet", "installment_multiple": "1"}, "installment_multiple"),
        (
            {"method": "flat", "interest_calculation": "daily", "installment_multiple": "1"},
            "installment_multiple",
        ),
    ],
)
def test_bad_terms_are_422_naming_the_field(
    api: TestClient, change: dict[str, object], field: str
) -> None:
    body = {
        "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
        "frequency": "monthly", "method": "equal_installments", "start_date": "2026-01-31",
    } | change  # fmt: skip
    response = api.post("/schedules/preview", json=body, headers=ANALYST)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_preview_needs_a_token(api: TestClient) -> None:
    assert api.post("/schedules/preview", json={}).status_code == 401


@pytest.mark.parametrize(
    ("choice", "interest"),
    [({}, "16.67"), ({"odd_period_interest": "whole_period"}, "100.00")],
)
def test_an_odd_first_period_is_charged_by_its_days_unless_asked_otherwise(
    api: TestClient, choice: dict[str, str], interest: str
) -> None:
    body = {
        "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
        "frequency": "monthly", "method": "equal_principal", "start_date": "2026-01-10",
        "first_due_date": "2026-01-15",
    } | choice  # fmt: skip
    response = api.post("/schedules/preview", json=body, headers=ANALYST)
    assert response.status_code == 200, response.text
    assert response.json()["installments"][0]["interest"] == interest  # 5 days of 30


def test_an_unknown_odd_period_choice_is_422_naming_the_field(api: TestClient) -> None:
    body = {
        "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
        "frequency": "monthly", "method": "equal_principal", "start_date": "2026-01-10",
        "odd_period_interest": "prorated",
    }  # fmt: skip
    response = api.post("/schedules/preview", json=body, headers=ANALYST)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "odd_period_interest"
