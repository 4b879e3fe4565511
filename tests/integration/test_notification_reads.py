"""GraphQL `notifications` reads the read model within the caller's office reach, and a
product whose template names an unknown variable is refused when saved (422)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from domain.office import HEAD_OFFICE_ID
from infrastructure.notifier import Notifier
from infrastructure.settings import Settings
from infrastructure.tokens import Role, issue
from tests.support.api import graphql, runtime_of
from tests.support.books import define, open_loan
from tests.support.catalog import ADMIN, micro_12
from tests.support.settings import TEST_JWT_SECRET, opened_on

OPENED = date(2026, 1, 15)
NOTICES = """query($loan: ID, $status: NotificationStatus) {
  notifications(loanId: $loan, status: $status) {
    nodes { loanId stage channel status recipient reason } } }"""


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, OPENED)


def staff_of(office: object, *roles: Role) -> dict[str, str]:
    token = issue(TEST_JWT_SECRET, "staff.x", list(roles), office=office)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def test_notifications_by_loan_and_status_within_reach(api: TestClient) -> None:
    runtime = runtime_of(api)
    define(runtime)
    loan = str(open_loan(runtime, OPENED))
    runtime.projections.wait(runtime.projections.head())
    position = Notifier(runtime.app, runtime.feed_tracking).catch_up()
    assert api.get("/health").json()["notifier"] == {"position": position, "lag": 0}
    head = staff_of(HEAD_OFFICE_ID, Role.COLLECTOR)
    found = graphql(api, NOTICES, head, {"loan": loan}, min_position=position)
    assert found["data"]["notifications"]["nodes"] == [
        {"loanId": loan, "stage": "disbursed", "channel": "email", "status": "QUEUED",
         "recipient": None, "reason": None}
    ]  # fmt: skip
    sent = graphql(api, NOTICES, head, {"loan": loan, "status": "SENT"})
    assert sent["data"]["notifications"]["nodes"] == []
    elsewhere = graphql(api, NOTICES, staff_of(uuid4(), Role.COLLECTOR), {"loan": loan})
    assert elsewhere["data"]["notifications"]["nodes"] == []
    borrower = graphql(api, NOTICES, staff_of(None, Role.BORROWER), {})
    assert borrower["data"] is None


def test_a_template_with_an_unknown_variable_is_refused_when_saved(api: TestClient) -> None:
    own = {"id": "due", "language": "zh", "body": "{{ name }}, id {{ id_number }}"}
    body = micro_12() | {"notifications": {"templates": [own]}}
    answer = api.post("/products", json=body, headers=ADMIN)
    assert answer.status_code == 422, answer.text
    assert "id_number" in answer.text
    assert "notifications.templates[0].body" in answer.text
    assert api.post("/products", json=micro_12(), headers=ADMIN).status_code == 201
