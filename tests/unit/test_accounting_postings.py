"""The posting rules: each money fact of a loan, posted by its product's accounting rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounting import DEFAULT_RULE, AccountingRule, Basis, Role, reversal
from domain.accounting.entries import EntryKind, JournalEntry
from domain.accounting.postings import (
    LoanAccounts,
    after_write_off,
    charges,
    credit_refund,
    disbursement,
    month_end,
    reclassification,
    repayment,
    waiver,
    write_off,
)
from domain.arrears import Classification
from domain.errors import InvalidValue
from domain.ledger import Allocation, Component, PaymentResult, WaiverResult

D = Decimal
LOAN = UUID("00000000-0000-4000-8000-00000000c001")
ACCRUAL = LoanAccounts(loan_id=LOAN, rule=DEFAULT_RULE)
CASH = LoanAccounts(loan_id=LOAN, rule=AccountingRule(basis=Basis.CASH))
ON = date(2026, 2, 15)


def lines(entry: JournalEntry | None) -> list[tuple[str, str, str]]:
    """(account, debit, credit) of each line, as a finance team reads them."""
    assert entry is not None
    return [(line.account, str(line.debit), str(line.credit)) for line in entry.lines]


def paid(*allocations: tuple[Component, str], credit: str = "0.00") -> PaymentResult:
    split = tuple(Allocation(1, component, D(amount)) for component, amount in allocations)
    return PaymentResult("pay-1", ON, split, D(credit))


def test_a_disbursement_debits_normal_loans_and_credits_the_bank() -> None:
    entry = disbursement(ACCRUAL, date(2026, 1, 15), D("12000.00"), D("0.00"))
    assert lines(entry) == [("130101", "12000.00", "0.00"), ("1002", "0.00", "12000.00")]


def test_a_deducted_fee_is_income_and_the_bank_pays_out_the_rest() -> None:
    entry = disbursement(ACCRUAL, date(2026, 1, 15), D("12000.00"), D("240.00"))
    assert lines(entry) == [
        ("130101", "12000.00", "0.00"),
        ("1002", "0.00", "11760.00"),
        ("6021", "0.00", "240.00"),
    ]


def test_an_accrual_basis_payment_settles_receivables() -> None:
    result = paid((Component.PENALTY, "3.00"), (Component.INTEREST, "120.00"),
                  (Component.PRINCIPAL, "946.19"), credit="10.00")  # fmt: skip
    assert lines(repayment(ACCRUAL, result)) == [
        ("1002", "1079.19", "0.00"),
        ("130101", "0.00", "946.19"),
        ("1132", "0.00", "120.00"),
        ("1221", "0.00", "3.00"),
        ("2241", "0.00", "10.00"),
    ]


def test_a_cash_basis_payment_is_income() -> None:
    result = paid((Component.FEE, "50.00"), (Component.INTEREST, "120.00"))
    assert lines(repayment(CASH, result)) == [
        ("1002", "170.00", "0.00"),
        ("6011", "0.00", "120.00"),
        ("6021", "0.00", "50.00"),
    ]


def test_the_principal_leaves_the_sub_account_of_the_loans_class() -> None:
    doubtful = ACCRUAL.model_copy(update={"classification": Classification.DOUBTFUL})
    assert lines(repayment(doubtful, paid((Component.PRINCIPAL, "100.00"))))[1] == (
        "130104", "0.00", "100.00",
    )  # fmt: skip


def test_a_payment_after_the_write_off_is_a_recovery() -> None:
    written_off = ACCRUAL.model_copy(update={"written_off_on": date(2026, 1, 31)})
    result = paid((Component.PRINCIPAL, "150.00"), (Component.INTEREST, "50.00"), credit="5.00")
    entry = repayment(written_off, result)
    assert entry is not None
    assert entry.kind is EntryKind.RECOVERY
    assert lines(entry) == [
        ("1002", "205.00", "0.00"), ("6301", "0.00", "200.00"), ("2241", "0.00", "5.00"),
    ]  # fmt: skip


def test_charges_are_receivable_on_the_accrual_basis_only() -> None:
    """A late fee of 50.00 and 1.20 of penalty charged; the journal held neither."""
    owed = {Component.FEE: D("50.00"), Component.PENALTY: D("1.20")}
    assert lines(charges(ACCRUAL, ON, owed, {})) == [
        ("1221", "50.00", "0.00"), ("1221", "1.20", "0.00"),
        ("6021", "0.00", "50.00"), ("6051", "0.00", "1.20"),
    ]  # fmt: skip
    assert charges(CASH, ON, owed, {}) is None


def test_charges_taken_back_post_the_net_change() -> None:
    """A backdated payment recomputed the penalty: 1.20 becomes 0.80, the fee goes."""
    held = {Role.PENALTY_RECEIVABLE: D("1.20"), Role.FEE_RECEIVABLE: D("50.00")}
    owed = {Component.FEE: D("0.00"), Component.PENALTY: D("0.80")}
    assert lines(charges(ACCRUAL, ON, owed, held)) == [
        ("6021", "50.00", "0.00"), ("6051", "0.40", "0.00"),
        ("1221", "0.00", "50.00"), ("1221", "0.00", "0.40"),
    ]  # fmt: skip
    assert charges(ACCRUAL, ON, {Component.FEE: D("50.00"), Component.PENALTY: D("1.20")},
                   held) is None  # fmt: skip


def test_a_waiver_takes_back_the_income_it_forgave() -> None:
    forgiven = (Allocation(2, Component.FEE, D("20.00")), Allocation(2, Component.INTEREST,
                D("15.00")), Allocation(3, Component.FEE, D("5.00")))  # fmt: skip
    entry = waiver(ACCRUAL, WaiverResult("waiver:7", ON, forgiven))
    assert entry is not None
    assert entry.subject == "waiver:7"
    assert entry.kind is EntryKind.WAIVER
    assert lines(entry) == [
        ("6011", "15.00", "0.00"), ("6021", "25.00", "0.00"),
        ("1132", "0.00", "15.00"), ("1221", "0.00", "25.00"),
    ]  # fmt: skip
    assert waiver(CASH, WaiverResult("waiver:7", ON, forgiven)) is None


def test_a_write_off_uses_the_reserve_and_loses_the_receivables() -> None:
    held = {Role.INTEREST_RECEIVABLE: D("110.54"), Role.FEE_RECEIVABLE: D("50.00")}
    entry = write_off(ACCRUAL, date(2026, 3, 31), D("11053.81"), held)
    assert lines(entry) == [
        ("1304", "11053.81", "0.00"),
        ("6701", "160.54", "0.00"),
        ("130101", "0.00", "11053.81"),
        ("1132", "0.00", "110.54"),
        ("1221", "0.00", "50.00"),
    ]
    assert lines(write_off(CASH, date(2026, 3, 31), D("100.00"), {})) == [
        ("1304", "100.00", "0.00"), ("130101", "0.00", "100.00"),
    ]  # fmt: skip


def test_interest_recognised_after_the_write_off_date_is_taken_back_on_its_date() -> None:
    entry = after_write_off(ACCRUAL, date(2026, 1, 31), D("84.00"))
    assert entry is not None
    assert entry.value_date == date(2026, 1, 31)
    assert lines(entry) == [("6011", "84.00", "0.00"), ("1132", "0.00", "84.00")]


def test_a_reclassification_moves_the_principal_between_sub_accounts() -> None:
    entry = reclassification(ACCRUAL, ON, Classification.SUBSTANDARD, D("9000.00"))
    assert lines(entry) == [("130103", "9000.00", "0.00"), ("130101", "0.00", "9000.00")]
    assert reclassification(ACCRUAL, ON, Classification.NORMAL, D("9000.00")) is None


def test_a_month_end_accrues_interest_and_provides_a_negative_amount_reverses() -> None:
    assert lines(month_end(ACCRUAL, date(2026, 1, 31), D("61.94"), D("120.00"))) == [
        ("1132", "61.94", "0.00"), ("6701", "120.00", "0.00"),
        ("6011", "0.00", "61.94"), ("1304", "0.00", "120.00"),
    ]  # fmt: skip
    assert lines(month_end(CASH, date(2026, 2, 28), D("0.00"), D("-9.46"))) == [
        ("1304", "9.46", "0.00"), ("6701", "0.00", "9.46"),
    ]  # fmt: skip
    assert month_end(CASH, date(2026, 2, 28), D("0.00"), D("0.00")) is None


def test_a_credit_refund_pays_the_borrowers_credit_back_out_of_the_bank() -> None:
    assert lines(credit_refund(CASH, ON, D("10.00"))) == [
        ("2241", "10.00", "0.00"), ("1002", "0.00", "10.00"),
    ]  # fmt: skip


def test_a_reversal_swaps_every_line_and_keeps_the_value_date() -> None:
    entry = repayment(ACCRUAL, paid((Component.INTEREST, "120.00")))
    assert entry is not None
    back = reversal(entry)
    assert back.kind is EntryKind.REVERSAL
    assert back.value_date == ON
    assert lines(back) == [("1002", "0.00", "120.00"), ("1132", "120.00", "0.00")]


def test_a_rule_that_leaves_a_posting_without_an_account_is_refused() -> None:
    accounts = {role: code for role, code in DEFAULT_RULE.accounts.items()
                if role is not Role.RECOVERY_INCOME}  # fmt: skip
    with pytest.raises(InvalidValue) as refused:
        AccountingRule(accounts=accounts).checked()
    assert refused.value.field == "accounting.accounts.recovery_income"
    cash = {role: code for role, code in DEFAULT_RULE.accounts.items()
            if role is not Role.INTEREST_RECEIVABLE}  # fmt: skip
    assert AccountingRule(basis=Basis.CASH, accounts=cash).checked().basis is Basis.CASH
    with pytest.raises(InvalidValue):
        AccountingRule(accounts=cash).checked()


amounts = st.integers(0, 10**9).map(lambda cents: D(cents) / 100)


@given(
    principal=amounts, interest=amounts, fee=amounts, penalty=amounts, credit=amounts,
    basis=st.sampled_from(Basis), recovery=st.booleans(),
    tier=st.sampled_from(Classification),
)  # fmt: skip
def test_every_payment_posting_balances(
    principal: Decimal, interest: Decimal, fee: Decimal, penalty: Decimal, credit: Decimal,
    basis: Basis, recovery: bool, tier: Classification,
) -> None:  # fmt: skip
    loan = LoanAccounts(
        loan_id=LOAN, rule=AccountingRule(basis=basis), classification=tier,
        written_off_on=date(2026, 1, 1) if recovery else None,
    )  # fmt: skip
    result = paid((Component.PRINCIPAL, str(principal)), (Component.INTEREST, str(interest)),
                  (Component.FEE, str(fee)), (Component.PENALTY, str(penalty)),
                  credit=str(credit))  # fmt: skip
    entry = repayment(loan, result)
    total = principal + interest + fee + penalty + credit
    if total == 0:
        assert entry is None
        return
    assert entry is not None
    assert entry.debits == entry.credits == total
    assert all(line.debit >= 0 and line.credit >= 0 for line in entry.lines)
    assert lines(reversal(entry)) == [(a, c, d) for a, d, c in lines(entry)]
