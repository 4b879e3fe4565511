"""Reconciliation: the journal against the loan books, loan by loan, on a date.

What the books say each account should hold for a loan on date D (value dates up to D):

- loans (1301 and its sub-accounts): the outstanding principal;
- interest receivable (accrual basis): the interest recognised by the last month end up
  to D, less the interest paid and waived by D; at a month end that is what is owed
  and accrued;
- fees and penalties receivable (accrual basis): the fees and penalty charged and unpaid;
- borrower credit (2241): the overpayments the loan holds, less what was refunded;

and a cash-basis or written-off loan holds no receivable. Any figure of the journal that
differs is a `Difference`, and so is any total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.accounting.rules import LOAN_ROLES, Role


class Check(StrEnum):
    LOANS = "loans"
    INTEREST_RECEIVABLE = "interest_receivable"
    FEES_RECEIVABLE = "fees_receivable"
    BORROWER_CREDIT = "borrower_credit"


# The roles whose balances (debits less credits) make each check's journal figure; credit
# balances count as positive for borrower credit.
ROLES: dict[Check, tuple[Role, ...]] = {
    Check.LOANS: LOAN_ROLES,
    Check.INTEREST_RECEIVABLE: (Role.INTEREST_RECEIVABLE,),
    Check.FEES_RECEIVABLE: (Role.FEE_RECEIVABLE, Role.PENALTY_RECEIVABLE),
    Check.BORROWER_CREDIT: (Role.BORROWER_CREDIT,),
}
CREDIT_BALANCES = frozenset({Check.BORROWER_CREDIT})


@dataclass(frozen=True, slots=True)
class BookFacts:
    """One loan on the reconciliation date, as the loan books record it."""

    loan_id: UUID
    accrual: bool
    written_off: bool
    outstanding_principal: Decimal
    recognised_interest: Decimal
    paid_interest: Decimal
    owed_fees: Decimal | None  # None: not known for that date (only for the business date)
    credit: Decimal
    waived_interest: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Difference:
    check: Check
    loan_id: UUID | None  # None: the total over every loan
    journal: Decimal
    books: Decimal

    def __str__(self) -> str:
        subject = f"loan {self.loan_id}" if self.loan_id else "all loans"
        return (f"{subject}: {self.check.value}: journal {self.journal}, "
                f"loan books {self.books}")  # fmt: skip


def expected(facts: BookFacts) -> dict[Check, Decimal]:
    """What the journal should hold for the loan, by check (a check left out is not made)."""
    zero = facts.outstanding_principal * 0
    holds = facts.accrual and not facts.written_off
    figures = {
        Check.LOANS: facts.outstanding_principal,
        Check.INTEREST_RECEIVABLE: (
            facts.recognised_interest - facts.paid_interest - facts.waived_interest
        ),
        Check.BORROWER_CREDIT: facts.credit,
    }
    if not holds:
        figures[Check.INTEREST_RECEIVABLE] = zero
    if facts.owed_fees is not None:
        figures[Check.FEES_RECEIVABLE] = facts.owed_fees if holds else zero
    return figures


def journal_figures(balances: Mapping[Role, Decimal]) -> dict[Check, Decimal]:
    """A loan's check figures from its balances by role (debits less credits)."""
    figures = {}
    for check, roles in ROLES.items():
        total = sum((balances.get(role, Decimal(0)) for role in roles), Decimal(0))
        figures[check] = -total if check in CREDIT_BALANCES else total
    return figures


def differences(
    books: Iterable[BookFacts],
    journal: Mapping[UUID, Mapping[Role, Decimal]],
    checks: Iterable[Check] = tuple(Check),
) -> list[Difference]:
    """Every loan figure and total where the journal and the books differ (loans the
    journal holds and the books do not count with nothing expected)."""
    wanted = tuple(checks)
    found: list[Difference] = []
    totals = {check: [Decimal(0), Decimal(0)] for check in wanted}
    seen: set[UUID] = set()
    for facts in books:
        seen.add(facts.loan_id)
        _compare(found, totals, facts.loan_id, expected(facts), journal.get(facts.loan_id, {}),
                 wanted)  # fmt: skip
    nothing = dict.fromkeys(Check, Decimal(0))
    for loan_id in sorted(set(journal) - seen):
        _compare(found, totals, loan_id, nothing, journal[loan_id], wanted)
    for check, (ledger, book) in totals.items():
        if ledger != book:
            found.append(Difference(check, None, ledger, book))
    return found


def _compare(
    found: list[Difference],
    totals: dict[Check, list[Decimal]],
    loan_id: UUID,
    books: Mapping[Check, Decimal],
    balances: Mapping[Role, Decimal],
    checks: tuple[Check, ...],
) -> None:
    ledger = journal_figures(balances)
    for check in checks:
        if check not in books:
            continue
        mine, theirs = ledger[check], books[check]
        totals[check][0] += mine
        totals[check][1] += theirs
        if mine != theirs:
            found.append(Difference(check, loan_id, mine, theirs))
