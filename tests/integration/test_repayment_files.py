"""Repayment files: good rows land, bad rows are reported, a file sent again writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from tests.support.api import OFFICER, head
from tests.support.catalog import disbursed_loan, ok
from tests.support.cli import invoke
from tests.support.people import tea_shop
from tests.support.processes import lending_env


def rows_for(first: str, second: str) -> list[dict[str, str]]:
    row = {"amount": "500.00", "value_date": "2026-02-28", "channel": "bank"}
    return [
        row | {"loan_id": first, "external_reference": "F-1"},
        row | {"loan_id": second, "external_reference": "F-2"},
        row | {"loan_id": first, "external_reference": "F-3", "amount": "120.50"},
        row | {"loan_id": first, "external_reference": "F-4", "amount": "1e3"},
        row | {"loan_id": "9c7f0d6e-0000-4000-8000-000000000000", "external_reference": "F-5"},
        row | {"loan_id": second, "external_reference": "F-6", "value_date": "2031-01-01"},
        row | {"loan_id": second, "external_reference": "F-7", "value_date": "28/02/2026"},
    ]


REFUSED = {
    4: ("amount", 'must be a decimal such as "1000.00", without an exponent'),
    5: ("loan_id", "no loan has this id"),
    6: ("value_date", "must not be after the business date 2030-01-01"),
    7: ("value_date", "must be a date, YYYY-MM-DD"),
}


def two_loans(api: TestClient) -> tuple[str, str]:
    first = disbursed_loan(api)["id"]
    second = disbursed_loan(api, borrower_body=tea_shop())["id"]
    return first, second


def test_a_batch_lands_its_good_rows_reports_the_rest_and_lands_nothing_twice(
    api: TestClient,
) -> None:
    rows = rows_for(*two_loans(api))
    answer = ok(api.post("/repayments/batch", json={"rows": rows}, headers=OFFICER))
    assert (answer["received"], answer["already_received"], answer["refused"]) == (3, 0, 4)
    statuses = [(r["line"], r["status"]) for r in answer["rows"]]
    assert statuses[:3] == [(1, "received"), (2, "received"), (3, "received")]
    refused = {r["line"]: (r["field"], r["reason"]) for r in answer["rows"] if r["field"]}
    assert refused == REFUSED
    assert answer["position"] == head(api)

    again = ok(api.post("/repayments/batch", json={"rows": rows}, headers=OFFICER))
    assert (again["received"], again["already_received"], again["refused"]) == (0, 3, 4)
    assert [r["repayment_id"] for r in again["rows"][:3]] == [
        r["repayment_id"] for r in answer["rows"][:3]
    ]
    assert again["position"] == 0
    assert head(api) == answer["position"]


def test_a_batch_of_more_than_10000_rows_is_refused_whole(api: TestClient) -> None:
    row = {"loan_id": "x", "amount": "1", "value_date": "2026-02-28", "channel": "bank",
           "external_reference": "R"}  # fmt: skip
    before = head(api)
    answer = api.post("/repayments/batch", json={"rows": [row] * 10_001}, headers=OFFICER)
    assert answer.status_code == 422, answer.text
    assert "rows" in answer.text
    assert head(api) == before


def test_the_import_command_lands_a_file_and_a_second_run_only_what_was_missing(
    api: TestClient, settings: Settings, tmp_path: Path
) -> None:
    rows = rows_for(*two_loans(api))
    file = tmp_path / "settlement.csv"
    with file.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])  # the first run stops after two rows: a crash, say
    errors = tmp_path / "errors.csv"
    env = lending_env(settings)
    done = invoke("repayments", "import", str(file), "--errors", str(errors), env=env)
    assert done.returncode == 0, done.stderr
    assert "2 received, 0 already received, 0 refused" in done.stdout

    with file.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = invoke("repayments", "import", str(file), "--errors", str(errors), env=env)
    assert again.returncode == 1, again.stderr
    assert "1 received, 2 already received, 4 refused" in again.stdout
    with errors.open() as found:
        reported: list[dict[str, Any]] = list(csv.DictReader(found))
    assert {int(r["line"]): (r["field"], r["reason"]) for r in reported} == REFUSED
