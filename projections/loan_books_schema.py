"""The tables of the `loan_books` read model (projections/loan_books.py), and the SQL views
that keep the names analysts and queries rely on.

Tables (written by `loan_books` alone):
  loan_books: one row per loan from its submission (rejected and withdrawn applications
    are dropped). loan_id; position (event store position of the disbursement: orders
    lists; null until disbursed); borrower_id, product_code, region, officer,
    borrower_kind (as recorded at application); status (submitted|active|closed|
    written_off); disbursed_on (value date), disbursement_month ('YYYY-MM'),
    disbursed_amount; outstanding_principal (0 until disbursed and once written off),
    collected_amount (everything repaid, after reversals), written_off_principal,
    written_off_on (value date of the write-off); oldest_unpaid_due_date (the DPD basis:
    earliest installment with principal or interest unpaid, due or not, as the loan's
    last event recorded it); days_past_due, bucket, classification, delinquency_since
    (as close of business or a cure last recorded them: 0, current, normal and null
    before any); next_review (the first business date close of business must look at
    the loan: its bucket or classification may change, a late fee fall due or penalty be
    crystallised; null unless active); late_fee_lag (days from a due date to its late
    fee, as the loan's penalty terms say; null without a late fee), accrues_penalty
    (overdue principal earns penalty interest); version (of the loan aggregate at its
    last money event).
  loan_book_installments: every column of `installments` below, and owed_principal,
    owed_interest, owed_fee, owed_penalty (what is still outstanding), paid_off_on (value
    date of the payment that cleared it; null while anything is owed).
  loan_book_segments: each disbursed loan's books and delinquency as they stood at the
    close of every business date, one row per range of business dates over which
    neither changed. loan_id; valid_from, valid_to (exclusive; null while current);
    books_from, books_to: the range the books stood so over (the row of
    `arrears_history` it belongs to: a range is split where the bucket or tier
    changes); the other columns of `arrears_history`; days_past_due (on valid_from),
    bucket and classification (all through valid_to, as domain.loan.delinquency works
    them out from oldest_unpaid_due_date: DPD grows by a day a day once it is past due);
    next_change (on the current row: the business date its bucket or tier next changes
    if nothing is paid, when the row is split again; null otherwise).
  loan_book_segment_installments: loan_id, valid_from (the books_from of the rows it
    belongs to), installments (jsonb, as `arrears_history_installments` has it).
  loan_books_calendar: business_date, the date close of business has reached (the one
    copy of it).

Views, with the names, columns and meanings of the read models they replace:
  installments (loan_id, number, due_date, principal, interest, fee, penalty, total,
    balance_after, paid_principal, paid_interest, paid_fee, paid_penalty, status,
    version, updated_at): see projections/installments.py.
  arrears, arrears_installments, arrears_calendar: see projections/arrears.py.
  arrears_history, arrears_history_installments, arrears_history_calendar: see
    projections/as_of.py.
  portfolio_loans, portfolio_applications: see projections/portfolio.py.
"""

from __future__ import annotations

from projections import loan_book_charges as charges
from projections.migrations import drop_tables, rebuild_if_it_has, retire

TABLES = (
    "loan_books", "loan_book_installments", "loan_book_segments",
    "loan_book_segment_installments", "loan_books_calendar", *charges.TABLES,
)  # fmt: skip
INSTALLMENT_COLUMNS = (
    "loan_id", "number", "due_date", "principal", "interest", "fee", "penalty", "total",
    "balance_after", "paid_principal", "paid_interest", "paid_fee", "paid_penalty",
    "status", "version", "updated_at",
)  # fmt: skip
# What a segment copies of the loan's books (loan_books columns).
SEGMENT_BOOKS = (
    "position", "status", "outstanding_principal", "disbursed_amount", "collected_amount",
    "oldest_unpaid_due_date", "product_code", "region", "officer", "borrower_kind",
    "disbursement_month", *charges.SEGMENT_FEES,
)  # fmt: skip
SEGMENT_COLUMNS = ("loan_id", "valid_from", "valid_to", *SEGMENT_BOOKS)  # arrears_history
PORTFOLIO_COLUMNS = (
    "loan_id", "product_code", "region", "officer", "borrower_kind", "disbursement_month",
    "disbursed_on", "status", "disbursed_amount", "outstanding_principal",
    "collected_amount", "written_off_principal", "version",
)  # fmt: skip
VIEWS = {
    "installments": f"SELECT {', '.join(INSTALLMENT_COLUMNS)} FROM loan_book_installments",
    "arrears": """SELECT loan_id, position, status = 'active' AS active,
        oldest_unpaid_due_date, days_past_due, bucket, classification, delinquency_since,
        next_review AS next_delinquency_change, late_fee_lag, accrues_penalty
        FROM loan_books WHERE position IS NOT NULL""",
    "arrears_installments": """SELECT loan_id, number, due_date, owed_principal AS principal,
        owed_interest AS interest, owed_fee AS fee, owed_penalty AS penalty
        FROM loan_book_installments""",
    "arrears_calendar": "SELECT business_date FROM loan_books_calendar",
    "arrears_history": f"""SELECT loan_id, books_from AS valid_from, books_to AS valid_to,
        {", ".join(SEGMENT_BOOKS)} FROM loan_book_segments WHERE valid_from = books_from""",
    "arrears_history_installments": "SELECT loan_id, valid_from, installments"
    " FROM loan_book_segment_installments",
    "arrears_history_calendar": "SELECT business_date FROM loan_books_calendar",
    "portfolio_loans": f"SELECT {', '.join(PORTFOLIO_COLUMNS)} FROM loan_books"
    " WHERE position IS NOT NULL",
    "portfolio_applications": """SELECT loan_id, product_code, region, officer, borrower_kind
        FROM loan_books WHERE position IS NULL""",
}

SCHEMA = (
    # A store written before: the read models this one replaces, their tables and positions.
    retire("installments", "arrears", "arrears_history", "portfolio"),
    # A store whose segments held their installments and no delinquency: built again.
    rebuild_if_it_has("loan_books", "loan_book_segments", "installments", TABLES),
    drop_tables(*VIEWS, "arrears_history_applications"),
    """CREATE TABLE IF NOT EXISTS loan_books (
        loan_id uuid PRIMARY KEY,
        position bigint UNIQUE,
        borrower_id uuid NOT NULL,
        product_code text NOT NULL,
        region text NOT NULL,
        officer text NOT NULL,
        borrower_kind text NOT NULL,
        status text NOT NULL,
        disbursed_on date,
        disbursement_month text,
        disbursed_amount numeric,
        outstanding_principal numeric NOT NULL,
        collected_amount numeric,
        written_off_principal numeric,
        written_off_on date,
        oldest_unpaid_due_date date,
        days_past_due integer NOT NULL DEFAULT 0,
        bucket text NOT NULL DEFAULT 'current',
        classification text NOT NULL DEFAULT 'normal',
        delinquency_since date,
        next_review date,
        late_fee_lag integer,
        accrues_penalty boolean NOT NULL DEFAULT false,
        version integer NOT NULL
    )""",
    # Close of business: the loans due for review, and those in arrears (risk rules).
    """CREATE INDEX IF NOT EXISTS loan_books_review ON loan_books (next_review)
        WHERE status = 'active'""",
    """CREATE INDEX IF NOT EXISTS loan_books_in_arrears ON loan_books (oldest_unpaid_due_date)
        WHERE status = 'active'""",
    "CREATE INDEX IF NOT EXISTS loan_books_bucket ON loan_books (bucket, position)",
    """CREATE TABLE IF NOT EXISTS loan_book_installments (
        loan_id uuid NOT NULL,
        number integer NOT NULL,
        due_date date NOT NULL,
        principal numeric NOT NULL,
        interest numeric NOT NULL,
        fee numeric NOT NULL,
        penalty numeric NOT NULL,
        total numeric NOT NULL,
        balance_after numeric NOT NULL,
        paid_principal numeric NOT NULL,
        paid_interest numeric NOT NULL,
        paid_fee numeric NOT NULL,
        paid_penalty numeric NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        owed_principal numeric NOT NULL,
        owed_interest numeric NOT NULL,
        owed_fee numeric NOT NULL,
        owed_penalty numeric NOT NULL,
        paid_off_on date,
        PRIMARY KEY (loan_id, number)
    )""",
    # Close of business and the upcoming-installments list look up installments by due date.
    """CREATE INDEX IF NOT EXISTS loan_book_installments_due
        ON loan_book_installments (due_date, status)""",
    """CREATE INDEX IF NOT EXISTS loan_book_installments_first_unpaid
        ON loan_book_installments (due_date)
        WHERE number = 1 AND owed_principal + owed_interest > 0""",
    """CREATE TABLE IF NOT EXISTS loan_book_segments (
        loan_id uuid NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        books_from date NOT NULL,
        books_to date,
        position bigint NOT NULL,
        status text NOT NULL,
        outstanding_principal numeric NOT NULL,
        disbursed_amount numeric NOT NULL,
        collected_amount numeric NOT NULL,
        oldest_unpaid_due_date date,
        product_code text NOT NULL,
        region text NOT NULL,
        officer text NOT NULL,
        borrower_kind text NOT NULL,
        disbursement_month text NOT NULL,
        days_past_due integer NOT NULL,
        bucket text NOT NULL,
        classification text NOT NULL,
        next_change date,
        PRIMARY KEY (loan_id, valid_from)
    )""",
    """CREATE UNIQUE INDEX IF NOT EXISTS loan_book_segments_current
        ON loan_book_segments (loan_id) WHERE valid_to IS NULL""",
    # `arrears(asOf)` pages through the loans in disbursement order.
    """CREATE INDEX IF NOT EXISTS loan_book_segments_position
        ON loan_book_segments (position, valid_from)""",
    # Closing a day splits the current rows whose bucket or tier changes that day.
    """CREATE INDEX IF NOT EXISTS loan_book_segments_next_change
        ON loan_book_segments (next_change) WHERE valid_to IS NULL""",
    # Apart, so that the rows a date's figures scan stay narrow.
    """CREATE TABLE IF NOT EXISTS loan_book_segment_installments (
        loan_id uuid NOT NULL,
        valid_from date NOT NULL,
        installments jsonb NOT NULL,
        PRIMARY KEY (loan_id, valid_from)
    )""",
    "CREATE TABLE IF NOT EXISTS loan_books_calendar (business_date date NOT NULL)",
    *charges.SCHEMA,  # charges, waivers and fee columns: projections/loan_book_charges.py
    *(f"CREATE OR REPLACE VIEW {name} AS {query}" for name, query in VIEWS.items()),
)
