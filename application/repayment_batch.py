"""Many repayments received together: a hundred rows to a transaction, not one each.

A file's rows are received as `receive_repayment` would receive them one at a time,
and record the same: each loan is loaded once a transaction and takes its rows in file
order. Only what is plainly new goes this way: a reference already stored or used
twice in the batch, a loan out of reach or not found, a value date after the business
date, and any row the loan refuses are left to the caller, to be received one at a time
(which says exactly why, or that it was received before). So is every row of a batch
whose save meets a concurrent writer: they are idempotent, and nothing of it was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from application.reach import named_loan_in_reach
from application.repayments import ReceiveRepayment, record_repayment, repayment_id
from domain.errors import DomainError
from domain.loan import Loan
from domain.repayment import Repayment

# Rows a transaction: two or three events each, a few hundred kB in all.
ROWS_PER_TRANSACTION = 100


@dataclass(frozen=True)
class Row:
    index: int  # the row's place in the file
    command: ReceiveRepayment
    payment_id: UUID


@dataclass
class Outcome:
    """Each row's result by its index: received (a Written), or left to the caller."""

    received: dict[int, Written] = field(default_factory=dict)
    left: list[int] = field(default_factory=list)


def receive_together(
    app: LendingApplication,
    commands: Sequence[tuple[int, ReceiveRepayment]],
    today: date,
    reach: UUID | None,
    *,
    cached: bool = False,
) -> Iterator[Outcome]:
    """Receive `(index, command)` rows a batch at a time; each batch's outcome in turn.

    Once a row of a loan is left to the caller, so is every later row of that loan: the
    caller, taking them in file order, records each loan's payments in file order.
    `cached`: decide on the loans as this process has them (`load_cached`), without a
    query each; a loan another process changed since makes its batch's save clash."""
    rows = [Row(i, c, repayment_id(app, c.channel, c.external_reference)) for i, c in commands]
    stored = app.existing({row.payment_id for row in rows})
    # A reference already stored writes nothing again: it holds no loan back.
    if left := [row.index for row in rows if row.payment_id in stored]:
        yield Outcome(left=left)
    fresh = [row for row in rows if row.payment_id not in stored]
    loans = {id_: n for n, id_ in enumerate(dict.fromkeys(r.command.loan_id for r in fresh))}
    fresh.sort(key=lambda row: (loans[row.command.loan_id], row.index))
    load = app.load_cached if cached else app.load
    taking = _Taking(app, today, reach, firsts={}, load=load)
    for row in sorted(fresh, key=lambda row: row.index, reverse=True):
        taking.firsts[row.payment_id] = row.index
    for start in range(0, len(fresh), ROWS_PER_TRANSACTION):
        yield taking.batch(fresh[start : start + ROWS_PER_TRANSACTION])


@dataclass
class _Taking:
    app: LendingApplication
    today: date
    reach: UUID | None
    firsts: dict[UUID, int]  # each reference's first row
    load: Callable[[type[Loan], UUID, str], Loan]
    held: set[UUID] = field(default_factory=set)  # loans whose rows are left from now on

    def batch(self, rows: list[Row]) -> Outcome:
        outcome = Outcome()
        decided: list[tuple[Row, Repayment]] = []
        loans: list[Loan] = []
        for loan_id, group in groupby(rows, key=lambda row: row.command.loan_id):
            loan, accepted = self._loan_with(loan_id, list(group), outcome)
            if loan is not None and accepted:
                loans.append(loan)
                decided += accepted
        if not decided:
            return outcome
        try:
            # The repayments after the loans: each row's last event is its repayment's,
            # so that position covers all the row recorded, and no other row's answer.
            positions = self.app.saved_positions(*loans, *(r for _, r in decided))
        except IntegrityError:  # a concurrent writer: each row on its own, as it comes
            self.held.update(loan.id for loan in loans)
            return Outcome(left=[row.index for row in rows])
        for row, repayment in decided:
            written = Written(repayment.id, repayment.version, positions[repayment.id])
            outcome.received[row.index] = written
        return outcome

    def _loan_with(
        self, loan_id: UUID, rows: list[Row], outcome: Outcome
    ) -> tuple[Loan | None, list[tuple[Row, Repayment]]]:
        """The loan with the rows it takes recorded, and those rows' repayments. From
        the first row it cannot plainly take, the loan's rows are left to the caller."""
        app, today = self.app, self.today
        try:
            named_loan_in_reach(app, loan_id, self.reach)
            loan = self.load(Loan, loan_id, "loan")
        except DomainError:
            self.held.add(loan_id)
            outcome.left += [row.index for row in rows]
            return None, []
        accepted: list[tuple[Row, Repayment]] = []
        for n, row in enumerate(rows):
            if loan_id in self.held or not self._plain(row, loan):
                self.held.add(loan_id)
                outcome.left += [later.index for later in rows[n:]]
                break
            try:
                accepted.append((row, record_repayment(loan, row.command, row.payment_id, today)))
            except DomainError:
                self.held.add(loan_id)
                outcome.left += [later.index for later in rows[n:]]
                # What the refused row may have begun is dropped with the loan's copy.
                loan = self.load(Loan, loan_id, "loan")
                accepted = [(r, record_repayment(loan, r.command, r.payment_id, today))
                            for r, _ in accepted]  # fmt: skip
                break
        return (loan, accepted) if accepted else (None, [])

    def _plain(self, row: Row, loan: Loan) -> bool:
        """Whether the row is plainly new: its reference's first row, for the loan to
        take on the business date."""
        return (
            self.firsts[row.payment_id] == row.index
            and row.command.value_date <= self.today
            and str(row.payment_id) not in loan.payments
        )
