"""Month end: the close-of-business step that runs on the last day of each month.

It asks the read models for each loan's facts at the month end (a set-based query, no
loan is loaded), lets the domain decide each loan's interest accrual and provision
(`domain.accounting.month_end`), and records the decisions on the month's `MonthEnd`,
a batch of loans per event. Then it reconciles the journal with the loan books; a
difference is recorded and raises a critical risk warning.

A run that stopped part-way runs again: the loans the month end recorded are skipped,
and a month end reconciles once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.accounting import open_chart
from application.app import LendingApplication
from application.close_of_business import DayStep, later
from domain.accounting import LoanFacts, MonthEnd, Role, is_month_end, month_end, month_end_id
from domain.accounting import month_of as month_named
from domain.accounting.reconcile import BookFacts, Check, Difference, differences
from domain.errors import NotFound
from domain.risk import RiskWarning, ledger_differences

# (day, position): every loan's facts on `day`, once the read models have processed
# `position` (None: the store's head; 0: no need to wait).
MonthEndFacts = Callable[[date, int | None], Iterable[LoanFacts]]
# (day, position): the loan books' facts on `day` and the journal's balances by loan and
# role, once the read models have processed `position`.
ReconcileFacts = Callable[
    [date, int | None], tuple[list[BookFacts], Mapping[UUID, Mapping[Role, Decimal]]]
]

# Loans per LoansAccounted event: one event stays well under a megabyte.
BATCH = 500


def closing_months(facts: MonthEndFacts, reconcile_facts: ReconcileFacts) -> DayStep:
    """The step: on a month's last day, its month end and reconciliation."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        if not is_month_end(day):
            return after
        after = later(after, open_chart(app, actor))
        after = later(after, account_month(app, actor, day, facts(day, after)))
        return later(after, reconcile_month(app, actor, day, reconcile_facts(day, after)))

    return step


def load_month_end(app: LendingApplication, actor: str, day: date) -> MonthEnd:
    try:
        return app.load(MonthEnd, month_end_id(month_named(day)), "month end")
    except NotFound:
        return MonthEnd.start(actor=actor, on=day)


def account_month(
    app: LendingApplication, actor: str, day: date, facts: Iterable[LoanFacts]
) -> int:
    """Record each loan's month end on `day`; the last position written (0: none)."""
    record = load_month_end(app, actor, day)
    policy = app.policies.accounting
    decided = (month_end(f, day, policy) for f in facts if f.loan_id not in record.accounted)
    lines = [line for line in decided if line is not None]
    last = 0
    for start in range(0, max(len(lines), 1), BATCH):
        record.account(actor=actor, lines=tuple(lines[start : start + BATCH]))
        if record.pending_events:
            last = app.save_all(record).position
    return last


def reconcile_month(
    app: LendingApplication,
    actor: str,
    day: date,
    facts: tuple[list[BookFacts], Mapping[UUID, Mapping[Role, Decimal]]],
) -> int:
    """Record what reconciling the month end found, with a critical warning if anything
    differs; the last position written (0: reconciled before)."""
    record = load_month_end(app, actor, day)
    if record.differences is not None:
        return 0
    found = [str(d) for d in differences(*facts)]
    record.reconcile(actor=actor, differences=tuple(found))
    finding = ledger_differences(day, found)
    warnings = [RiskWarning.raise_for(actor=actor, finding=finding, on=day)] if finding else []
    try:
        return app.save_all(record, *warnings).position
    except IntegrityError:  # another run reconciled it meanwhile
        return 0


def reconcile(
    facts: tuple[list[BookFacts], Mapping[UUID, Mapping[Role, Decimal]]],
    checks: Iterable[Check] = tuple(Check),
) -> list[Difference]:
    """What differs between the journal and the loan books (see domain.accounting.reconcile)."""
    books, journal = facts
    return differences(books, journal, checks)
