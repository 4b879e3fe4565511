"""The chart of accounts: each account an aggregate, opened once under its code.

An account's id comes from its code, so two processes opening the same code race for
one aggregate at version 1 and the event store lets only one of them commit. Codes
follow 企业会计准则 (Accounting Standards for Business Enterprises): four digits for a
first-level account, two more for each sub-account (130103 is 1301's third).

Asset and expense accounts carry debit balances, the others credit balances; a contra
account (1304, the loan-loss reserve, is an asset account) simply holds the other side.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue
from domain.model import Aggregate, Immutable

ACCOUNT_NAMESPACE = UUID("3c0f9a6e-52d1-4b8e-a7c4-91e2d5f08b36")
ACCOUNT_CODE = re.compile(r"[0-9]{4}([0-9]{2}){0,3}")
NAME_LENGTH = 200


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Its balance is debits less credits (else credits less debits)."""
        return self in (AccountType.ASSET, AccountType.EXPENSE)


def account_id(code: str) -> UUID:
    return uuid5(ACCOUNT_NAMESPACE, code)


def checked_account_code(code: str, field: str = "code") -> str:
    code = code.strip()
    if not ACCOUNT_CODE.fullmatch(code):
        raise InvalidValue(field, "must be 4 digits, then 2 more for each sub-account level")
    return code


class AccountDefinition(Immutable):
    code: str
    name: str
    type: AccountType
    parent: str | None = None

    def checked(self) -> AccountDefinition:
        code = checked_account_code(self.code)
        name = self.name.strip()
        if not name or len(name) > NAME_LENGTH:
            raise InvalidValue("name", f"must be 1 to {NAME_LENGTH} characters")
        parent = None if self.parent is None else checked_account_code(self.parent, "parent")
        if parent is not None and not (code.startswith(parent) and len(code) == len(parent) + 2):
            raise InvalidValue("parent", f"a sub-account of {parent} is coded {parent}NN")
        return AccountDefinition(code=code, name=name, type=self.type, parent=parent)


class Account(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        definition: AccountDefinition
        closed: bool

    class Opened(Aggregate.Created):
        definition: AccountDefinition

        def apply(self, aggregate: Any) -> None:
            aggregate.definition = self.definition
            aggregate.closed = False

    @classmethod
    def open(
        cls, *, actor: str, definition: AccountDefinition, parent: Account | None = None
    ) -> Account:
        """Open an account; a sub-account needs its parent, open and of the same type."""
        checked = definition.checked()
        if checked.parent is not None:
            if parent is None or parent.code != checked.parent:
                raise InvalidValue("parent", f"no account has code {checked.parent}")
            if parent.closed:
                raise InvalidTransition("open a sub-account", f"account {parent.code} is closed")
            if parent.type is not checked.type:
                raise InvalidValue("type", f"must be {parent.type.value}, as account {parent.code}")
        return cls._create(cls.Opened, id=account_id(checked.code), actor=actor, definition=checked)

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def type(self) -> AccountType:
        return self.definition.type

    def close(self, *, actor: str, balance: Decimal, open_sub_accounts: int) -> None:
        """Close an account whose balance is nil and whose sub-accounts are closed: it
        takes no new mapping or manual entry from then on (loans keep the rule they
        recorded at submission)."""
        if self.closed:
            raise InvalidTransition("close the account", f"account {self.code} is closed")
        if balance != 0:
            raise InvalidTransition("close the account", f"its balance is {balance}")
        if open_sub_accounts:
            raise InvalidTransition("close the account", "it has open sub-accounts")
        self._closed(actor=actor, code=self.code)

    @event("Closed")
    def _closed(self, actor: str, code: str) -> None:
        self.closed = True


def _account(
    code: str, name: str, type_: AccountType, parent: str | None = None
) -> AccountDefinition:
    return AccountDefinition(code=code, name=name, type=type_, parent=parent)


ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = AccountType

# A small-loan company's chart, as a new store opens it.
DEFAULT_CHART: tuple[AccountDefinition, ...] = (
    _account("1002", "银行存款 Bank deposits", ASSET),
    _account("1132", "应收利息 Interest receivable", ASSET),
    _account("1221", "其他应收款 Fees and penalties receivable", ASSET),
    _account("1301", "贷款 Loans", ASSET),
    _account("130101", "贷款-正常 Loans, normal", ASSET, "1301"),
    _account("130102", "贷款-关注 Loans, special mention", ASSET, "1301"),
    _account("130103", "贷款-次级 Loans, substandard", ASSET, "1301"),
    _account("130104", "贷款-可疑 Loans, doubtful", ASSET, "1301"),
    _account("130105", "贷款-损失 Loans, loss", ASSET, "1301"),
    _account("1304", "贷款损失准备 Loan-loss reserve", ASSET),
    _account("2241", "其他应付款 Other payables (borrower credit)", LIABILITY),
    _account("4001", "实收资本 Paid-in capital", EQUITY),
    _account("4103", "本年利润 Profit for the year", EQUITY),
    _account("4104", "利润分配 Retained earnings", EQUITY),
    _account("6011", "利息收入 Interest income", INCOME),
    _account("6021", "手续费及佣金收入 Fee and commission income", INCOME),
    _account("6051", "其他业务收入 Penalty income", INCOME),
    _account("6301", "营业外收入 Recoveries of loans written off", INCOME),
    _account("6602", "业务及管理费 Operating expenses", EXPENSE),
    _account("6701", "资产减值损失 Impairment losses", EXPENSE),
)
