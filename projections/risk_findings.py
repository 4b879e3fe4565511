"""What the risk rules find on a business date, from the `risk_warnings` read model (the
warnings raised, the broken promises) and the `loan_books` one (each loan's money).

Each rule is one indexed, set-based query that returns only candidates not yet warned
about (the unique (rule, subject, threshold) index answers that); the domain's rules
then decide and word each finding. Work grows with the loans in arrears, the
installments falling due that day and the warnings to raise, not with the portfolio.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.risk import (
    DueInstallment,
    Finding,
    RiskPolicy,
    WarningRule,
    broken_promise,
    concentrated,
    dpd_reached,
    exposure_over_limit,
    first_payment_default,
    repeatedly_late,
)
from projections.risk_warnings import RiskWarningsView


def _raised(rule: WarningRule, subject: str, threshold: str) -> str:
    """SQL: a warning of `rule` on `subject` at `threshold` exists."""
    return (
        f"EXISTS (SELECT 1 FROM risk_warnings w WHERE w.rule = '{rule.value}'"
        f" AND w.subject = {subject} AND w.threshold = {threshold})"
    )


DPD = f"""
SELECT l.loan_id, l.borrower_id, l.oldest_unpaid_due_date AS oldest,
    ARRAY(SELECT w.threshold::integer FROM risk_warnings w
          WHERE w.rule = 'dpd_threshold' AND w.subject = l.loan_id::text) AS raised
FROM loan_books l
WHERE l.status = 'active' AND l.oldest_unpaid_due_date <= %(latest)s
AND l.written_off_on IS NULL
AND EXISTS (SELECT 1 FROM unnest(%(thresholds)s::integer[]) AS t(days)
            WHERE l.oldest_unpaid_due_date <= %(day)s::date - t.days
            AND NOT {_raised(WarningRule.DPD_THRESHOLD, "l.loan_id::text", "t.days")})
"""

FIRST_PAYMENT = f"""
SELECT i.loan_id, l.borrower_id, i.due_date, i.owed_principal + i.owed_interest AS unpaid
FROM loan_book_installments i
JOIN loan_books l ON l.loan_id = i.loan_id AND l.status = 'active' AND l.written_off_on IS NULL
WHERE i.number = 1 AND i.owed_principal + i.owed_interest > 0 AND i.due_date <= %(latest)s
AND NOT {_raised(WarningRule.FIRST_PAYMENT_DEFAULT, "i.loan_id::text", "%(days)s")}
"""

# Lateness among the last installments changes when one falls due (yesterday's) or
# while one is overdue; the count is repeated here only to keep the rows few.
REPEATED_LATE = f"""
SELECT c.loan_id, l.borrower_id, last.numbers, last.due_dates, last.paid_off_ons
FROM (SELECT loan_id FROM loan_book_installments WHERE due_date = %(yesterday)s
      UNION SELECT loan_id FROM loan_books
      WHERE status = 'active' AND oldest_unpaid_due_date < %(day)s) c
JOIN loan_books l ON l.loan_id = c.loan_id AND l.status = 'active' AND l.written_off_on IS NULL
CROSS JOIN LATERAL (
    SELECT array_agg(number) AS numbers, array_agg(due_date) AS due_dates,
        array_agg(paid_off_on) AS paid_off_ons,
        count(*) FILTER (WHERE paid_off_on IS NULL OR paid_off_on > due_date) AS late
    FROM (SELECT number, due_date, paid_off_on FROM loan_book_installments i
          WHERE i.loan_id = c.loan_id AND i.due_date < %(day)s
          ORDER BY i.due_date DESC LIMIT %(window)s) recent
) last
WHERE last.late >= %(count)s
AND NOT {_raised(WarningRule.REPEATED_LATE, "c.loan_id::text", "%(count)s")}
"""

BROKEN_PROMISES = f"""
SELECT loan_id, borrower_id, number, promised_date, promised_amount, paid_amount
FROM risk_broken_promises p
WHERE NOT {_raised(WarningRule.BROKEN_PROMISE, "p.loan_id::text", "p.number")}
"""

EXPOSURES = f"""
SELECT borrower_id, outstanding_principal FROM risk_exposures e
WHERE outstanding_principal > %(limit)s
AND NOT {_raised(WarningRule.EXPOSURE_LIMIT, "e.borrower_id::text", "%(limit)s")}
"""

CONCENTRATIONS = f"""
SELECT dimension, value, outstanding_principal, total FROM (
    SELECT dimension, value, outstanding_principal,
        sum(outstanding_principal) OVER (PARTITION BY dimension) AS total
    FROM risk_concentrations) c
WHERE NOT {
    _raised(
        WarningRule.CONCENTRATION,
        "c.dimension || ':' || c.value",
        "CASE c.dimension WHEN 'region' THEN %(region)s ELSE %(product)s END",
    )
}
"""


def risk_findings(view: RiskWarningsView, day: date, policy: RiskPolicy) -> list[Finding]:
    """Every finding on business date `day` that has not been raised as a warning yet."""
    with view.datastore.transaction(commit=False) as cursor:
        return [
            *_dpd(cursor, day, policy),
            *_first_payment(cursor, day, policy),
            *_repeated_late(cursor, day, policy),
            *_broken_promises(cursor),
            *_exposures(cursor, policy),
            *_concentrations(cursor, policy),
        ]


def _dpd(cursor: Cursor[DictRow], day: date, policy: RiskPolicy) -> Iterator[Finding]:
    thresholds = list(policy.dpd_thresholds)
    latest = day - timedelta(days=thresholds[0])
    cursor.execute(DPD, {"day": day, "latest": latest, "thresholds": thresholds})
    for row in cursor.fetchall():
        yield from dpd_reached(
            row["loan_id"], row["borrower_id"], row["oldest"], day, thresholds, row["raised"]
        )


def _first_payment(cursor: Cursor[DictRow], day: date, policy: RiskPolicy) -> Iterator[Finding]:
    days = policy.first_payment_default_days
    cursor.execute(FIRST_PAYMENT, {"latest": day - timedelta(days=days), "days": days})
    for row in cursor.fetchall():
        found = first_payment_default(
            row["loan_id"], row["borrower_id"], row["due_date"], row["unpaid"], day, days
        )
        if found:
            yield found


def _repeated_late(cursor: Cursor[DictRow], day: date, policy: RiskPolicy) -> Iterator[Finding]:
    window, count = policy.late_window, policy.late_count
    yesterday = day - timedelta(days=1)
    cursor.execute(
        REPEATED_LATE, {"day": day, "yesterday": yesterday, "window": window, "count": count}
    )
    for row in cursor.fetchall():
        installments = [
            DueInstallment(number, due_date, paid_off_on)
            for number, due_date, paid_off_on in zip(
                row["numbers"], row["due_dates"], row["paid_off_ons"], strict=True
            )
        ]
        found = repeatedly_late(
            row["loan_id"], row["borrower_id"], installments, day, window, count
        )
        if found:
            yield found


def _broken_promises(cursor: Cursor[DictRow]) -> Iterator[Finding]:
    cursor.execute(BROKEN_PROMISES)
    for row in cursor.fetchall():
        yield broken_promise(
            row["loan_id"], row["borrower_id"], row["number"], row["promised_date"],
            row["promised_amount"], row["paid_amount"],
        )  # fmt: skip


def _exposures(cursor: Cursor[DictRow], policy: RiskPolicy) -> Iterator[Finding]:
    limit = policy.exposure_limit
    cursor.execute(EXPOSURES, {"limit": limit})
    for row in cursor.fetchall():
        found = exposure_over_limit(row["borrower_id"], row["outstanding_principal"], limit)
        if found:
            yield found


def _concentrations(cursor: Cursor[DictRow], policy: RiskPolicy) -> Iterator[Finding]:
    shares = {"region": policy.region_share, "product": policy.product_share}
    cursor.execute(CONCENTRATIONS, shares)
    for row in cursor.fetchall():
        found = concentrated(
            row["dimension"], row["value"], row["outstanding_principal"], row["total"],
            shares[row["dimension"]], policy.concentration_floor,
        )  # fmt: skip
        if found:
            yield found
