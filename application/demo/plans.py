"""What happens to each demo loan, drawn up front: product, figures, fate and habit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from application.demo.catalog import BUSINESS_MIX, INDIVIDUAL_MIX, Offer
from application.demo.session import (
    FIRST_DISBURSEMENT,
    LAST_DISBURSEMENT,
    TODAY,
    Deck,
    between,
)
from domain.borrower import BorrowerKind
from domain.loan import LoanStatus
from domain.schedule import PERIODS_PER_YEAR, Frequency, Method


class Habit(StrEnum):
    """How the borrower pays a disbursed loan."""

    PUNCTUAL = "punctual"
    LATE = "late"
    PARTIAL = "partial"
    REDUCE_TERM = "reduce_term"
    REDUCE_INSTALLMENT = "reduce_installment"
    BOUNCED = "bounced"
    PAYOFF = "payoff"
    OVERPAY = "overpay"
    DELINQUENT = "delinquent"
    RESCHEDULED = "rescheduled"


S = LoanStatus
FATES = (
    *[S.ACTIVE] * 9, *[S.CLOSED] * 5, S.WRITTEN_OFF, S.SUBMITTED, S.APPROVED,
    S.REJECTED, S.REJECTED, S.WITHDRAWN, S.SIGNED,
)  # fmt: skip
H = Habit
HABITS = {
    S.ACTIVE: (H.PUNCTUAL, H.PUNCTUAL, H.LATE, H.LATE, H.PARTIAL, H.REDUCE_TERM,
               H.REDUCE_INSTALLMENT, H.BOUNCED, H.DELINQUENT, H.RESCHEDULED),
    S.CLOSED: (H.PUNCTUAL, H.LATE, H.PAYOFF, H.PAYOFF, H.OVERPAY, H.REDUCE_TERM,
               H.REDUCE_INSTALLMENT, H.BOUNCED, H.PARTIAL),
    S.WRITTEN_OFF: (H.LATE,),
}  # fmt: skip
# A reschedule re-spreads scheduled principal; these methods leave none to spread.
PRINCIPAL_AT_MATURITY = (Method.INTEREST_ONLY, Method.BULLET)


@dataclass(frozen=True)
class Plan:
    offer: Offer
    principal: Decimal
    term: int
    frequency: Frequency
    method: Method
    rate: Decimal
    purpose: str
    fate: LoanStatus
    habit: Habit
    approved_principal: Decimal | None  # an approval that lends less than asked
    signed_on: date
    disbursed_on: date
    special: int  # the installment at which the habit's one-off event happens


class Planner:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fates = Deck(rng, FATES)
        self.habits = {fate: Deck(rng, cards) for fate, cards in HABITS.items()}

    def plan(self, kind: BorrowerKind) -> Plan:
        rng = self.rng
        fate = self.fates.draw()
        habit = self.habits[fate].draw() if fate in self.habits else Habit.PUNCTUAL
        mix = BUSINESS_MIX if kind is BorrowerKind.BUSINESS else INDIVIDUAL_MIX
        offers = [offer for offer, _ in mix]
        if habit is Habit.RESCHEDULED:
            offers = [o for o in offers if set(o.terms.methods) - set(PRINCIPAL_AT_MATURITY)]
        weights = [weight for offer, weight in mix if offer in offers]
        offer = rng.choices(offers, weights)[0]
        methods = list(offer.terms.methods)
        if habit is Habit.RESCHEDULED:
            methods = [m for m in methods if m not in PRINCIPAL_AT_MATURITY]
        frequency = rng.choice(list(offer.terms_by_frequency))
        shortest, longest = offer.terms_by_frequency[frequency]
        if habit in (Habit.RESCHEDULED, Habit.REDUCE_TERM, Habit.REDUCE_INSTALLMENT):
            shortest = max(shortest, min(longest, 6))  # room for the one-off and after it
        term = rng.randint(shortest, longest)
        principal = self._principal(offer)
        period = timedelta(days=365 // PERIODS_PER_YEAR[frequency])
        disbursed_on = self._disbursement(fate, habit, period, term)
        return Plan(
            offer=offer,
            principal=principal,
            term=term,
            frequency=frequency,
            method=rng.choice(methods),
            rate=self._rate(offer),
            purpose=rng.choice(offer.purposes),
            fate=fate,
            habit=habit,
            approved_principal=self._trimmed(offer, principal) if rng.random() < 0.2 else None,
            signed_on=(
                between(rng, TODAY - timedelta(days=20), TODAY)
                if fate in (S.SIGNED, S.WITHDRAWN)
                else disbursed_on - timedelta(days=rng.randint(0, 3))
            ),
            disbursed_on=disbursed_on,
            special=rng.randint(1, 3),
        )

    def _principal(self, offer: Offer) -> Decimal:
        least, most, step = offer.typical_principal
        # Most loans are small; a few are near the top of the range.
        steps = int(self.rng.random() ** 1.8 * (most - least) // step)
        return Decimal(least + steps * step)

    def _trimmed(self, offer: Offer, principal: Decimal) -> Decimal | None:
        step = offer.typical_principal[2]
        trimmed = (principal * Decimal("0.8") / step).to_integral_value() * step
        return trimmed if offer.terms.min_principal <= trimmed < principal else None

    def _rate(self, offer: Offer) -> Decimal:
        low, high = offer.terms.min_rate_percent, offer.terms.max_rate_percent
        return Decimal(self.rng.randint(int(low * 4), int(high * 4))) / 4

    def _disbursement(self, fate: LoanStatus, habit: Habit, period: timedelta, term: int) -> date:
        length = period * term
        first, last = FIRST_DISBURSEMENT, LAST_DISBURSEMENT
        if fate is S.ACTIVE and habit in (Habit.DELINQUENT, Habit.RESCHEDULED):
            # Old enough to have a history, young enough to have installments left.
            first = max(first, TODAY - length + 2 * period)
            last = TODAY - 4 * period
        elif fate is S.ACTIVE:
            first = max(first, TODAY - length + timedelta(days=15))
        elif fate is S.CLOSED and habit not in (Habit.PAYOFF, Habit.REDUCE_TERM):
            # Matured, so the last installment closes it (payoff if it cannot have).
            last = max(first, TODAY - length - timedelta(days=10))
        elif fate is S.CLOSED:
            last = TODAY - timedelta(days=60)
        elif fate is S.WRITTEN_OFF:
            last = TODAY - 4 * period - timedelta(days=150)
        return between(self.rng, first, max(first, last))
