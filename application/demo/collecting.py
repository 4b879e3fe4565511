"""The collectors' day on the business date: every loan of the demo in arrears is worked.

Close of business has just recorded each late loan's arrears. Each branch's collector
(the head office's loans go to the Wuhan one) works them, oldest arrears first, as a
collection team would: an SMS for the early ones, a call for the rest, a visit for the
long overdue; about 60% of those reached promise to pay the oldest installment's
amount within a week, which close of business will judge. The collector report then
shows each collector's actions, promises and what came in.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from application.calendar import business_date
from application.collections import RecordAction, record_action
from application.demo.history import COLLECTORS
from application.demo.session import TODAY, Session
from domain.collections import ActionKind
from domain.loan import Loan, LoanStatus

OUTCOMES = {
    ActionKind.SMS: ("reminder delivered",),
    ActionKind.CALL: ("reached the borrower", "no answer", "reached a family member"),
    ActionKind.VISIT: ("met the borrower at the shop", "premises closed"),
}
REACHED = {"reached the borrower", "met the borrower at the shop"}


def work_arrears(session: Session, rng: random.Random, loan_ids: list[UUID]) -> None:
    """One action by its office's collector on each active loan in arrears today."""
    collector_of = {session.offices.get(name): name for name in COLLECTORS}
    today = business_date(session.app, COLLECTORS[0])
    loans = (session.app.load(Loan, loan_id, "loan") for loan_id in loan_ids)
    late = [(loan, dpd) for loan in loans if (dpd := _days_late(loan)) > 0]
    for loan, dpd in sorted(late, key=lambda found: -found[1]):
        collector = collector_of.get(loan.application.office, COLLECTORS[0])
        kind = ActionKind.SMS if dpd < 8 else ActionKind.CALL if dpd < 60 else ActionKind.VISIT
        outcome = rng.choice(OUTCOMES[kind])
        owed = _oldest_owed(loan) if outcome in REACHED and rng.random() < 0.6 else None
        command = RecordAction(
            actor=collector,
            loan_id=loan.id,
            kind=kind,
            outcome=outcome,
            note=f"{dpd} days past due",
            promised_amount=owed,
            promised_date=today + timedelta(days=rng.randint(2, 7)) if owed else None,
        )
        session.wrote(record_action(session.app, command))


def _days_late(loan: Loan) -> int:
    """DPD as close of business recorded it today; 0 for a loan no longer active."""
    if loan.status is not LoanStatus.ACTIVE or loan.delinquency is None:
        return 0
    return loan.delinquency.days_past_due


def _oldest_owed(loan: Loan) -> Decimal | None:
    """What the oldest installment due still owes (None: nothing due is owed)."""
    due = sorted((i for i in loan.installments.values() if i.due_date <= TODAY),
                 key=lambda item: item.number)  # fmt: skip
    owed = [item.outstanding.total for item in due if item.outstanding.total > 0]
    return owed[0] if owed else None
