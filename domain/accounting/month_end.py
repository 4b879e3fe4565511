"""Month end: what each loan's books recognise at the last day of a month.

Interest (accrual basis). The interest a loan has earned by the month end is the
interest of every installment due by then, and the part of the current period's earned
by the ledger's own straight line (`domain.ledger.rows.accrued_interest`). What earlier
month ends recognised is subtracted: the difference is the month's accrual, debited to
interest receivable and credited to interest income. Payments credit the receivable, so
the accrual of a period is settled when its installment is paid, and a loan repaid early
gives back (by a negative accrual) what was recognised beyond what it paid.
A closed loan has earned exactly the interest it was charged.

Waivers. Interest a waiver forgave was earned all the same: the waiver posts its own
entry (debit interest income, credit the receivable), so what a loan has earned counts
the interest waived, and a loan on non-accrual recognises what was paid or waived.

Non-accrual. A loan more than `non_accrual_days` past due stops accruing: it recognises
only the interest paid, which reverses the accrued interest still unpaid; from then on
its interest is income when paid, until it is back within the days.

Provisions. The reserve a loan needs is its outstanding principal times the rate for its
five-tier class (PBOC 2002: normal 1%, special mention 2%, substandard 25%, doubtful 50%,
loss 100%); the change from the reserve it holds is posted (debit impairment loss,
credit the reserve). A write-off uses the reserve, so a written-off loan needs none and
its next month end makes good what the reserve lacked.

Every figure is decided here, once, and recorded on `MonthEnd.LoansAccounted`; the
journal posts what the record says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import Field, model_validator

from domain.arrears import Classification, dpd_since
from domain.errors import InvalidValue
from domain.ledger.rows import accrued_interest
from domain.model import Immutable
from domain.schedule import DayCount, Rounder

DEFAULT_PROVISION_RATES = {
    Classification.NORMAL: Decimal("0.01"),
    Classification.SPECIAL_MENTION: Decimal("0.02"),
    Classification.SUBSTANDARD: Decimal("0.25"),
    Classification.DOUBTFUL: Decimal("0.50"),
    Classification.LOSS: Decimal("1.00"),
}


def _default_rates() -> dict[Classification, Decimal]:
    return dict(DEFAULT_PROVISION_RATES)


class AccountingPolicy(Immutable):
    """Provision rates by class (fractions, 0 to 1) and the DPD beyond which a loan stops
    accruing (`LENDING_ACCOUNTING`)."""

    provision_rates: dict[Classification, Decimal] = Field(default_factory=_default_rates)
    non_accrual_days: int = 90

    @model_validator(mode="after")
    def _checked(self) -> AccountingPolicy:
        for tier in Classification:
            rate = self.provision_rates.get(tier)
            if rate is None or not 0 <= rate <= 1:
                raise InvalidValue(f"provision_rates.{tier.value}", "must be from 0 to 1")
        if self.non_accrual_days < 1:
            raise InvalidValue("non_accrual_days", "must be at least 1")
        return self


@dataclass(frozen=True, slots=True)
class CurrentPeriod:
    """The first installment not due at the month end: its interest accrues from `start`
    (the previous due date, or the disbursement) to `due_date`."""

    start: date
    due_date: date
    interest: Decimal


@dataclass(frozen=True, slots=True)
class LoanFacts:
    """A loan at a month end, as its books and its journal record it."""

    loan_id: UUID
    accrual: bool  # its rule's basis
    active: bool  # else closed or written off: nothing outstanding
    written_off: bool
    day_count: DayCount
    money: Rounder
    due_interest: Decimal  # of installments due by the month end (all, once closed)
    paid_interest: Decimal
    current: CurrentPeriod | None
    oldest_unpaid_due_date: date | None
    classification: Classification
    outstanding_principal: Decimal
    recognised_interest: Decimal  # by earlier month ends
    reserve: Decimal  # the reserve the journal holds for it
    waived_interest: Decimal = Decimal(0)  # forgiven by waivers up to the month end


class LoanMonthEnd(Immutable):
    """What one loan's month end decided. `accrued_interest` and `provision` are the
    changes posted; `earned_interest` and `required_reserve` what they bring it to."""

    loan_id: UUID
    earned_interest: Decimal
    accrued_interest: Decimal
    non_accrual: bool
    classification: Classification
    principal: Decimal
    provision_rate: Decimal
    required_reserve: Decimal
    provision: Decimal


def earned_interest(facts: LoanFacts, on: date) -> Decimal:
    """Interest earned by `on`: what fell due (waived or not), and the current period's
    straight line."""
    earned = facts.due_interest + facts.waived_interest
    if facts.active and facts.current is not None:
        period = facts.current
        earned += accrued_interest(
            period.interest, period.start, period.due_date, on, facts.day_count, facts.money
        )
    return earned


def month_end(facts: LoanFacts, on: date, policy: AccountingPolicy) -> LoanMonthEnd | None:
    """The loan's month end on `on` (None when it changes nothing)."""
    zero = facts.money.zero()
    non_accrual = facts.active and (
        dpd_since(facts.oldest_unpaid_due_date, on) > policy.non_accrual_days
    )
    if not facts.accrual or facts.written_off:
        earned = facts.recognised_interest  # nothing to accrue (the journal holds the rest)
    elif non_accrual:
        earned = facts.paid_interest + facts.waived_interest
    else:
        earned = earned_interest(facts, on)
    rate = policy.provision_rates[facts.classification] if facts.active else zero
    principal = facts.outstanding_principal if facts.active else zero
    required = facts.money(principal * rate)
    line = LoanMonthEnd(
        loan_id=facts.loan_id,
        earned_interest=earned,
        accrued_interest=earned - facts.recognised_interest,
        non_accrual=non_accrual,
        classification=facts.classification,
        principal=principal,
        provision_rate=rate,
        required_reserve=required,
        provision=required - facts.reserve,
    )
    if not (line.accrued_interest or line.provision):
        return None
    return line
