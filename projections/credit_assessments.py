"""Read model `credit_assessments`: one row per assessed application, and intake's queries.

Columns analysts can rely on:
  loan_id (primary key), id (the assessment aggregate), borrower_id, phone_digest
  (keyed digest of the borrower's phone at application, as `borrowers.phone_digest`;
  null for assessments recorded before digests were), assessed_on (business date), principal (as
  applied for), collateral_value (null when none was given), checks_passed (null
  until the checks complete), checks (jsonb array of {name, result (pass|fail|flag),
  hard, inputs, threshold, detail}, in the order run), score, pd, grade (A..E),
  model_version, score_reasons (text[], the scorecard's, worst first), features
  (jsonb, the scorecard's inputs), credit_limit (after grade scaling), limits (jsonb:
  {figures [{method, amount, basis}], product_max, before_scaling, binding, grade,
  scale, amount}), rate_percent (risk-based annual rate), pricing (jsonb: base rate,
  grade spread, term years and premium, the unclamped rate, product range, legal
  ceiling, rate, clamped_by), decision (rejected|review|clear), flags (text[], soft
  signals raised, above_limit included), reasons (text[], why rejected or flagged),
  actor (who submitted), version, assessed_at, updated_at, position.
Score, limit and pricing columns stay null for an application a hard check rejected.

Intake also asks this module about the borrowers and loans tables (see
application/credit/records.py): it answers as of the position the read models reached.
Tables made before phones left them (a `phone` column) are built again from the store.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from domain.borrower import Borrower
from domain.credit import CreditAssessment
from domain.erasure import ERASED
from projections.base import APPLICATION_NAME, ReadModel
from projections.migrations import drop_if_it_has
from projections.reads import Row, by_key, fetch_all

# The read models intake's queries read, whose least position they are as fresh as.
CONSULTED = ("credit_assessments", "loans", "borrowers")


class CreditAssessmentsView(ReadModel):
    name = "credit_assessments"
    tables = ("credit_assessments",)
    schema = (
        drop_if_it_has("credit_assessments", "phone"),
        """CREATE TABLE IF NOT EXISTS credit_assessments (
            loan_id uuid PRIMARY KEY,
            id uuid NOT NULL UNIQUE,
            borrower_id uuid NOT NULL,
            phone_digest text,
            assessed_on date NOT NULL,
            principal numeric NOT NULL,
            collateral_value numeric,
            checks_passed boolean,
            checks jsonb NOT NULL,
            score integer,
            pd numeric,
            grade text,
            model_version integer,
            score_reasons text[],
            features jsonb,
            credit_limit numeric,
            limits jsonb,
            rate_percent numeric,
            pricing jsonb,
            decision text,
            flags text[] NOT NULL,
            reasons text[] NOT NULL,
            actor text NOT NULL,
            version integer NOT NULL,
            assessed_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE
        )""",
        """CREATE INDEX IF NOT EXISTS credit_assessments_borrower
            ON credit_assessments (borrower_id, assessed_on)""",
        """CREATE INDEX IF NOT EXISTS credit_assessments_phone_digest
            ON credit_assessments (phone_digest, assessed_on)""",
        """CREATE INDEX IF NOT EXISTS credit_assessments_decision
            ON credit_assessments (decision, position)""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: CreditAssessment.Started, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            """INSERT INTO credit_assessments (loan_id, id, borrower_id, phone_digest, assessed_on,
                principal, collateral_value, checks, flags, reasons, actor, version,
                assessed_at, updated_at, position)
            VALUES (%s, %s, %s, %s, %s, %s, %s, '[]', '{}', '{}', %s, %s, %s, %s, %s)""",
            (
                event.loan_id, event.originator_id, event.borrower_id, event.phone_digest,
                event.assessed_on, event.principal, event.collateral_value, event.actor,
                event.originator_version, event.timestamp, event.timestamp, position,
            ),
        )  # fmt: skip

    @handle.register
    def _(self, event: Borrower.Erased, cursor: Cursor[DictRow], position: int) -> None:
        # What the event store now reads: no phone digest, the checks' birth date erased.
        cursor.execute(
            """UPDATE credit_assessments SET phone_digest = NULL, checks = COALESCE((
                SELECT jsonb_agg(CASE WHEN c->'inputs' ? 'birth_date'
                    THEN jsonb_set(c, '{inputs,birth_date}', to_jsonb(%s::text)) ELSE c END)
                FROM jsonb_array_elements(checks) c), '[]') WHERE borrower_id = %s""",
            (ERASED, event.originator_id),
        )

    @handle.register
    def _(
        self, event: CreditAssessment.CheckRecorded, cursor: Cursor[DictRow], position: int
    ) -> None:
        self.change(cursor, event, "checks = checks || %s", Jsonb([_json(event.check)]))

    @handle.register
    def _(
        self, event: CreditAssessment.ChecksCompleted, cursor: Cursor[DictRow], position: int
    ) -> None:
        self.change(cursor, event, "checks_passed = %s", event.passed)

    @handle.register
    def _(self, event: CreditAssessment.Scored, cursor: Cursor[DictRow], position: int) -> None:
        self.change(
            cursor,
            event,
            "score = %s, pd = %s, grade = %s, model_version = %s, score_reasons = %s, "
            "features = %s",
            event.score,
            event.pd,
            event.grade,
            event.model_version,
            list(event.reasons),
            Jsonb(_json(event.features)),
        )

    @handle.register
    def _(self, event: CreditAssessment.LimitSet, cursor: Cursor[DictRow], position: int) -> None:
        limit = event.limit
        self.change(
            cursor, event, "credit_limit = %s, limits = %s", limit.amount, Jsonb(_json(limit))
        )

    @handle.register
    def _(self, event: CreditAssessment.Priced, cursor: Cursor[DictRow], position: int) -> None:
        pricing = event.pricing
        self.change(
            cursor,
            event,
            "rate_percent = %s, pricing = %s",
            pricing.rate_percent,
            Jsonb(_json(pricing)),
        )

    @handle.register
    def _(self, event: CreditAssessment.Decided, cursor: Cursor[DictRow], position: int) -> None:
        self.change(
            cursor,
            event,
            "decision = %s, flags = %s, reasons = %s",
            event.decision.value,
            list(event.flags),
            list(event.reasons),
        )

    @staticmethod
    def change(cursor: Cursor[DictRow], event: Any, assignments: str, *values: Any) -> None:
        cursor.execute(
            f"UPDATE credit_assessments SET {assignments}, version = %s, updated_at = %s "
            "WHERE id = %s",
            (*values, event.originator_version, event.timestamp, event.originator_id),
        )

    # Intake's questions (application/credit/records.py).

    def loan_ids(self, borrower_id: UUID) -> list[UUID]:
        rows = self._select(
            "SELECT id FROM loans WHERE borrower_id = %s ORDER BY position", (borrower_id,)
        )
        return [row["id"] for row in rows]

    def others_applications_with_phone(self, digest: str, borrower_id: UUID, since: date) -> int:
        rows = self._select(
            """SELECT count(*) AS others FROM credit_assessments
                WHERE phone_digest = %s AND assessed_on >= %s AND borrower_id <> %s""",
            (digest, since, borrower_id),
        )
        return int(rows[0]["others"])

    def other_borrowers_with_phone(self, digest: str, borrower_id: UUID) -> int:
        rows = self._select(
            "SELECT count(*) AS others FROM borrowers WHERE phone_digest = %s AND id <> %s",
            (digest, borrower_id),
        )
        return int(rows[0]["others"])

    def read_position(self) -> int:
        union = " UNION ALL ".join(
            f"SELECT coalesce(max(notification_id), 0) AS p FROM {name}_tracking "
            "WHERE application_name = %s"
            for name in CONSULTED
        )
        rows = self._select(
            f"SELECT min(p) AS p FROM ({union}) AS positions", (APPLICATION_NAME,) * len(CONSULTED)
        )
        return int(rows[0]["p"] or 0)

    def _select(self, sql: str, params: tuple[Any, ...]) -> list[DictRow]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _json(model: Any) -> Any:
    return model.model_dump(mode="json")


async def assessments_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """Each loan's assessment in turn (None for one submitted before intake assessed)."""
    rows = await fetch_all(
        pool, "SELECT * FROM credit_assessments WHERE loan_id = ANY(%s)", [loan_ids]
    )
    return by_key(rows, "loan_id", loan_ids)
