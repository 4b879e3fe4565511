"""What approving an application as applied for would go against is decided once, at
routing, and recorded on the route; GraphQL shows what was recorded. A store written
before routes recorded it shows what the policy finds, as GraphQL used to work it out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from application.approvals import overrides_needed
from domain.approval import ApprovalPolicy
from infrastructure.settings import Settings
from tests.support.api import AUDITOR, client, graphql, head, runtime_of
from tests.support.catalog import ADMIN, applied_loan, micro_12, ok
from tests.support.old_events import rewrite_events
from tests.support.people import tea_shop

APPROVAL = """query($id: ID!) { loan(id: $id) { approval {
    status route reason grade flags overrides pending { level role } } } }"""
FLAGGED = ["flags: income_consistency"]
ROUTE = ":ApprovalCase.RouteSet"


def approval(api: Any, loan_id: str, position: int) -> dict[str, Any]:
    found = graphql(api, APPROVAL, AUDITOR, {"id": loan_id}, min_position=position)
    answer: dict[str, Any] = found["data"]["loan"]["approval"]
    return answer


def unrecorded(topic: str, state: dict[str, Any]) -> bool:
    """A route as routing stored it before it recorded its overrides."""
    return topic.endswith(ROUTE) and state.pop("overrides", None) is not None


def test_the_recorded_overrides_are_shown_whatever_the_policy_says_now(
    settings: Settings,
) -> None:
    with client(settings) as api:
        ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
        loan = applied_loan(api, tea_shop(), principal="12000.00", purpose="flagged")
        routed = approval(api, loan["id"], loan["position"])
    assert routed["overrides"] == FLAGGED
    # Today's policy would also have the grade overridden; the route recorded says not.
    stricter = ApprovalPolicy(override_grades=(routed["grade"],))
    with client(settings.model_copy(update={"approval": stricter})) as api:
        runtime = runtime_of(api)
        now = overrides_needed(runtime.app, UUID(loan["id"]))
        assert now == [f"grade {routed['grade']}", *FLAGGED]
        runtime.projections.rebuild("approvals")
        assert approval(api, loan["id"], head(api)) == routed


def test_a_route_stored_before_it_recorded_its_overrides_shows_what_the_policy_finds(
    settings: Settings, db_url: str
) -> None:
    with client(settings) as api:
        ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
        loan = applied_loan(api, tea_shop(), principal="12000.00", purpose="flagged")
        before = approval(api, loan["id"], loan["position"])
        mapper = runtime_of(api).app.mapper
    assert before["overrides"] == FLAGGED
    assert rewrite_events(db_url, mapper, unrecorded) == 1
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE approvals DROP COLUMN overrides")  # the table as it was

    with client(settings) as api:  # the table goes, and is built again from the store
        assert approval(api, loan["id"], head(api)) == before
