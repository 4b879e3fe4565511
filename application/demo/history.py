"""Repayment histories: each demo borrower pays, or fails to pay, by its habit.

Every payment follows the loan's schedule as recorded (read back after each change,
so prepayment recasts and reschedules are followed too).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from uuid import UUID

from application.demo.plans import Habit, Plan
from application.demo.session import TODAY, Session
from application.loans import Reschedule, WriteOff, reschedule, write_off
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.ledger import InstallmentState, Prepayment
from domain.loan import Loan, LoanStatus

CHANNELS = {"bank_transfer": "BT", "wechat_pay": "WX", "alipay": "AP", "cash": "CS"}
COLLECTORS = ("collector.zhao", "collector.liu")
BOUNCES = ("bounced: insufficient funds", "charged back by the payment platform")
HARDSHIPS = (
    "hardship: harvest lost to flooding",
    "hardship: shop closed for road works",
    "hardship: illness in the family",
)
HUNDRED = Decimal(100)
PREPAYING = (Habit.REDUCE_TERM, Habit.REDUCE_INSTALLMENT)
LATE_PAYERS = (Habit.LATE, Habit.RESCHEDULED, Habit.DELINQUENT)


class History:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        officer: str,
        payer: str,
        loan_id: UUID,
        plan: Plan,
    ) -> None:
        self.session, self.rng, self.officer, self.payer = session, rng, officer, payer
        self.loan_id, self.plan, self.habit = loan_id, plan, plan.habit
        self.channel = rng.choice(list(CHANNELS))
        self.last_on = plan.disbursed_on
        self.grace = timedelta(days=plan.offer.terms.grace_days)
        self.pays_late = plan.habit in LATE_PAYERS or plan.fate is LoanStatus.WRITTEN_OFF

    def run(self) -> None:
        fate, habit, special = self.plan.fate, self.habit, self.plan.special
        if fate is LoanStatus.WRITTEN_OFF:
            self.follow(limit=special - 1)
            self.write_off()
        elif habit is Habit.DELINQUENT:
            self.follow(limit=special)
        elif habit is Habit.RESCHEDULED:
            self.follow(limit=special + 1)
            self.reschedule()
            self.follow()
        elif habit is Habit.PAYOFF:
            self.follow(limit=special + 1)
            self.pay_off(self.last_on + timedelta(days=self.rng.randint(5, 40)))
        elif habit is Habit.OVERPAY:
            self.follow(keep_last=True)
            self.pay_off(self.last_on + timedelta(days=self.rng.randint(20, 35)), round_up=True)
        else:
            self.follow()
            if fate is LoanStatus.CLOSED:  # not matured yet: the borrower settles early
                self.pay_off(self.last_on + timedelta(days=self.rng.randint(3, 20)))

    def follow(self, limit: int | None = None, keep_last: bool = False) -> None:
        """Pay installment after installment, oldest first, until TODAY or `limit`."""
        cleared = 0
        while limit is None or cleared < limit:
            loan = self.session.loan(self.loan_id)
            owing = _owing(loan)
            if loan.status is not LoanStatus.ACTIVE or len(owing) <= int(keep_last):
                return
            item = owing[0]
            amount = item.outstanding.total
            on = max(self.last_on, self._pay_date(item, last=len(owing) == 1))
            if on > TODAY:
                return
            late = on > item.due_date + self.grace
            if self._partly(item, amount):
                share = Decimal(self.rng.randint(30, 80)) / 100
                self.pay((amount * share).to_integral_value(ROUND_FLOOR), on, late=late)
                continue
            cleared += 1
            if cleared != self.plan.special or not self._one_off(loan, item, on, late):
                self.pay(amount, on, late=late)

    def _one_off(self, loan: Loan, item: InstallmentState, on: date, late: bool) -> bool:
        """The habit's one event (a bounce, a prepayment); True if it paid the installment."""
        amount = item.outstanding.total
        if self.habit is Habit.BOUNCED:
            bounced = self.pay(amount, on, late=late)
            reason = self.rng.choice(BOUNCES)
            reversal = ReverseRepayment(self.officer, bounced, reason)
            self.session.wrote(reverse_repayment(self.session.app, reversal))
            again = on + timedelta(days=self.rng.randint(3, 10))
            if again <= TODAY:
                self.pay(amount, again, late=True)
            return True
        lump = self._lump(loan, item) if self.habit in PREPAYING else Decimal(0)
        if not lump:
            return False
        # On the due date, so the installment is due and the rest goes to principal.
        on = max(on, item.due_date) if item.due_date <= TODAY else on
        self.pay(amount + lump, on, prepayment=Prepayment(self.habit.value))
        return True

    def pay(
        self, amount: Decimal, on: date, *, late: bool = False, prepayment: Prepayment | None = None
    ) -> UUID:
        """Late money is usually brought in by a collector; the rest through the officer."""
        command = ReceiveRepayment(
            actor=self.rng.choice(COLLECTORS) if late else self.officer,
            loan_id=self.loan_id,
            amount=amount,
            value_date=on,
            channel=self.channel,
            external_reference=self.session.reference(CHANNELS[self.channel]),
            payer=self.payer,
            prepayment=prepayment,
        )
        self.last_on = on
        return self.session.wrote(receive_repayment(self.session.app, command)).id

    def pay_off(self, on: date, round_up: bool = False) -> None:
        loan = self.session.loan(self.loan_id)
        on = min(max(on, self.last_on), TODAY)
        if loan.status is not LoanStatus.ACTIVE:
            return
        amount = loan.payoff_amount(on)
        if round_up:  # the borrower rounds up: the excess is held as credit
            amount = (amount / HUNDRED).to_integral_value(ROUND_CEILING) * HUNDRED + HUNDRED
        self.pay(amount, on)

    def reschedule(self) -> None:
        loan = self.session.loan(self.loan_id)
        due = [i.due_date for i in _installments(loan) if i.due_date <= self.last_on]
        if loan.status is not LoanStatus.ACTIVE or not due or len(_owing(loan)) < 2:
            return
        remaining = len([i for i in _installments(loan) if i.due_date > due[-1]])
        approver = self.rng.choice(("approver.sun", "approver.zhou"))
        change = Reschedule(
            actor=approver,
            loan_id=self.loan_id,
            from_date=due[-1],
            reason=self.rng.choice(HARDSHIPS),
            new_term=remaining + self.rng.randint(3, 6),
            new_rate_percent=self.plan.offer.terms.min_rate_percent,
        )
        self.session.wrote(reschedule(self.session.app, change))

    def write_off(self) -> None:
        loan = self.session.loan(self.loan_id)
        owing = _owing(loan)
        if loan.status is not LoanStatus.ACTIVE or not owing:
            return
        on = min(TODAY, owing[0].due_date + timedelta(days=self.rng.randint(120, 200)))
        on = max(on, self.last_on)
        reason = "uncollectable: long past due and collection exhausted"
        command = WriteOff("approver.sun", self.loan_id, on, reason)
        self.session.wrote(write_off(self.session.app, command))
        recovery_on = on + timedelta(days=self.rng.randint(10, 90))
        written_off = self.session.loan(self.loan_id).written_off
        if written_off is None or recovery_on > TODAY or self.rng.random() < 0.4:
            return
        share = Decimal(self.rng.randint(5, 30)) / 100
        self.pay((written_off.total * share).to_integral_value(ROUND_FLOOR), recovery_on, late=True)

    def _pay_date(self, item: InstallmentState, last: bool) -> date:
        rng = self.rng
        if item.paid.total > 0:  # the rest of a partial payment
            return self.last_on + timedelta(days=rng.randint(5, 20))
        if self.pays_late and rng.random() < 0.5:
            return item.due_date + timedelta(days=rng.randint(3, 45))
        # Paid a few days early, except the last installment: early, it would be a
        # payoff owing less interest, and the rest of it would sit as credit.
        return item.due_date - timedelta(days=0 if last else rng.choice((0, 0, 0, 1, 2, 5)))

    def _partly(self, item: InstallmentState, amount: Decimal) -> bool:
        return (
            self.habit is Habit.PARTIAL
            and item.paid.total == 0
            and amount >= 10
            and self.rng.random() < 0.35
        )

    def _lump(self, loan: Loan, item: InstallmentState) -> Decimal:
        """An extra principal payment: a fifth to a half of what is left, in hundreds."""
        assert loan.balances is not None
        left = loan.balances.outstanding.principal - item.outstanding.principal
        lump = left * Decimal(self.rng.randint(20, 50)) / 100
        return (lump / HUNDRED).to_integral_value(ROUND_FLOOR) * HUNDRED


def _installments(loan: Loan) -> list[InstallmentState]:
    return sorted(loan.installments.values(), key=lambda item: item.number)


def _owing(loan: Loan) -> list[InstallmentState]:
    return [item for item in _installments(loan) if item.outstanding.total > 0]
