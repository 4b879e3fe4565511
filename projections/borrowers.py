"""Read model `borrowers`: one row per borrower, personal data masked or digested.

Table `borrowers`, columns analysts can rely on:
  id, kind (individual|business), masked_name (see domain/masking.py), masked_id_number
  (first 3 and last 4 characters), masked_phone (`138****8000`), phone_digest (a keyed
  HMAC-SHA256 of the E.164 phone, hex: equal phones have equal digests, so borrowers
  sharing a phone can be counted; null for borrowers recorded before digests were),
  masked_address (the first third, at most 6 characters, then `****`), region,
  birth_date, monthly_income, assets, liabilities, annual_sales, margin_percent,
  officer (who registered), blacklisted (true while the lender refuses the borrower
  credit), blacklist_reason and blacklisted_on (business date; null unless
  blacklisted), version (of the borrower aggregate), registered_at, updated_at,
  position (event store position of the registration; orders the list), office (the
  borrower's office, as registered or last transferred; null before offices),
  erased_on (business date the borrower's personal data was erased, when it was: its
  masked columns then read `[erased]` and its phone digest and birth date are null).
The full name, phone and address are not here: the readers who need them get them
from the event store (application/contacts.py).

Table `borrower_search`, for loan officers' name search (GraphQL
`borrowers(filter: {nameContains})`): id (the borrower's) and pieces (text[], keyed
digests of every piece of the name up to 3 characters, `domain.masking`): no name is
here, and without the store's lookup key no digest tells one.

Tables made before personal data left them (a `phone` column) are dropped with their
tracking row when the read model starts, and so are built again from the store.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.borrower import Borrower, Profile
from domain.erasure import ERASED
from domain.identity import mask
from domain.masking import mask_address, mask_name, mask_phone, name_search_digests
from projections.base import ReadModel
from projections.migrations import drop_if_it_has, drop_unless_it_has, rebuild_if_it_has
from projections.reads import Row, by_key, fetch_all, page_filter

FIGURES = ("region", "monthly_income", "assets", "liabilities", "annual_sales", "margin_percent")
PROFILE_COLUMNS = ("masked_name", "masked_phone", "phone_digest", "masked_address", *FIGURES)


def profile_values(profile: Profile, digest: str | None) -> tuple[Any, ...]:
    return (
        mask_name(profile.name), mask_phone(profile.phone), digest,
        mask_address(profile.address), *(getattr(profile, c) for c in FIGURES),
    )  # fmt: skip


class BorrowersView(ReadModel):
    name = "borrowers"
    tables = ("borrowers", "borrower_search")
    schema = (
        drop_if_it_has("borrowers", "phone", "borrower_search"),
        # Made when the search table held names: built again with digests.
        rebuild_if_it_has(
            "borrowers", "borrower_search", "search_name", ("borrowers", "borrower_search")
        ),
        # Made before borrowers recorded their office: the store has it.
        drop_unless_it_has("borrowers", "office", "borrower_search"),
        """CREATE TABLE IF NOT EXISTS borrowers (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            masked_name text NOT NULL,
            masked_id_number text NOT NULL,
            masked_phone text NOT NULL,
            phone_digest text,
            masked_address text NOT NULL,
            region text NOT NULL,
            birth_date date,
            monthly_income numeric(20, 2) NOT NULL,
            assets numeric(20, 2),
            liabilities numeric(20, 2),
            annual_sales numeric(20, 2),
            margin_percent numeric(9, 4),
            officer text NOT NULL,
            blacklisted boolean NOT NULL DEFAULT false,
            blacklist_reason text,
            blacklisted_on date,
            version integer NOT NULL,
            registered_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            office uuid,
            erased_on date
        )""",
        # Made before erasure, when no borrower could be erased.
        "ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS erased_on date",
        "CREATE INDEX IF NOT EXISTS borrowers_office ON borrowers (office, position)",
        "CREATE INDEX IF NOT EXISTS borrowers_region ON borrowers (region, position)",
        "CREATE INDEX IF NOT EXISTS borrowers_officer ON borrowers (officer, position)",
        # Intake counts the borrowers sharing a phone.
        "CREATE INDEX IF NOT EXISTS borrowers_phone_digest ON borrowers (phone_digest)",
        """CREATE TABLE IF NOT EXISTS borrower_search (
            id uuid PRIMARY KEY,
            pieces text[] NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS borrower_search_pieces ON borrower_search USING gin (pieces)",
    )

    def __init__(self, datastore: PostgresDatastore, *, lookup_key: bytes, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.lookup_key = lookup_key  # the store's, as the application's lookup digests

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Borrower.Registered, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            f"""INSERT INTO borrowers (id, kind, masked_id_number, birth_date, officer,
                {", ".join(PROFILE_COLUMNS)}, version, registered_at, updated_at, position,
                office)
            VALUES (%s, %s, %s, %s, %s, {", ".join(["%s"] * len(PROFILE_COLUMNS))},
                %s, %s, %s, %s, %s)""",
            (
                event.originator_id, event.kind.value, mask(event.id_number),
                event.birth_date, event.officer,
                *profile_values(event.profile, event.phone_digest),
                event.originator_version, event.timestamp, event.timestamp, position,
                event.office,
            ),
        )  # fmt: skip
        cursor.execute(
            "INSERT INTO borrower_search (id, pieces) VALUES (%s, %s)",
            (event.originator_id, name_search_digests(self.lookup_key, event.profile.name)),
        )

    @handle.register
    def _(self, event: Borrower.Updated, cursor: Cursor[DictRow], position: int) -> None:
        assignments = ", ".join(f"{c} = %s" for c in PROFILE_COLUMNS)
        cursor.execute(
            f"UPDATE borrowers SET {assignments}, version = %s, updated_at = %s WHERE id = %s",
            (
                *profile_values(event.profile, event.phone_digest),
                event.originator_version, event.timestamp, event.originator_id,
            ),
        )  # fmt: skip
        cursor.execute(
            "UPDATE borrower_search SET pieces = %s WHERE id = %s",
            (name_search_digests(self.lookup_key, event.profile.name), event.originator_id),
        )

    @handle.register
    def _(self, event: Borrower.Blacklisted, cursor: Cursor[DictRow], position: int) -> None:
        self._listing(cursor, event, True, event.reason, event.value_date)

    @handle.register
    def _(self, event: Borrower.BlacklistLifted, cursor: Cursor[DictRow], position: int) -> None:
        self._listing(cursor, event, False, None, None)

    @handle.register
    def _(
        self, event: Borrower.ApplicationRecorded, cursor: Cursor[DictRow], position: int
    ) -> None:
        # No column changes, but the version does: clients send it back in If-Match.
        cursor.execute(
            "UPDATE borrowers SET version = %s, updated_at = %s WHERE id = %s",
            (event.originator_version, event.timestamp, event.originator_id),
        )

    @handle.register
    def _(self, event: Borrower.Transferred, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "UPDATE borrowers SET office = %s, version = %s, updated_at = %s WHERE id = %s",
            (event.office, event.originator_version, event.timestamp, event.originator_id),
        )

    @handle.register
    def _(self, event: Borrower.Erased, cursor: Cursor[DictRow], position: int) -> None:
        # The personal columns read as the event store now does; the figures stay.
        cursor.execute(
            "UPDATE borrowers SET masked_name = %s, masked_id_number = %s, masked_phone = %s,"
            " masked_address = %s, phone_digest = NULL, birth_date = NULL, erased_on = %s,"
            " version = %s, updated_at = %s WHERE id = %s",
            (*[ERASED] * 4, event.value_date, event.originator_version, event.timestamp,
             event.originator_id),
        )  # fmt: skip
        cursor.execute("DELETE FROM borrower_search WHERE id = %s", (event.originator_id,))

    @staticmethod
    def _listing(
        cursor: Cursor[DictRow], event: Any, listed: bool, reason: str | None, on: Any
    ) -> None:
        cursor.execute(
            "UPDATE borrowers SET blacklisted = %s, blacklist_reason = %s, blacklisted_on = %s,"
            " version = %s, updated_at = %s WHERE id = %s",
            (listed, reason, on, event.originator_version, event.timestamp, event.originator_id),
        )


# Queries.


def borrower_ids_with_phone(
    datastore: PostgresDatastore, digest: str, limit: int = 50
) -> list[UUID]:
    """The borrowers whose phone has this digest (`application.phones.phone_digest`),
    the first `limit` registered (a family or a firm shares a phone; not fifty)."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT id FROM borrowers WHERE phone_digest = %s ORDER BY position LIMIT %s",
            (digest, limit),
        )
        return [row["id"] for row in cursor.fetchall()]


async def borrowers_of_ids(pool: AsyncConnectionPool, ids: list[UUID]) -> list[Row | None]:
    """Each borrower's row in turn (None for an id no borrower has)."""
    rows = await fetch_all(pool, "SELECT * FROM borrowers WHERE id = ANY(%s)", [ids])
    return by_key(rows, "id", ids)


async def borrower_of_id(pool: AsyncConnectionPool, borrower_id: UUID) -> Row | None:
    """The borrower's row, if there is one."""
    rows = await _borrowers(pool, "WHERE b.id = %s", [borrower_id], 1)
    return rows[0] if rows else None


async def borrowers_page(
    pool: AsyncConnectionPool,
    after: int,
    limit: int,
    equal: dict[str, Any],
    name_pieces: list[str] | None = None,
) -> list[Row]:
    """Up to `limit` borrowers after position `after`, in position order, whose columns
    hold the values in `equal` (None: any) and, if given, whose name holds every one of
    `name_pieces` (`domain.masking.name_query_digests`, matched in `borrower_search`)."""
    clauses, params = page_filter(after, equal, alias="b")
    if name_pieces is not None:
        clauses.append("b.id IN (SELECT id FROM borrower_search WHERE pieces @> %s::text[])")
        params.append(name_pieces)
    return await _borrowers(pool, "WHERE " + " AND ".join(clauses), params, limit)


async def _borrowers(
    pool: AsyncConnectionPool, where: str, params: list[Any], limit: int
) -> list[Row]:
    query = f"SELECT b.* FROM borrowers b {where} ORDER BY b.position LIMIT %s"
    return await fetch_all(pool, query, [*params, limit])
