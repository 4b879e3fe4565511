"""Borrowers in the event store: registration, uniqueness, encryption, replay."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from application.borrowers import (
    RegisterBorrower,
    UpdateBorrower,
    register_borrower,
    update_borrower,
)
from domain.borrower import Borrower, BorrowerKind, Profile
from domain.errors import DuplicateIdNumber, InvalidValue, VersionMismatch
from infrastructure.runtime import Runtime
from tests.support.people import LI_MING_ID, WANG_FANG_ID


def profile(**overrides: object) -> Profile:
    fields = {
        "name": "Wang Fang", "phone": "13800138000", "address": "Wuhan",
        "region": "Hubei", "monthly_income": Decimal("8500"),
    }  # fmt: skip
    return Profile(**{**fields, **overrides})  # type: ignore[arg-type]


def register(runtime: Runtime, id_number: str = WANG_FANG_ID, **overrides: object):  # type: ignore[no-untyped-def]
    command = RegisterBorrower(
        "officer.zhang", BorrowerKind.INDIVIDUAL, id_number, profile(**overrides)
    )
    return register_borrower(runtime.app, command)


def test_registration_records_actor_normalised_phone_and_birth_date(runtime: Runtime) -> None:
    written = register(runtime)
    borrower = runtime.app.load(Borrower, written.id, "borrower")
    assert borrower.profile.phone == "+8613800138000"
    assert borrower.birth_date == date(1985, 3, 12)
    assert borrower.profile.monthly_income == Decimal("8500.00")
    (event,) = runtime.app.events_of(written.id)
    assert event.actor == "officer.zhang"
    assert written.position > 0


def test_an_id_number_belongs_to_one_borrower(runtime: Runtime) -> None:
    first = register(runtime)
    with pytest.raises(DuplicateIdNumber) as refused:
        register(runtime, name="Someone Else")
    assert refused.value.existing_borrower_id == first.id


def test_concurrent_registrations_give_one_borrower_and_one_refusal(runtime: Runtime) -> None:
    def attempt(_: int) -> object:
        try:
            return register(runtime, id_number=LI_MING_ID)
        except DuplicateIdNumber as error:
            return error

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, range(2)))
    refusals = [r for r in results if isinstance(r, DuplicateIdNumber)]
    winners = [r for r in results if not isinstance(r, DuplicateIdNumber)]
    assert len(refusals) == 1
    assert len(winners) == 1
    assert refusals[0].existing_borrower_id == winners[0].id  # type: ignore[attr-defined]


def test_bad_checksum_and_bad_phone_are_refused_naming_the_field(runtime: Runtime) -> None:
    wrong_check = WANG_FANG_ID[:17] + ("0" if WANG_FANG_ID[17] != "0" else "1")
    with pytest.raises(InvalidValue) as bad_id:
        register(runtime, id_number=wrong_check)
    assert bad_id.value.field == "id_number"
    with pytest.raises(InvalidValue) as bad_phone:
        register(runtime, phone="12345")
    assert bad_phone.value.field == "phone"


def test_update_checks_the_expected_version(runtime: Runtime) -> None:
    written = register(runtime)
    change = {"monthly_income": Decimal("9000")}
    updated = update_borrower(runtime.app, UpdateBorrower("officer.li", written.id, change, 1))
    assert updated.version == 2
    with pytest.raises(VersionMismatch):
        update_borrower(runtime.app, UpdateBorrower("officer.li", written.id, change, 1))


def test_no_identity_number_or_phone_in_plaintext_at_rest(runtime: Runtime, db_url: str) -> None:
    written = register(runtime)
    for n in range(3):  # enough versions to also take a snapshot of a loan later
        update_borrower(runtime.app, UpdateBorrower("officer.li", written.id, {"region": f"R{n}"}))
    runtime.app.take_snapshot(written.id)
    needles = [WANG_FANG_ID, "13800138000", "Wang Fang"]
    with psycopg.connect(db_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name IN ('lending_events', 'lending_snapshots')"
        )]  # fmt: skip
        assert sorted(tables) == ["lending_events", "lending_snapshots"]
        for table in tables:
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert rows is not None
            assert rows[0] > 0
            for needle in needles:
                found = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE position(%s::bytea IN state) > 0 "
                    f"OR position(%s::bytea IN topic::bytea) > 0",
                    (needle.encode(), needle.encode()),
                ).fetchone()
                assert found == (0,), f"{needle} in {table}"


def test_replay_and_snapshot_give_the_same_borrower(runtime: Runtime) -> None:
    written = register(runtime, monthly_income=Decimal("1234.50"))
    update_borrower(
        runtime.app, UpdateBorrower("officer.li", written.id, {"assets": Decimal("0.10")})
    )
    replayed = runtime.app.load(Borrower, written.id, "borrower")
    runtime.app.take_snapshot(written.id)
    from_snapshot = runtime.app.load(Borrower, written.id, "borrower")
    assert vars(from_snapshot) == vars(replayed)
    assert from_snapshot.profile.assets == Decimal("0.10")
    assert from_snapshot.birth_date == date(1985, 3, 12)
