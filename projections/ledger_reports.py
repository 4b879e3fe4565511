"""Reports over the `journal` read model: accounts, trial balance, ledgers, statements.

Balances here are debits less credits (a credit balance is negative), by posting date.
A ledger of an account takes in its sub-accounts. Given `offices`, each answers only the
entries that belong to one of them (an office's subtree, or the caller's reach; empty:
none); None: the whole book. The async functions serve GraphQL; `export_rows` serves the
CLI's export on a plain connection.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.accounting import AccountType
from domain.accounting.statements import AccountTotals
from projections.reads import Row, fetch_all, fetch_one

ACCOUNTS = "SELECT code, name, type, parent, closed FROM ledger_accounts ORDER BY code"
# Rows of `table` (its alias) that belong to one of %(offices)s; null: every office.
OF_OFFICES = "(%(offices)s::uuid[] IS NULL OR {}office = ANY(%(offices)s::uuid[]))"
TOTALS = f"""SELECT t.account AS code, coalesce(a.name, t.account) AS name,
    coalesce(a.type, 'asset') AS type, sum(t.debits) AS debits, sum(t.credits) AS credits
FROM journal_totals t LEFT JOIN ledger_accounts a ON a.code = t.account
WHERE t.posting_date BETWEEN %(from)s AND %(to)s AND {OF_OFFICES.format("t.")}
GROUP BY t.account, a.name, a.type ORDER BY t.account"""
# The account and its sub-accounts, at any depth.
FAMILY = """(SELECT %(account)s::text UNION SELECT code FROM ledger_accounts
    WHERE code LIKE %(account)s || '%%')"""
LEDGER_PAGE = f"""SELECT l.entry_id, l.line, l.account, l.debit, l.credit, l.posting_date,
    l.value_date, l.position, l.seq, l.loan_id, l.office, e.kind, e.event_type, e.actor,
    e.narration, e.reverses
FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
WHERE l.account IN {FAMILY} AND l.posting_date BETWEEN %(from)s AND %(to)s
    AND {OF_OFFICES.format("l.")}
    AND (l.posting_date, l.position, l.seq, l.line) > (%(day)s, %(position)s, %(seq)s, %(line)s)
ORDER BY l.posting_date, l.position, l.seq, l.line LIMIT %(limit)s"""
BEFORE_PAGE = f"""SELECT opening, opening + (SELECT coalesce(sum(debit - credit), 0)
        FROM journal_lines WHERE account IN {FAMILY} AND posting_date BETWEEN %(from)s AND %(to)s
        AND {OF_OFFICES.format("")}
        AND (posting_date, position, seq, line) <= (%(day)s, %(position)s, %(seq)s, %(line)s))
    AS before_page
FROM (SELECT coalesce(sum(debits - credits), 0) AS opening FROM journal_totals
    WHERE account IN {FAMILY} AND posting_date < %(from)s AND {OF_OFFICES.format("")}) o"""
ENTRIES = """SELECT e.id, e.position, e.seq, e.kind, e.event_type, e.value_date,
    e.posting_date, e.loan_id, e.subject, e.reverses, e.actor, e.narration, e.recorded_at,
    e.office, l.line, l.account, l.role, l.debit, l.credit
FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
WHERE {where} ORDER BY e.position, e.seq, l.line"""
# A key before every line of a ledger: (posting date, position, seq, line).
START = (date(1, 1, 1), 0, 0, 0)
LedgerKey = tuple[date, int, int, int]
Offices = Collection[UUID] | None


def _listed(offices: Offices) -> list[UUID] | None:
    return None if offices is None else list(offices)


def account_totals(rows: list[Row]) -> list[AccountTotals]:
    return [
        AccountTotals(r["code"], r["name"], AccountType(r["type"]), r["debits"], r["credits"])
        for r in rows
    ]


async def accounts(pool: AsyncConnectionPool) -> list[Row]:
    return await fetch_all(pool, ACCOUNTS)


async def totals(
    pool: AsyncConnectionPool, since: date, until: date, offices: Offices = None
) -> list[AccountTotals]:
    """Each account's debits and credits posted from `since` to `until` (inclusive)."""
    rows = await fetch_all(pool, TOTALS, {"from": since, "to": until, "offices": _listed(offices)})
    return account_totals(rows)


async def ledger_page(
    pool: AsyncConnectionPool,
    account: str,
    since: date,
    until: date,
    after: LedgerKey | None,
    limit: int,
    offices: Offices = None,
) -> tuple[Decimal, Decimal, list[Row]]:
    """The balance before `since`, the balance before the page, and up to `limit` lines
    of the account's ledger after `after`."""
    day, position, seq, line = after or START
    params = {"account": account, "from": since, "to": until, "day": day,
              "position": position, "seq": seq, "line": line, "limit": limit,
              "offices": _listed(offices)}  # fmt: skip
    before = await fetch_one(pool, BEFORE_PAGE, params)
    assert before is not None
    rows = await fetch_all(pool, LEDGER_PAGE, params)
    return before["opening"], before["before_page"], rows


async def loan_entries(pool: AsyncConnectionPool, loan_id: UUID) -> list[Row]:
    """The loan's entries, each line a row, in the order they were posted."""
    return await fetch_all(pool, ENTRIES.format(where="e.loan_id = %s"), (loan_id,))


def export_rows(
    cursor: Cursor[DictRow], since: date, until: date, offices: Offices = None
) -> tuple[list[dict[str, Any]], list[AccountTotals]]:
    """The lines posted from `since` to `until`, and the trial balance at `until`."""
    params = {"from": since, "to": until, "offices": _listed(offices)}
    where = f"e.posting_date BETWEEN %(from)s AND %(to)s AND {OF_OFFICES.format('e.')}"
    cursor.execute(ENTRIES.format(where=where), params)
    lines = cursor.fetchall()
    cursor.execute(TOTALS, params | {"from": START[0]})
    return lines, account_totals(cursor.fetchall())
