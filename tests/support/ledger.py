"""The three-month loan the ledger tests share: 3000.00 at 12%, 1020.07 a month from
15 January 2024 (installments 30.00 + 990.07, 20.10 + 999.97, 10.10 + 1009.96)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

THREE_MONTHS = ScheduleTerms(
    principal=Decimal("3000.00"),
    annual_rate_percent=Decimal("12"),
    term=3,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)
SCHEDULE = generate_schedule(THREE_MONTHS)


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded to the fen, half to even, as the ledger rounds."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
