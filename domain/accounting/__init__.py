"""The general ledger's domain: accounts, accounting rules, posting rules, periods and
month ends. Posting rules are pure functions (`postings`); the journal read model applies
them to what the loan events recorded."""

from domain.accounting.chart import (
    DEFAULT_CHART,
    Account,
    AccountDefinition,
    AccountType,
    account_id,
    checked_account_code,
)
from domain.accounting.entries import EntryKind, JournalEntry, Line, posting_date, reversal
from domain.accounting.manual import ManualEntry
from domain.accounting.month_end import (
    AccountingPolicy,
    CurrentPeriod,
    LoanFacts,
    LoanMonthEnd,
    month_end,
)
from domain.accounting.periods import (
    PERIODS_ID,
    AccountingPeriods,
    MonthEnd,
    checked_month,
    is_month_end,
    last_day,
    month_end_id,
    month_of,
)
from domain.accounting.rules import DEFAULT_RULE, AccountingRule, Basis, Role

__all__ = [
    "DEFAULT_CHART",
    "DEFAULT_RULE",
    "PERIODS_ID",
    "Account",
    "AccountDefinition",
    "AccountType",
    "AccountingPeriods",
    "AccountingPolicy",
    "AccountingRule",
    "Basis",
    "CurrentPeriod",
    "EntryKind",
    "JournalEntry",
    "Line",
    "LoanFacts",
    "LoanMonthEnd",
    "ManualEntry",
    "MonthEnd",
    "Role",
    "account_id",
    "checked_account_code",
    "checked_month",
    "is_month_end",
    "last_day",
    "month_end",
    "month_end_id",
    "month_of",
    "posting_date",
    "reversal",
]
