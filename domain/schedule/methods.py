"""How each repayment method splits the loan into (due date, principal, interest) rows.

Common rules: every amount is rounded per installment; the last row pays the whole
remaining balance and so absorbs every rounding remainder; a row never pays more
principal than is outstanding nor less than nothing, so an installment rounded below
its interest pays interest only, and one rounded up can settle the loan early (later
rows are then zero).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from domain.schedule.interest import (
    PeriodRates,
    annuity_factors,
    level_payment,
    period_rates,
    periodic_rate,
)
from domain.schedule.rounding import Rounder
from domain.schedule.terms import PERIODS_PER_YEAR, InterestCalculation, Method, ScheduleTerms

Row = tuple[date, Decimal, Decimal]  # due date, principal, interest


@dataclass(frozen=True, slots=True)
class Plan:
    """What every method needs, worked out once per schedule."""

    terms: ScheduleTerms
    dates: list[date]
    money: Rounder
    principal: Decimal  # quantized to the minor unit

    def round_level(self, level: Decimal) -> Decimal:
        """A level installment at the minor unit, or at the terms' multiple."""
        multiple = self.terms.installment_multiple
        return self.money(level) if multiple is None else self.money.to_multiple(level, multiple)


def equal_installments(plan: Plan) -> list[Row]:
    """Annuity: a level payment over the periods after grace; interest on the balance.

    When every period charges the nominal rate the payment is the closed form. When
    periods charge different rates (daily interest on actual days) it is solved for
    those rates, so the schedule amortises under the interest it charges and only
    rounding reaches the last installment; the nominal payment would leave the whole
    day-count difference there.
    """
    terms = plan.terms
    rates = period_rates(terms, plan.dates, [1] * terms.term)
    rate = periodic_rate(terms.annual_rate_percent, terms.frequency)
    nominal = terms.annual_rate_percent * rates.denominator
    if all(n * 100 * PERIODS_PER_YEAR[terms.frequency] == nominal for n in rates.numerators):
        level = plan.round_level(
            level_payment(plan.principal, rate, terms.term - terms.grace_periods)
        )
        return _level(plan, level)
    return _solved_annuity(
        plan, PeriodRates(rates.numerators[terms.grace_periods :], rates.denominator)
    )


# Enough for the rounded payment to settle: each round removes the interest rounding's
# drift, and the payment then stays within one rounding step.
_SOLVE_ROUNDS = 6


def _solved_annuity(plan: Plan, rates: PeriodRates) -> list[Row]:
    """The level payment that leaves (nearly) nothing over for the last installment.

    Start from the exact payment for these rates, then move it by the last
    installment's excess over the future-value factor until the rounded payment stops
    changing, keeping the payment whose last installment is nearest to it.
    """
    present, future = annuity_factors(rates)
    exact = plan.principal / present
    step = plan.terms.installment_multiple or plan.money.unit
    best: tuple[bool, Decimal] | None = None
    best_rows: list[Row] = []
    tried: set[Decimal] = set()
    gap = Decimal(0)
    for _ in range(_SOLVE_ROUNDS):
        level = plan.round_level(exact)
        if level in tried:
            # A rounding mode that always rounds one way (down, up) can hold the
            # payment on the same step: move it one step the way the gap points.
            level += step if gap > 0 else -step
            if level in tried or level <= 0:
                break
        tried.add(level)
        rows = _level(plan, level)
        gap = rows[-1][1] + rows[-1][2] - level
        # A payment some period's interest exceeds is not level: any level one is better.
        score = (any(p + i > level for _, p, i in rows[:-1]), abs(gap))
        if best is None or score < best:
            best, best_rows = score, rows
        exact = level + gap / future
    if best is not None and best[0]:
        # Some period's interest (a long period's, at a high rate) exceeds every payment
        # tried: the level payment is the least that covers it, and the loan then settles
        # early rather than let its balance stand still.
        for _ in range(_SOLVE_ROUNDS):
            highest = max(p + i for _, p, i in best_rows[:-1])
            level = (highest / step).to_integral_value(ROUND_CEILING) * step
            best_rows = _level(plan, level)
            if all(p + i <= level for _, p, i in best_rows[:-1]):
                break
    return best_rows


def _level(plan: Plan, level: Decimal) -> list[Row]:
    return _amortize(plan, lambda interest: level - interest)


def equal_principal(plan: Plan) -> list[Row]:
    """The same principal every period after grace; interest on the declining balance."""
    share = plan.money(plan.principal / (plan.terms.term - plan.terms.grace_periods))
    return _amortize(plan, lambda _interest: share)


def interest_only(plan: Plan) -> list[Row]:
    """Interest every `interest_only_every` periods and at maturity; principal at maturity.

    Only paying installments are emitted, numbered consecutively: monthly with every=3
    gives one installment per quarter, each charging three periods' interest (daily
    interest: the days since the previous paying date). A term that is not a multiple
    of `every` ends with a shorter last span.
    """
    return _interest_then_principal(plan, plan.terms.interest_only_every)


def bullet(plan: Plan) -> list[Row]:
    """One installment at the last due date: all principal and the interest of every period."""
    return _interest_then_principal(plan, plan.terms.term)


def flat(plan: Plan) -> list[Row]:
    """Interest on the original principal, principal in equal shares after grace.

    Per-period interest is quoted on the term (P * rate * term / periods per year),
    spread evenly, and day count does not apply. Daily interest charges each period
    its days on the original principal, as `equal_principal` counts them on the balance.
    Grace defers principal, not interest. With `installment_multiple` (per-period
    only: daily installments are not level) the installment after grace, principal
    share plus interest share, is rounded to the multiple and the principal is what
    it leaves after the interest (Fineract: 5,000 at 12% over 18 months -> 278 x 17 + 274).
    """
    terms, money, zero = plan.terms, plan.money, plan.money.zero()
    principal_share = money(plan.principal / (terms.term - terms.grace_periods))
    if terms.interest_calculation == InterestCalculation.DAILY:
        numerators, denominator = period_rates(terms, plan.dates, [1] * terms.term)
        interests = [money(plan.principal * n / denominator) for n in numerators]
    else:
        total_interest = money(
            plan.principal
            * terms.annual_rate_percent
            * terms.term
            / (100 * PERIODS_PER_YEAR[terms.frequency])
        )
        interest_share = money(total_interest / terms.term)
        interests = _spread(total_interest, interest_share, terms.term)
        if terms.installment_multiple is not None:
            level = plan.principal / (terms.term - terms.grace_periods) + interest_share
            rounded = money.to_multiple(level, terms.installment_multiple)
            principal_share = max(rounded - interest_share, zero)
    balance = plan.principal
    last = terms.term - 1
    rows: list[Row] = []
    for index, (due, interest) in enumerate(zip(plan.dates, interests, strict=True)):
        if index == last:
            principal = balance
        else:
            principal = zero if index < terms.grace_periods else min(principal_share, balance)
        balance -= principal
        rows.append((due, principal, interest))
    return rows


def _spread(total: Decimal, share: Decimal, count: int) -> list[Decimal]:
    """`share` per period while it lasts, the last period taking what remains of `total`."""
    shares, left = [], total
    for _ in range(count - 1):
        amount = min(share, left)
        shares.append(amount)
        left -= amount
    return [*shares, left]


def _amortize(plan: Plan, principal_due: Callable[[Decimal], Decimal]) -> list[Row]:
    """Interest on the balance each period; `principal_due(interest)` after grace."""
    terms, money, zero = plan.terms, plan.money, plan.money.zero()
    numerators, denominator = period_rates(terms, plan.dates, [1] * terms.term)
    balance = plan.principal
    grace, last = terms.grace_periods, terms.term - 1
    rows: list[Row] = []
    for index, (due, numerator) in enumerate(zip(plan.dates, numerators, strict=True)):
        interest = money(balance * numerator / denominator)
        if index < grace:
            principal = zero
        elif index == last:
            principal = balance
        else:
            principal = min(max(principal_due(interest), zero), balance)
        balance -= principal
        rows.append((due, principal, interest))
    return rows


def _interest_then_principal(plan: Plan, every: int) -> list[Row]:
    term, zero = plan.terms.term, plan.money.zero()
    paying = [index for index in range(term) if (index + 1) % every == 0 or index == term - 1]
    ends = [plan.dates[index] for index in paying]
    spans = [index - previous for previous, index in zip([-1, *paying], paying, strict=False)]
    numerators, denominator = period_rates(plan.terms, ends, spans)
    rows: list[Row] = []
    for due, numerator in zip(ends, numerators, strict=True):
        principal = plan.principal if due == ends[-1] else zero
        rows.append((due, principal, plan.money(plan.principal * numerator / denominator)))
    return rows


BUILDERS: dict[Method, Callable[[Plan], list[Row]]] = {
    Method.EQUAL_INSTALLMENTS: equal_installments,
    Method.EQUAL_PRINCIPAL: equal_principal,
    Method.INTEREST_ONLY: interest_only,
    Method.BULLET: bullet,
    Method.FLAT: flat,
}
