"""A product's accounting rule: which account each posting role goes to, and the basis.

A loan records its product's terms, this rule among them, when it is submitted, so its
journal is always posted by the rule it was made under, whatever the product says today.

Cash basis: interest, fees and penalty are income when they are paid. Accrual basis:
they are receivable first. Charges (late fees, penalty interest) are receivable from
the day they are charged; interest from close of business at each month end, which
recognises what has been earned by then (see `domain.accounting.month_end`), and
payments settle the receivables.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import Field

from domain.accounting.chart import AccountType, checked_account_code
from domain.arrears import Classification
from domain.errors import InvalidTransition, InvalidValue
from domain.model import Immutable


class Basis(StrEnum):
    CASH = "cash"
    ACCRUAL = "accrual"


class Role(StrEnum):
    """What a posting line is for; the rule says which account that is."""

    FUND_SOURCE = "fund_source"
    LOANS_NORMAL = "loans_normal"
    LOANS_SPECIAL_MENTION = "loans_special_mention"
    LOANS_SUBSTANDARD = "loans_substandard"
    LOANS_DOUBTFUL = "loans_doubtful"
    LOANS_LOSS = "loans_loss"
    INTEREST_RECEIVABLE = "interest_receivable"
    FEE_RECEIVABLE = "fee_receivable"
    PENALTY_RECEIVABLE = "penalty_receivable"
    INTEREST_INCOME = "interest_income"
    FEE_INCOME = "fee_income"
    PENALTY_INCOME = "penalty_income"
    RECOVERY_INCOME = "recovery_income"
    LOAN_LOSS_RESERVE = "loan_loss_reserve"
    IMPAIRMENT_LOSS = "impairment_loss"
    BORROWER_CREDIT = "borrower_credit"


LOANS_BY_CLASS: dict[Classification, Role] = {
    Classification.NORMAL: Role.LOANS_NORMAL,
    Classification.SPECIAL_MENTION: Role.LOANS_SPECIAL_MENTION,
    Classification.SUBSTANDARD: Role.LOANS_SUBSTANDARD,
    Classification.DOUBTFUL: Role.LOANS_DOUBTFUL,
    Classification.LOSS: Role.LOANS_LOSS,
}
LOAN_ROLES = tuple(LOANS_BY_CLASS.values())
RECEIVABLES = (Role.INTEREST_RECEIVABLE, Role.FEE_RECEIVABLE, Role.PENALTY_RECEIVABLE)
INCOMES = (Role.INTEREST_INCOME, Role.FEE_INCOME, Role.PENALTY_INCOME)

# The roles each kind of posting needs, by basis.
POSTINGS: dict[str, dict[Basis, tuple[Role, ...]]] = {
    "disbursement": dict.fromkeys(Basis, (Role.FUND_SOURCE, Role.LOANS_NORMAL, Role.FEE_INCOME)),
    "repayment": {
        Basis.CASH: (Role.FUND_SOURCE, *LOAN_ROLES, *INCOMES, Role.BORROWER_CREDIT),
        Basis.ACCRUAL: (Role.FUND_SOURCE, *LOAN_ROLES, *RECEIVABLES, Role.BORROWER_CREDIT),
    },
    "charge": {Basis.CASH: (), Basis.ACCRUAL: (*RECEIVABLES[1:], *INCOMES[1:])},
    "waiver": {Basis.CASH: (), Basis.ACCRUAL: (*RECEIVABLES, *INCOMES)},
    "accrual": {Basis.CASH: (), Basis.ACCRUAL: (Role.INTEREST_RECEIVABLE, Role.INTEREST_INCOME)},
    "reclassification": dict.fromkeys(Basis, LOAN_ROLES),
    "provision": dict.fromkeys(Basis, (Role.IMPAIRMENT_LOSS, Role.LOAN_LOSS_RESERVE)),
    "write_off": {
        Basis.CASH: (Role.LOAN_LOSS_RESERVE, *LOAN_ROLES),
        Basis.ACCRUAL: (Role.LOAN_LOSS_RESERVE, *LOAN_ROLES, Role.IMPAIRMENT_LOSS, *RECEIVABLES),
    },
    "refund": dict.fromkeys(Basis, (Role.BORROWER_CREDIT, Role.FUND_SOURCE)),
    "recovery": dict.fromkeys(
        Basis, (Role.FUND_SOURCE, Role.RECOVERY_INCOME, Role.BORROWER_CREDIT)
    ),
}

# The type of account each role must post to.
ROLE_TYPES: dict[Role, AccountType] = {
    **dict.fromkeys((Role.FUND_SOURCE, *LOAN_ROLES, *RECEIVABLES), AccountType.ASSET),
    Role.LOAN_LOSS_RESERVE: AccountType.ASSET,  # a contra account: it holds credits
    **dict.fromkeys((*INCOMES, Role.RECOVERY_INCOME), AccountType.INCOME),
    Role.IMPAIRMENT_LOSS: AccountType.EXPENSE,
    Role.BORROWER_CREDIT: AccountType.LIABILITY,
}

DEFAULT_ACCOUNTS: dict[Role, str] = {
    Role.FUND_SOURCE: "1002",
    Role.LOANS_NORMAL: "130101",
    Role.LOANS_SPECIAL_MENTION: "130102",
    Role.LOANS_SUBSTANDARD: "130103",
    Role.LOANS_DOUBTFUL: "130104",
    Role.LOANS_LOSS: "130105",
    Role.INTEREST_RECEIVABLE: "1132",
    Role.FEE_RECEIVABLE: "1221",
    Role.PENALTY_RECEIVABLE: "1221",
    Role.INTEREST_INCOME: "6011",
    Role.FEE_INCOME: "6021",
    Role.PENALTY_INCOME: "6051",
    Role.RECOVERY_INCOME: "6301",
    Role.LOAN_LOSS_RESERVE: "1304",
    Role.IMPAIRMENT_LOSS: "6701",
    Role.BORROWER_CREDIT: "2241",
}


class AccountingRule(Immutable):
    """The basis and each role's account code. A product defined without one gets the
    default chart's accounts on the accrual basis (企业会计准则 accrue income); so do the
    loans submitted before products had rules."""

    basis: Basis = Basis.ACCRUAL
    accounts: dict[Role, str] = Field(default_factory=lambda: dict(DEFAULT_ACCOUNTS))

    def checked(self) -> AccountingRule:
        """Refuse a rule that leaves a posting its basis makes without an account."""
        accounts = {
            role: checked_account_code(code, f"accounting.accounts.{role.value}")
            for role, code in self.accounts.items()
        }
        for posting, needs in POSTINGS.items():
            for role in needs[self.basis]:
                if role not in accounts:
                    raise InvalidValue(
                        f"accounting.accounts.{role.value}",
                        f"a {posting} posting on the {self.basis.value} basis needs an account",
                    )
        return AccountingRule(basis=self.basis, accounts=accounts)

    def check_accounts(self, chart: Mapping[str, tuple[AccountType, bool]]) -> None:
        """Refuse a rule naming an account the chart (code -> type, closed) lacks, has
        closed, or holds as another type than the role posts to."""
        for role, code in self.accounts.items():
            field = f"accounting.accounts.{role.value}"
            found = chart.get(code)
            if found is None:
                raise InvalidValue(field, f"no account has code {code}")
            kind, closed = found
            if kind is not ROLE_TYPES[role]:
                raise InvalidValue(field, f"must be an account of type {ROLE_TYPES[role].value}")
            if closed:
                raise InvalidTransition(f"post {role.value} to {code}", "the account is closed")

    def account(self, role: Role) -> str:
        return self.accounts[role]

    def codes(self) -> set[str]:
        return set(self.accounts.values())


DEFAULT_RULE = AccountingRule()
