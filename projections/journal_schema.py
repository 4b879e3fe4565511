"""The tables of the `journal` read model (projections/journal.py).

Tables analysts can rely on (amounts numeric at the currency's minor unit):
  ledger_accounts: code (primary key), name, type (asset|liability|equity|income|
    expense), parent (the parent account's code, or null), closed, position (of the
    opening).
  journal_entries: one row per posting. id ("<position>-<n>": the n-th entry the event
    at that store position posted), position, seq (n), kind (disbursement|repayment|
    recovery|charge|waiver|write_off|reclassification|month_end|refund|reversal|manual),
    event_type
    (the event's class, e.g. Loan.RepaymentAllocated), value_date (when it took effect),
    posting_date (the value date, or the first open day when that fell in a closed
    month), loan_id (null for a manual entry), subject (what a later change may take
    back: a payment id, a waiver id "waiver:<n>", "write_off"), reverses (the id of the
    entry a reversal takes back), actor, narration, recorded_at (the event's time),
    office (the office the entry belongs to: its loan's, recorded at the application,
    which no transfer or reassignment moves; the head office's for a loan applied for
    before offices were; a manual entry's own, the head office's for one posted before
    manual entries recorded it).
  journal_lines: entry_id, line (1, 2, ...), account (code), role (the posting role of
    the loan's rule; null on manual entries), debit, credit, and the entry's loan_id,
    value_date, posting_date, position, seq and office, copied so a ledger is one scan.
  journal_totals: account, posting_date, office, debits, credits: the day's totals per
    account and office (a trial balance is a sum over them; an office's, over its own
    and those below it).
  journal_month_ends: what close of business decided per loan at a month end, as
    `MonthEnd.LoansAccounted` recorded it: loan_id, value_date, earned_interest
    (interest recognised to date), accrued_interest (this month's change), non_accrual,
    classification, principal, provision_rate, required_reserve, provision (this
    month's change), position.

Bookkeeping of the posting rules (not for analysts): journal_loans (each loan's rule,
office, class, write-off date and the facts its month ends need), journal_loan_balances (each
loan's balance, debits less credits, per role), journal_open_items (the entry each
payment or charge last posted, which a change reverses), journal_periods (the first
open day).
"""

from __future__ import annotations

from projections.migrations import rebuild_unless_it_has

TABLES = (
    "ledger_accounts", "journal_entries", "journal_lines", "journal_totals",
    "journal_month_ends", "journal_loans", "journal_loan_balances", "journal_open_items",
    "journal_periods",
)  # fmt: skip

SCHEMA = (
    # Made before entries recorded their office: only the store knows each loan's.
    rebuild_unless_it_has("journal", "journal_entries", "office", TABLES),
    """CREATE TABLE IF NOT EXISTS ledger_accounts (
        code text PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL,
        parent text,
        closed boolean NOT NULL DEFAULT false,
        position bigint NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS journal_entries (
        id text PRIMARY KEY,
        position bigint NOT NULL,
        seq integer NOT NULL,
        kind text NOT NULL,
        event_type text NOT NULL,
        value_date date NOT NULL,
        posting_date date NOT NULL,
        loan_id uuid,
        subject text,
        reverses text,
        actor text NOT NULL,
        narration text NOT NULL,
        recorded_at timestamptz NOT NULL,
        office uuid NOT NULL,
        UNIQUE (position, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS journal_entries_loan ON journal_entries (loan_id, position)",
    """CREATE TABLE IF NOT EXISTS journal_lines (
        entry_id text NOT NULL,
        line integer NOT NULL,
        account text NOT NULL,
        role text,
        debit numeric NOT NULL,
        credit numeric NOT NULL,
        loan_id uuid,
        value_date date NOT NULL,
        posting_date date NOT NULL,
        position bigint NOT NULL,
        seq integer NOT NULL,
        office uuid NOT NULL,
        PRIMARY KEY (entry_id, line)
    )""",
    """CREATE INDEX IF NOT EXISTS journal_lines_ledger
        ON journal_lines (account, posting_date, position, seq, line)""",
    "CREATE INDEX IF NOT EXISTS journal_lines_loan ON journal_lines (loan_id, value_date)",
    """CREATE TABLE IF NOT EXISTS journal_totals (
        account text NOT NULL,
        posting_date date NOT NULL,
        office uuid NOT NULL,
        debits numeric NOT NULL,
        credits numeric NOT NULL,
        PRIMARY KEY (account, posting_date, office)
    )""",
    """CREATE TABLE IF NOT EXISTS journal_month_ends (
        loan_id uuid NOT NULL,
        value_date date NOT NULL,
        earned_interest numeric NOT NULL,
        accrued_interest numeric NOT NULL,
        non_accrual boolean NOT NULL,
        classification text NOT NULL,
        principal numeric NOT NULL,
        provision_rate numeric NOT NULL,
        required_reserve numeric NOT NULL,
        provision numeric NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (loan_id, value_date)
    )""",
    """CREATE TABLE IF NOT EXISTS journal_loans (
        loan_id uuid PRIMARY KEY,
        rule jsonb NOT NULL,
        basis text NOT NULL,
        office uuid NOT NULL,
        classification text NOT NULL DEFAULT 'normal',
        written_off_on date,
        day_count text,
        rounding text,
        minor_unit integer,
        disbursed_on date,
        recognised_interest numeric NOT NULL DEFAULT 0,
        last_month_end date
    )""",
    """CREATE TABLE IF NOT EXISTS journal_loan_balances (
        loan_id uuid NOT NULL,
        role text NOT NULL,
        balance numeric NOT NULL,
        PRIMARY KEY (loan_id, role)
    )""",
    """CREATE TABLE IF NOT EXISTS journal_open_items (
        loan_id uuid NOT NULL,
        subject text NOT NULL,
        entry_id text NOT NULL,
        PRIMARY KEY (loan_id, subject)
    )""",
    "CREATE TABLE IF NOT EXISTS journal_periods (first_open_day date NOT NULL)",
)
