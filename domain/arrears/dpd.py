"""Days past due.

What counts: an installment is unpaid while any of its principal or interest is
outstanding (`PAST_DUE_COMPONENTS`). Fees and penalties are left out by default: they
hang on an installment but are due from their own value date, and unpaid penalty interest
alone must not keep a cured loan ageing into loss. Pass `components` to count them.

An installment is past due from the day after its due date: due 2026-03-31 → 0 DPD on
2026-03-31, 1 DPD on 2026-04-01. DPD counts calendar days from the oldest unpaid one.
DPD as of a date needs the installments as of that date, i.e. with only the payments and
charges valued on or before it (domain.loan.delinquency.assess).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from domain.ledger.model import Component, InstallmentState

PAST_DUE_COMPONENTS = frozenset({Component.PRINCIPAL, Component.INTEREST})


def unpaid_due_dates(
    installments: Iterable[InstallmentState],
    components: frozenset[Component] = PAST_DUE_COMPONENTS,
) -> list[date]:
    """The due dates of the installments with `components` outstanding, due or not."""
    return [
        item.due_date
        for item in installments
        if sum((item.outstanding.get(c) for c in components), Decimal(0)) > 0
    ]


def oldest_unpaid_due_date(
    installments: Iterable[InstallmentState],
    components: frozenset[Component] = PAST_DUE_COMPONENTS,
) -> date | None:
    """The earliest due date of an installment with `components` outstanding, due or not."""
    return min(unpaid_due_dates(installments, components), default=None)


def dpd_since(oldest_unpaid: date | None, on: date) -> int:
    """DPD on `on` when `oldest_unpaid` is the due date of the oldest unpaid installment."""
    if oldest_unpaid is None:
        return 0
    return max(0, (on - oldest_unpaid).days)
