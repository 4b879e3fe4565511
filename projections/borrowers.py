"""Read model `borrowers`: one row per borrower, identity masked.

Columns analysts can rely on:
  id, kind (individual|business), name, masked_id_number (first 3 and last 4
  characters), phone (E.164), address, region, birth_date, monthly_income,
  assets, liabilities, annual_sales, margin_percent, officer (who registered),
  blacklisted (true while the lender refuses the borrower credit), blacklist_reason
  and blacklisted_on (business date; null unless blacklisted), version (of the
  borrower aggregate), registered_at, updated_at, position (event store position of
  the registration; orders the list).
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.borrower import Borrower
from domain.identity import mask
from projections.base import ReadModel

PROFILE_COLUMNS = (
    "name", "phone", "address", "region", "monthly_income",
    "assets", "liabilities", "annual_sales", "margin_percent",
)  # fmt: skip


class BorrowersView(ReadModel):
    name = "borrowers"
    tables = ("borrowers",)
    schema = (
        """CREATE TABLE IF NOT EXISTS borrowers (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            name text NOT NULL,
            masked_id_number text NOT NULL,
            phone text NOT NULL,
            address text NOT NULL,
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
            position bigint NOT NULL UNIQUE
        )""",
        "CREATE INDEX IF NOT EXISTS borrowers_region ON borrowers (region, position)",
        "CREATE INDEX IF NOT EXISTS borrowers_officer ON borrowers (officer, position)",
        # Intake counts the borrowers sharing a phone.
        "CREATE INDEX IF NOT EXISTS borrowers_phone ON borrowers (phone)",
        # Stores made before blacklisting.
        "ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS blacklisted boolean NOT NULL DEFAULT false",
        "ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS blacklist_reason text",
        "ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS blacklisted_on date",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Borrower.Registered, cursor: Cursor[DictRow], position: int) -> None:
        profile = event.profile
        cursor.execute(
            f"""INSERT INTO borrowers (id, kind, masked_id_number, birth_date, officer,
                {", ".join(PROFILE_COLUMNS)}, version, registered_at, updated_at, position)
            VALUES (%s, %s, %s, %s, %s, {", ".join(["%s"] * len(PROFILE_COLUMNS))},
                %s, %s, %s, %s)""",
            (
                event.originator_id, event.kind.value, mask(event.id_number),
                event.birth_date, event.officer,
                *(getattr(profile, c) for c in PROFILE_COLUMNS),
                event.originator_version, event.timestamp, event.timestamp, position,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: Borrower.Updated, cursor: Cursor[DictRow], position: int) -> None:
        assignments = ", ".join(f"{c} = %s" for c in PROFILE_COLUMNS)
        cursor.execute(
            f"UPDATE borrowers SET {assignments}, version = %s, updated_at = %s WHERE id = %s",
            (
                *(getattr(event.profile, c) for c in PROFILE_COLUMNS),
                event.originator_version, event.timestamp, event.originator_id,
            ),
        )  # fmt: skip

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

    @staticmethod
    def _listing(
        cursor: Cursor[DictRow], event: Any, listed: bool, reason: str | None, on: Any
    ) -> None:
        cursor.execute(
            "UPDATE borrowers SET blacklisted = %s, blacklist_reason = %s, blacklisted_on = %s,"
            " version = %s, updated_at = %s WHERE id = %s",
            (listed, reason, on, event.originator_version, event.timestamp, event.originator_id),
        )
