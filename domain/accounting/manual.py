"""A manual journal entry: an accountant's own posting (capital paid in, expenses paid).

The lines must balance, each line debit or credit (not both, not neither), at the
currency's minor unit; the application checks that every account exists and is open.
An entry belongs to an office, as a loan's entries do: the application works out which
(`application.accounting.manual_entry_office`). One posted before entries recorded their
office has none, and belongs to the head office.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.accounting.chart import checked_account_code
from domain.accounting.entries import EntryKind, JournalEntry, Line, balanced
from domain.errors import InvalidValue
from domain.model import Aggregate, added_later
from domain.money import checked_amount

MAX_LINES = 100
NARRATION_LENGTH = 1000


class ManualEntry(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        entry: JournalEntry
        office: UUID | None

    class Posted(Aggregate.Created):
        value_date: date
        entry: JournalEntry
        # The office whose books the entry is in; None on entries posted before it was
        # recorded, which are the head office's.
        office: UUID | None = added_later()

        def apply(self, aggregate: Any) -> None:
            aggregate.entry = self.entry
            aggregate.office = self.office

    @classmethod
    def post(
        cls,
        *,
        actor: str,
        value_date: date,
        lines: list[tuple[str, Decimal, Decimal]],
        narration: str,
        office: UUID,
        places: int = 2,
    ) -> ManualEntry:
        """Post (account code, debit, credit) lines on `value_date`, in `office`'s books."""
        if not 2 <= len(lines) <= MAX_LINES:
            raise InvalidValue("lines", f"must hold 2 to {MAX_LINES} lines")
        narration = narration.strip()
        if not narration or len(narration) > NARRATION_LENGTH:
            raise InvalidValue("narration", f"must be 1 to {NARRATION_LENGTH} characters")
        checked = []
        for n, (code, debit, credit) in enumerate(lines):
            field = f"lines.{n}"
            amounts = [checked_amount(a, f"{field}.{side}", places)
                       for a, side in ((debit, "debit"), (credit, "credit"))]  # fmt: skip
            if (amounts[0] > 0) == (amounts[1] > 0):
                raise InvalidValue(field, "must debit or credit an amount, not both")
            account = checked_account_code(code, f"{field}.account")
            checked.append(Line(account=account, debit=amounts[0], credit=amounts[1]))
        entry = balanced(
            JournalEntry(
                kind=EntryKind.MANUAL,
                value_date=value_date,
                lines=tuple(checked),
                narration=narration,
            )
        )
        return cls._create(
            cls.Posted, actor=actor, value_date=value_date, entry=entry, office=office
        )
