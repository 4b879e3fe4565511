"""A store written before the hash chain gets it once, from its head; checkpoints signed
for an auditor still tell when the store was rewritten consistently behind them."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import psycopg
from fastapi.testclient import TestClient

from application.integrity import BreakKind
from domain.loan import Loan
from infrastructure import audit
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.catalog import ADMIN
from tests.support.cli import invoke
from tests.support.old_events import forget_chain
from tests.support.portfolio import DISBURSED_ON as ON
from tests.support.portfolio import disbursed_loans, pay
from tests.support.processes import lending_env


def scalar(url: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def written_before_the_chain(settings: Settings) -> list[UUID]:
    """Two loans, one repaid, in a store as the version before the chain left it."""
    runtime = Runtime.open(settings)
    try:
        loans = disbursed_loans(runtime.app, 2)
        pay(runtime.app, loans[0], "100.00", ON, "BEFORE-1")
    finally:
        runtime.close()
    with psycopg.connect(settings.database_url or "") as conn:
        forget_chain(conn.cursor())
    return loans


def test_an_old_store_is_chained_from_its_head_once(settings: Settings) -> None:
    url = settings.database_url or ""
    first, _ = written_before_the_chain(settings)
    head = scalar(url, "SELECT max(notification_id) FROM lending_events")
    runtime = Runtime.open(settings)
    try:
        assert scalar(url, "SELECT count(*) FROM lending_events WHERE chain_hash IS NULL") == 0
        last, verified = runtime.checkpoints()
        assert last is not None
        assert (last.position, last.reason) == (head, "chain started")
        assert verified == last
        assert audit.verify(runtime.app).breaks == []
        loan = runtime.app.load(Loan, first, "loan")
        pay(runtime.app, loan.id, "50.00", ON, "AFTER-1")
    finally:
        runtime.close()
    runtime = Runtime.open(settings)  # started once: the second start changes nothing
    try:
        assert scalar(url, "SELECT count(*) FROM lending_checkpoints") == 1
        assert audit.verify(runtime.app).breaks == []
    finally:
        runtime.close()


def test_an_event_damaged_before_the_start_is_left_out_of_the_chain(settings: Settings) -> None:
    first, second = written_before_the_chain(settings)
    with psycopg.connect(settings.database_url or "") as conn:
        conn.execute(
            "UPDATE lending_events SET state = set_byte(state, 30, get_byte(state, 30) # 1) "
            "WHERE originator_id = %s AND originator_version = 2",
            (first,),
        )
    runtime = Runtime.open(settings)
    try:
        breaks = audit.verify(runtime.app).breaks
        found = {(b.kind, b.aggregate_id, b.version) for b in breaks}
        assert (BreakKind.UNCHAINED, first, 2) in found
        assert {b.aggregate_id for b in breaks} == {first}
        assert runtime.app.load(Loan, second, "loan").id == second
    finally:
        runtime.close()


def test_a_signed_export_tells_a_store_rewritten_behind_it(
    settings: Settings, tmp_path: Path
) -> None:
    written_before_the_chain(settings)
    env = lending_env(settings)
    assert invoke("audit", "checkpoint", env=env).returncode == 0
    exported = tmp_path / "checkpoint.json"
    done = invoke("audit", "export", "--out", str(exported), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(exported.read_text())
    assert document["checkpoint"]["position"] > 0
    kept = invoke("audit", "verify", "--checkpoint", str(exported), env=env)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    forged = tmp_path / "forged.json"
    document["checkpoint"]["events"] += 1
    forged.write_text(json.dumps(document))
    refused = invoke("audit", "verify", "--checkpoint", str(forged), env=env)
    assert refused.returncode == 2
    assert "signature does not hold" in refused.stdout

    # Whoever rewrites the store's own checkpoints to match a changed history is caught
    # by the copy kept outside it.
    with psycopg.connect(settings.database_url or "") as conn:
        conn.execute("UPDATE lending_checkpoints SET digest = sha256(digest)")
    rewritten = invoke("audit", "verify", "--checkpoint", str(exported), env=env)
    assert rewritten.returncode == 1
    assert "is not the one checkpoint.json signed" in rewritten.stdout.replace("\n", " ")


def test_close_of_business_seals_the_day_with_a_verified_checkpoint(api: TestClient) -> None:
    closed = api.post("/close-of-business", json={"business_date": "2030-01-03"}, headers=ADMIN)
    assert closed.status_code == 200, closed.text
    shown = api.get("/health").json()["audit"]
    assert shown["verified_checkpoint"] == shown["checkpoint"]
    assert shown["checkpoint"]["reason"] == "close of business 2030-01-03 by admin.wu"
    assert shown["checkpoint"]["position"] == closed.json()["position"] - 1  # before the day
    assert shown["checkpoint"]["breaks"] == 0
