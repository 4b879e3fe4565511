"""The posting rules: what each money fact of a loan posts, by the loan's accounting rule.

Every function is pure: the facts an event recorded (and what the journal already
posted for the loan, as `LoanAccounts`) in, one balanced `JournalEntry` (or None) out.

- Disbursement: debit loans (normal), credit the fund source with what was paid out
  and fee income with fees deducted from it.
- Repayment (one payment's allocation): debit the fund source with the payment; credit
  loans (the loan's current class) with principal, the receivables (accrual basis) or
  incomes (cash basis) with interest, fees and penalty, and borrower credit with any
  overpayment. A payment valued after the write-off date is a recovery: income.
- Charges (accrual basis): what a change charged in fees and penalty (late fees,
  penalty interest, charges officers added, schedule fees falling due), less what it
  took back, debited to the receivables and credited to the incomes, on the change's
  value date. The loan's books say what is owed after the change; the receivables are
  brought to it from what the journal holds once the change's payments and waivers are
  posted, so the entry is exactly the change's net charge.
- Waiver (accrual basis): what a waiver forgave is taken back from the income it was
  recognised in (debit fee, penalty or interest income) and off the receivable (credit);
  the Fineract convention, rather than an expense. On the cash basis it was never income
  and posts nothing.
- Write-off: the reserve bears the principal (debit reserve, credit loans); receivables
  still held (accrual basis) are impairment losses. Interest recognised with a value date
  after the write-off date (a month end's accrual, the write-off recorded later and
  backdated) is taken back from income on its own date.
- Reclassification: the principal moves to the sub-account of the loan's new class.
- Month end (see `month_end`): the interest accrual and the change in provision.
- Credit refund: borrower credit paid back out of the fund source.

A change to an earlier fact posts `reversal` of what that fact posted, then the new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.accounting.entries import EntryKind, JournalEntry, posted
from domain.accounting.rules import LOANS_BY_CLASS, AccountingRule, Basis, Role
from domain.arrears import Classification
from domain.ledger import Component, PaymentResult, WaiverResult
from domain.model import Immutable

RECEIVABLE = {
    Component.INTEREST: Role.INTEREST_RECEIVABLE,
    Component.FEE: Role.FEE_RECEIVABLE,
    Component.PENALTY: Role.PENALTY_RECEIVABLE,
}
# A write-off is posted again when a later change (a payment valued before it) changes
# what was written off: its entry is the loan's open item under this subject.
WRITE_OFF = "write_off"
INCOME = {
    Component.INTEREST: Role.INTEREST_INCOME,
    Component.FEE: Role.FEE_INCOME,
    Component.PENALTY: Role.PENALTY_INCOME,
}


class LoanAccounts(Immutable):
    """A loan as its postings need it: its rule, class and write-off date."""

    loan_id: UUID
    rule: AccountingRule
    classification: Classification = Classification.NORMAL
    written_off_on: date | None = None

    @property
    def accrual(self) -> bool:
        return self.rule.basis is Basis.ACCRUAL

    @property
    def loans_role(self) -> Role:
        return LOANS_BY_CLASS[self.classification]

    def is_recovery(self, value_date: date) -> bool:
        return self.written_off_on is not None and value_date > self.written_off_on


def disbursement(
    loan: LoanAccounts, value_date: date, principal: Decimal, deducted_fees: Decimal
) -> JournalEntry | None:
    return posted(
        EntryKind.DISBURSEMENT, value_date, loan.rule,
        [(loan.loans_role, principal)],
        [(Role.FUND_SOURCE, principal - deducted_fees), (Role.FEE_INCOME, deducted_fees)],
        loan_id=loan.loan_id,
    )  # fmt: skip


def repayment(loan: LoanAccounts, result: PaymentResult) -> JournalEntry | None:
    """What one payment's allocation posts (its subject is the payment)."""
    received = result.allocated + result.credit
    split = dict.fromkeys(Component, received * 0)
    for allocation in result.allocations:
        split[allocation.component] += allocation.amount
    credits: list[tuple[Role, Decimal]]
    if loan.is_recovery(result.value_date):
        kind = EntryKind.RECOVERY
        credits = [(Role.RECOVERY_INCOME, result.allocated)]
    else:
        kind = EntryKind.REPAYMENT
        side = RECEIVABLE if loan.accrual else INCOME
        credits = [(loan.loans_role, split[Component.PRINCIPAL])]
        credits += [(side[c], split[c]) for c in (Component.INTEREST, Component.FEE,
                                                  Component.PENALTY)]  # fmt: skip
    credits.append((Role.BORROWER_CREDIT, result.credit))
    return posted(
        kind, result.value_date, loan.rule, [(Role.FUND_SOURCE, received)], credits,
        loan_id=loan.loan_id, subject=result.payment_id,
    )  # fmt: skip


def charges(
    loan: LoanAccounts,
    value_date: date,
    owed: Mapping[Component, Decimal],
    held: Mapping[Role, Decimal],
) -> JournalEntry | None:
    """What a change charged in fees and penalty less what it took back, as one entry on
    its value date: `owed` is what the loan's books say is charged and unpaid of each
    after the change (before any write-off moved it), `held` the receivables the journal
    holds with the change's payments and waivers posted. Receivable and income on the
    accrual basis; nothing on the cash basis, where they are income when paid."""
    if not loan.accrual:
        return None
    net = {
        component: owed.get(component, Decimal(0)) - held.get(RECEIVABLE[component], Decimal(0))
        for component in (Component.FEE, Component.PENALTY)
    }
    return posted(
        EntryKind.CHARGE, value_date, loan.rule,
        [(RECEIVABLE[c], amount) for c, amount in net.items()],
        [(INCOME[c], amount) for c, amount in net.items()],
        loan_id=loan.loan_id,
    )  # fmt: skip


def waiver(loan: LoanAccounts, result: WaiverResult) -> JournalEntry | None:
    """What one waiver forgave (its subject is the waiver): each component's income
    debited and its receivable credited on the accrual basis; nothing on the cash basis."""
    if not loan.accrual:
        return None
    split = {component: Decimal(0) for component in RECEIVABLE}
    for allocation in result.allocations:
        split[allocation.component] += allocation.amount
    return posted(
        EntryKind.WAIVER, result.value_date, loan.rule,
        [(INCOME[c], amount) for c, amount in split.items()],
        [(RECEIVABLE[c], amount) for c, amount in split.items()],
        loan_id=loan.loan_id, subject=result.waiver_id,
    )  # fmt: skip


def write_off(
    loan: LoanAccounts,
    value_date: date,
    principal: Decimal,
    receivables: Mapping[Role, Decimal],
) -> JournalEntry | None:
    """`principal`: what the loan wrote off; `receivables`: the receivable balances the
    journal holds for the loan (accrual basis), which become impairment losses."""
    held = [(role, receivables.get(role, principal * 0)) for role in RECEIVABLE.values()]
    lost = sum((amount for _, amount in held), principal * 0) if loan.accrual else principal * 0
    return posted(
        EntryKind.WRITE_OFF, value_date, loan.rule,
        [(Role.LOAN_LOSS_RESERVE, principal), (Role.IMPAIRMENT_LOSS, lost)],
        [(loan.loans_role, principal), *(held if loan.accrual else [])],
        loan_id=loan.loan_id, subject=WRITE_OFF,
    )  # fmt: skip


def after_write_off(loan: LoanAccounts, value_date: date, interest: Decimal) -> JournalEntry | None:
    """Interest recognised on `value_date`, after the loan's write-off date (a month end's
    accrual posted before the write-off was recorded, backdated): no income, taken back
    on its own date, so the books of every day after the write-off hold none of it."""
    return posted(
        EntryKind.WRITE_OFF, value_date, loan.rule,
        [(Role.INTEREST_INCOME, interest)], [(Role.INTEREST_RECEIVABLE, interest)],
        loan_id=loan.loan_id,
    )  # fmt: skip


def reclassification(
    loan: LoanAccounts, value_date: date, to: Classification, principal: Decimal
) -> JournalEntry | None:
    """The loan's principal (as the journal holds it) moved to class `to`'s sub-account."""
    if to is loan.classification:
        return None
    return posted(
        EntryKind.RECLASSIFICATION, value_date, loan.rule,
        [(LOANS_BY_CLASS[to], principal)], [(loan.loans_role, principal)],
        loan_id=loan.loan_id,
    )  # fmt: skip


def month_end(
    loan: LoanAccounts, value_date: date, accrued_interest: Decimal, provision: Decimal
) -> JournalEntry | None:
    """The month's interest accrual (a fall credits the receivable) and the change in the
    loan-loss provision (a fall releases the reserve)."""
    return posted(
        EntryKind.MONTH_END, value_date, loan.rule,
        [(Role.INTEREST_RECEIVABLE, accrued_interest), (Role.IMPAIRMENT_LOSS, provision)],
        [(Role.INTEREST_INCOME, accrued_interest), (Role.LOAN_LOSS_RESERVE, provision)],
        loan_id=loan.loan_id,
    )  # fmt: skip


def credit_refund(loan: LoanAccounts, value_date: date, amount: Decimal) -> JournalEntry | None:
    """Overpayment credit paid back to the borrower."""
    return posted(
        EntryKind.REFUND, value_date, loan.rule,
        [(Role.BORROWER_CREDIT, amount)], [(Role.FUND_SOURCE, amount)],
        loan_id=loan.loan_id,
    )  # fmt: skip
