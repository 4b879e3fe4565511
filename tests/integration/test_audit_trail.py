"""The audit trail: a row per event, searchable by actor, office, entity, type and time,
holding no personal data; and every showing of personal data in full, recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from domain.office import HEAD_OFFICE_ID
from infrastructure.tokens import Role, issue
from tests.support.api import ANALYST, AUDITOR, OFFICER, graphql, head, runtime_of
from tests.support.catalog import ADMIN, applied_loan, ok
from tests.support.database import select, select_dicts
from tests.support.people import WANG_FANG_ID, resident_id, tea_shop, wang_fang
from tests.support.settings import TEST_JWT_SECRET

TRAIL = """query($actor: String, $office: ID, $type: String, $entityType: String, $id: ID,
                 $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  auditTrail(actor: $actor, office: $office, eventType: $type, entityType: $entityType,
             entityId: $id, from: $from, to: $to, first: $first, after: $after) {
    nodes { position recordedAt actor office entityType entityId eventType valueDate }
    pageInfo { hasNextPage endCursor }
  }
}"""
BRANCH = "9d3f6a1c-4b2e-4c8d-a7f0-1e5b3c9d2a46"
BRANCH_OFFICER = {
    "Authorization": "Bearer "
    + issue(TEST_JWT_SECRET, "officer.fu", [Role.LOAN_OFFICER], office=UUID(BRANCH))
}


def trail(
    api: TestClient, reader: dict[str, str] = AUDITOR, **filters: Any
) -> list[dict[str, Any]]:
    body = graphql(api, TRAIL, reader, filters, min_position=head(api))
    assert "errors" not in body, body
    nodes: list[dict[str, Any]] = body["data"]["auditTrail"]["nodes"]
    return nodes


def test_a_loans_entries_name_each_step_its_actor_and_value_date(module_api: TestClient) -> None:
    loan = applied_loan(module_api)
    steps = trail(module_api, id=loan["id"])
    assert steps[0]["eventType"] == "LoanApplicationSubmitted"
    assert (steps[0]["actor"], steps[0]["entityType"], steps[0]["entityId"]) == (
        "officer.zhang", "loan", loan["id"],
    )  # fmt: skip
    assert [s["position"] for s in steps] == sorted(s["position"] for s in steps)
    borrower = trail(module_api, id=loan["borrower_id"])
    assert [s["eventType"] for s in borrower][:2] == [
        "BorrowerRegistered",
        "BorrowerApplicationRecorded",
    ]
    assert borrower[1]["valueDate"] == "2030-01-01"
    assert all(s["entityType"] == "borrower" for s in borrower)


def test_the_trail_filters_by_actor_type_entity_and_time_and_pages(module_api: TestClient) -> None:
    before = datetime.now(UTC)
    ok(module_api.post("/borrowers", json=tea_shop(), headers=OFFICER), 201)
    after = datetime.now(UTC)
    registered = trail(module_api, actor="officer.zhang", type="BorrowerRegistered")
    assert registered
    assert all(r["actor"] == "officer.zhang" for r in registered)
    window = trail(
        module_api,
        type="BorrowerRegistered",
        **{"from": before.isoformat(), "to": after.isoformat()},
    )
    assert len(window) == 1
    assert trail(module_api, type="BorrowerRegistered", to=before.isoformat()) == [
        r for r in registered if r not in window
    ]
    claims = trail(module_api, entityType="claim")
    assert claims
    assert all(c["entityType"] == "claim" for c in claims)
    # A page of one: the test's own registration and claim are rows enough for a second
    # page when it runs alone (the module's other tests may run in another process).
    first = graphql(module_api, TRAIL, AUDITOR, {"first": 1})["data"]["auditTrail"]
    assert first["pageInfo"]["hasNextPage"]
    rest = trail(module_api, after=first["pageInfo"]["endCursor"], first=500)
    everything = trail(module_api, first=500)
    assert first["nodes"] + rest == everything


def test_only_auditors_and_admins_read_the_trail(module_api: TestClient) -> None:
    for reader in (OFFICER, ANALYST):
        refused = graphql(module_api, TRAIL, reader)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in graphql(module_api, TRAIL, ADMIN)


def test_an_entry_names_the_acting_users_office(module_api: TestClient) -> None:
    registered = ok(module_api.post("/borrowers", json=wang_fang(id_number="11010519491231002X"),
                                    headers=BRANCH_OFFICER), 201)  # fmt: skip
    rows = trail(module_api, id=registered["id"])
    assert rows[0]["office"] == BRANCH
    assert [r["entityId"] for r in trail(module_api, office=BRANCH)] == [registered["id"]]
    stored = runtime_of(module_api).app.events_of(UUID(registered["id"]))[0]
    assert stored.office == UUID(BRANCH)


def test_the_log_holds_no_personal_data(module_api: TestClient, module_db_url: str) -> None:
    applied_loan(module_api, wang_fang(id_number="110105194912310046"))
    columns = [
        r[0]
        for r in select(
            module_db_url,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'audit_log' ORDER BY ordinal_position",
        )
    ]
    assert columns == ["entry", "position", "recorded_at", "actor", "office", "entity_type",
                       "entity_id", "event_type", "value_date"]  # fmt: skip
    text = str(select_dicts(module_db_url, "SELECT * FROM audit_log"))
    for personal in ("Wang Fang", "13800138000", WANG_FANG_ID, "110105194912310046", "Tea Garden"):
        assert personal not in text


SECOND_ID = resident_id("11010519491231100")
PHONES = "{ borrowers(first: 50) { nodes { id phone } } }"
SHOWN = "DisclosurePersonalDataShown"


def test_each_answer_that_shows_a_phone_in_full_is_recorded_once(module_api: TestClient) -> None:
    shown_before = len(trail(module_api, type=SHOWN))
    answer = graphql(module_api, PHONES, OFFICER, min_position=head(module_api))
    phones = answer["data"]["borrowers"]["nodes"]
    assert phones
    assert all("*" not in p["phone"] for p in phones)
    shown = trail(module_api, type=SHOWN)[shown_before:]
    assert sorted(r["entityId"] for r in shown) == sorted(p["id"] for p in phones)
    assert {(r["actor"], r["entityType"]) for r in shown} == {("officer.zhang", "borrower")}
    assert len({r["position"] for r in shown}) == 1  # one disclosure for the page
    # Masked phones are no disclosure.
    masked = graphql(module_api, PHONES, ANALYST)["data"]["borrowers"]["nodes"]
    assert all("*" in p["phone"] for p in masked)
    assert len(trail(module_api, type=SHOWN)) == shown_before + len(phones)


def test_an_auditor_reading_a_history_unmasked_is_recorded(module_api: TestClient) -> None:
    loan = applied_loan(module_api, wang_fang(id_number=SECOND_ID))
    query = "query($id: ID!) { borrowerHistory(id: $id) { data } }"
    body = graphql(
        module_api, query, AUDITOR, {"id": loan["borrower_id"]}, min_position=loan["position"]
    )
    assert body["data"]["borrowerHistory"][0]["data"]["id_number"] == SECOND_ID
    seen = trail(module_api, type=SHOWN, id=loan["borrower_id"])
    assert [(r["actor"], r["entityType"]) for r in seen] == [("auditor.chen", "borrower")]
    loan_query = "query($id: ID!) { loanHistory(id: $id) { type } }"
    graphql(module_api, loan_query, OFFICER, {"id": loan["id"]})  # no identity or phone in it
    assert trail(module_api, type=SHOWN, id=loan["id"]) == []


def test_a_rebuilt_log_equals_the_one_followed(module_api: TestClient, module_db_url: str) -> None:
    applied_loan(module_api, wang_fang(id_number=resident_id("11010519491231003")))
    runtime = runtime_of(module_api)
    runtime.projections.wait(head(module_api), ["audit_log"])
    followed = select(module_db_url, "SELECT * FROM audit_log ORDER BY entry")
    runtime.projections.rebuild("audit_log")
    assert select(module_db_url, "SELECT * FROM audit_log ORDER BY entry") == followed
    assert len(followed) >= runtime.projections.head()


def test_the_head_office_is_in_the_trail_once_opened(module_api: TestClient) -> None:
    graphql(module_api, "{ offices { id } }", OFFICER)
    opened = trail(module_api, id=str(HEAD_OFFICE_ID))
    assert [(r["eventType"], r["entityType"]) for r in opened] == [("OfficeOpened", "office")]
