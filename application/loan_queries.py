"""What readers ask the event store about one loan: its payoff, and the loan as recorded.

The read models answer every list; these answer what only the loan's own events can:
a payoff quote for any day (the ledger's rule over the live payments), and the loan as
it was recorded at an earlier moment, for auditors. Each answer is plain data, never
the aggregate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from domain.charges import ChargeKind
from domain.errors import NotFound
from domain.ledger import InstallmentState
from domain.loan import Loan, LoanStatus
from domain.loan.charge_shares import ChargeLine, ChargeShare, charge_shares
from domain.loan.delinquency import Delinquency
from domain.money import minor_unit
from domain.schedule import Installment


@dataclass(frozen=True)
class RecordedInstallment:
    """An installment as the loan's events recorded it, with what was paid on it."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal
    total: Decimal
    balance_after: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    paid_fee: Decimal
    paid_penalty: Decimal
    status: str  # pending, partially_paid or paid

    @classmethod
    def of(
        cls, item: Installment, state: InstallmentState | None, zero: Decimal
    ) -> RecordedInstallment:
        """`zero` is 0 at the currency's minor unit, so unpaid amounts read "0.00"."""
        paid = state.paid if state else None
        return cls(
            number=item.number,
            due_date=item.due_date,
            principal=item.principal,
            interest=item.interest,
            fee=state.due.fee if state else item.fee,
            penalty=state.due.penalty if state else zero,
            total=item.total,
            balance_after=item.balance_after,
            paid_principal=paid.principal if paid else zero,
            paid_interest=paid.interest if paid else zero,
            paid_fee=paid.fee if paid else zero,
            paid_penalty=paid.penalty if paid else zero,
            status=state.status if state else "pending",
        )


@dataclass(frozen=True)
class RecordedWaiver:
    """A waiver as the loan's events recorded it: `forgiven` what the ledger last
    recorded it forgave by then."""

    id: str
    component: str
    amount: Decimal
    forgiven: Decimal
    installment: int | None
    value_date: date
    reason: str
    actor: str


@dataclass(frozen=True)
class RecordedLoan:
    """A loan as its events recorded it, balances, schedule and delinquency included:
    the columns the `loans` read model has, from the events instead."""

    id: UUID
    status: LoanStatus
    principal: Decimal
    annual_rate_percent: Decimal
    term: int
    frequency: str
    method: str
    purpose: str
    currency: str
    region: str
    officer: str
    disbursed_amount: Decimal
    disbursed_on: date | None
    outstanding_principal: Decimal
    outstanding_interest: Decimal
    outstanding_fees: Decimal
    outstanding_penalty: Decimal
    credit_balance: Decimal
    principal_repaid: Decimal
    interest_repaid: Decimal
    next_due_date: date | None
    maturity_date: date | None
    version: int
    borrower_id: UUID
    product_code: str
    installments: tuple[RecordedInstallment, ...]
    delinquency: Delinquency | None
    # Each fee charged by then, with its share of what was paid, waived and owed.
    charges: tuple[ChargeShare, ...] = ()
    waivers: tuple[RecordedWaiver, ...] = ()

    @classmethod
    def of(cls, loan: Loan) -> RecordedLoan:
        application = loan.application
        zero = Decimal(0).quantize(minor_unit(application.minor_unit))
        items = loan.schedule.installments if loan.schedule is not None else ()
        balances = loan.balances
        outstanding = balances.outstanding if balances else None
        return cls(
            id=loan.id,
            status=loan.status,
            principal=loan.principal,
            annual_rate_percent=loan.annual_rate_percent,
            term=loan.term,
            frequency=application.frequency,
            method=application.method,
            purpose=application.purpose,
            currency=application.product.currency,
            region=application.region,
            officer=application.officer,
            disbursed_amount=loan.principal if loan.disbursement else zero,
            disbursed_on=loan.disbursement.value_date if loan.disbursement else None,
            outstanding_principal=outstanding.principal if outstanding else zero,
            outstanding_interest=outstanding.interest if outstanding else zero,
            outstanding_fees=outstanding.fee if outstanding else zero,
            outstanding_penalty=outstanding.penalty if outstanding else zero,
            credit_balance=balances.credit if balances else zero,
            principal_repaid=balances.paid.principal if balances else zero,
            interest_repaid=balances.paid.interest if balances else zero,
            next_due_date=balances.next_due_date if balances else None,
            maturity_date=items[-1].due_date if items else None,
            version=loan.version,
            borrower_id=application.borrower_id,
            product_code=application.product_code,
            installments=tuple(
                RecordedInstallment.of(i, loan.installments.get(i.number), zero) for i in items
            ),
            delinquency=loan.delinquency,
        )


def loan_as_of(app: LendingApplication, loan_id: UUID, at: datetime) -> RecordedLoan | None:
    """The loan as recorded at `at`; None if it was not submitted yet. NotFound for an
    id that is no loan's."""
    history = app.history_as_of(loan_id, at, "loan")
    if history is None:
        return None
    found, events = history
    if not isinstance(found, Loan):
        raise NotFound("loan", loan_id)
    return replace(
        RecordedLoan.of(found),
        charges=charge_shares(found, charged_lines(events)),
        waivers=recorded_waivers(found, events),
    )


# The @event decorator makes this class, which type checkers cannot see.
DISBURSED: type[Any] = Loan.Disbursed  # type: ignore[attr-defined]


def recorded_waivers(loan: Loan, events: Iterable[Any]) -> tuple[RecordedWaiver, ...]:
    """The waivers `events` (the loan's, up to the moment `loan` stands at) recorded, by
    value date, with what each forgave as the loan then recorded it."""
    zero = Decimal(0).quantize(minor_unit(loan.application.minor_unit))
    waivers = [
        RecordedWaiver(
            id=event.waiver.id,
            component=str(event.waiver.component),
            amount=event.waiver.amount,
            forgiven=result.waived if result else zero,
            installment=event.waiver.installment,
            value_date=event.value_date,
            reason=event.reason,
            actor=event.actor,
        )
        for event in events
        if isinstance(event, Loan.Waived)
        for result in [loan.waiver_results.get(event.waiver.id)]
    ]
    return tuple(sorted(waivers, key=lambda w: (w.value_date, w.id)))


def charged_lines(events: Iterable[Any]) -> list[ChargeLine]:
    """Every fee the loan's `events` charged, in the order charged: the disbursement's
    lines (named as the product named them when the loan was applied for), then each
    charge added."""
    names: dict[str, str] = {}
    lines: list[ChargeLine] = []
    for event in events:
        if isinstance(event, Loan.ApplicationSubmitted):
            names = {c.code: c.name for c in event.application.product.charges}
        elif isinstance(event, DISBURSED):
            lines.extend(
                ChargeLine(fee.code, names.get(fee.code), str(fee.kind), fee.installment,
                           event.value_date, fee.amount)
                for fee in event.fees
            )  # fmt: skip
        elif isinstance(event, Loan.ChargeAdded):
            lines.append(
                ChargeLine(event.code, event.name, ChargeKind.SPECIFIED_DUE_DATE.value,
                           event.charge.installment, event.value_date, event.charge.amount)
            )  # fmt: skip
    return lines


def payoff_amount(app: LendingApplication, loan_id: UUID, on: date) -> Decimal:
    """What a payment valued `on` must be to close the loan, by the ledger's payoff rule
    over the payments recorded so far. InvalidTransition for a loan not disbursed."""
    return app.load(Loan, loan_id, "loan").payoff_amount(on)
