"""A loan decides its own timing: the first day close of business must look at it.

Expected days are worked out here with plain date arithmetic: a late fee falls due
grace days + 1 after an unpaid due date, penalty is crystallised at month ends once
the oldest unpaid installment is past due, and DPD crosses a bucket or tier floor on
due date + 1, 31, 61, 91, 181 and 361 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Cipher, StoredEvent
from eventsourcing.utils import Environment, get_topic, resolve_topic

from domain.arrears import Bucket, Classification
from domain.ledger import PenaltyTerms
from domain.loan import Disbursement, Loan, LoanStatus, Timing
from domain.loan.accounting import unpaid
from domain.loan.delinquency import Delinquency, timing
from domain.schedule import DayCount, Installment
from infrastructure.eventstore import OrjsonTranscoder, PydanticMapper, store_env
from tests.support.loans import submitted
from tests.support.settings import TEST_CIPHER_KEY
from tests.support.story import given, history

D = Decimal
JAN_31, FEB_29, MAR_31 = date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)


def terms(late_fee: str = "25", grace_days: int = 3, rate: str = "0") -> PenaltyTerms:
    return PenaltyTerms(D(rate), D(late_fee), grace_days, DayCount.ACTUAL_365)


def test_the_late_fee_lag_is_the_grace_days_and_one_and_only_with_a_fee() -> None:
    assert terms(grace_days=3).late_fee_lag == 4
    assert terms(grace_days=0).late_fee_lag == 1
    assert terms(late_fee="0", grace_days=3).late_fee_lag is None
    assert terms(rate="36.5").accrues_penalty
    assert not terms(rate="0").accrues_penalty


def test_the_next_late_fee_is_the_first_unpaid_due_date_whose_grace_ends_after_today() -> None:
    fees = terms(grace_days=3)
    assert fees.next_charge_day([JAN_31, FEB_29], date(2028, 1, 20)) == date(2028, 2, 4)
    assert fees.next_charge_day([JAN_31, FEB_29], date(2028, 2, 4)) == date(2028, 3, 4)
    assert fees.next_charge_day([FEB_29, JAN_31], date(2028, 2, 3)) == date(2028, 2, 4)
    assert fees.next_charge_day([JAN_31, FEB_29], date(2028, 3, 4)) is None
    assert terms(grace_days=10).next_charge_day([JAN_31], JAN_31) == date(2028, 2, 11)
    assert terms(late_fee="0").next_charge_day([JAN_31], JAN_31) is None


def test_penalty_is_crystallised_at_each_month_end_once_the_oldest_is_past_due() -> None:
    penalty = terms(late_fee="0", rate="36.5")
    assert penalty.next_charge_day([JAN_31], date(2028, 2, 1)) == FEB_29  # a leap month
    assert penalty.next_charge_day([JAN_31], FEB_29) == MAR_31
    # Due on the month end itself: not past due that day, so the next month end.
    assert penalty.next_charge_day([JAN_31], date(2028, 1, 30)) is None
    assert penalty.next_charge_day([], date(2028, 2, 1)) is None
    both = terms(grace_days=30, rate="36.5")
    assert both.next_charge_day([JAN_31], date(2028, 2, 1)) == FEB_29
    assert both.next_charge_day([JAN_31], FEB_29) == date(2028, 3, 2)  # Jan 31 + 31 days


def installments(*due_dates: date) -> list[Any]:
    """Installments of 100 principal and 10 interest, nothing paid."""
    return [
        unpaid(Installment(number, due, D(100), D(10), D(0), D(110), D(0)))
        for number, due in enumerate(due_dates, 1)
    ]


def test_the_next_review_is_the_first_of_a_bucket_change_and_a_charge() -> None:
    owed = installments(JAN_31, FEB_29)
    before = timing(owed, terms(grace_days=3), None, date(2028, 1, 10))
    assert before == Timing(on=date(2028, 1, 10), oldest_unpaid_due_date=JAN_31,
                            days_past_due=0, next_review=date(2028, 2, 1))  # fmt: skip
    late = Delinquency(since=date(2028, 2, 1), days_past_due=1, bucket=Bucket.DPD_1_30,
                       classification=Classification.SPECIAL_MENTION)  # fmt: skip
    fee_first = timing(owed, terms(grace_days=3), late, date(2028, 2, 1))
    assert (fee_first.days_past_due, fee_first.next_review) == (1, date(2028, 2, 4))
    bucket_first = timing(owed, terms(grace_days=40), late, date(2028, 2, 1))
    assert bucket_first.next_review == date(2028, 3, 2)  # DPD 31
    assert timing(owed, None, late, date(2028, 2, 1)).next_review == date(2028, 3, 2)


def test_a_recorded_delinquency_that_no_longer_fits_is_due_at_once() -> None:
    found = timing(installments(JAN_31), terms(), None, date(2028, 2, 10))
    assert (found.days_past_due, found.next_review) == (10, date(2028, 2, 10))


def test_a_loan_that_is_not_active_is_never_reviewed_but_keeps_its_dpd_basis() -> None:
    closed = timing(installments(JAN_31), terms(), None, date(2028, 2, 10), active=False)
    assert closed == Timing(on=date(2028, 2, 10), oldest_unpaid_due_date=JAN_31,
                            days_past_due=10, next_review=None)  # fmt: skip
    repaid = timing([], terms(), None, date(2028, 2, 10))
    assert (repaid.oldest_unpaid_due_date, repaid.next_review) == (None, None)


DISBURSED = date(2026, 1, 31)  # installment 1 falls due on 28 February
PAYMENT_ID = UUID("00000000-0000-4000-8000-000000000001")
PAID_OUT = Disbursement(value_date=DISBURSED, account="6222021234567890123", channel="bank",
                        reference="D-1")  # fmt: skip


def disbursed(today: date = DISBURSED) -> list[Any]:
    past = submitted()
    loan: Loan = given(*past).aggregate
    loan.approve(actor="approver.sun")
    loan.sign(actor="officer.zhang", signed_on=DISBURSED)
    loan.disburse(actor="officer.zhang", disbursement=PAID_OUT, today=today)
    return [*past, *history(loan)]


def test_the_disbursement_records_the_first_review_day() -> None:
    past = disbursed()
    loan = given(*past).aggregate
    # The micro product charges penalty and no late fee: DPD 1 comes first, on 1 March
    # (28 February, the due date, is a month end on which nothing is past due yet).
    assert past[-1].timing == loan.timing == Timing(
        on=DISBURSED, oldest_unpaid_due_date=date(2026, 2, 28), days_past_due=0,
        next_review=date(2026, 3, 1),
    )  # fmt: skip
    backdated = disbursed(today=date(2026, 3, 10))[-1].timing
    assert (backdated.on, backdated.days_past_due, backdated.next_review) == (
        date(2026, 3, 10), 10, date(2026, 3, 10))  # fmt: skip


def test_a_payment_in_full_closes_the_loan_and_ends_its_reviews() -> None:
    paid_on, today = date(2026, 2, 10), date(2026, 2, 12)
    past = disbursed()
    owed = given(*past).aggregate.payoff_amount(paid_on)

    def pay(loan: Loan) -> None:
        loan.receive_payment(actor="officer.zhang", repayment_id=PAYMENT_ID, amount=owed,
                             value_date=paid_on, today=today)  # fmt: skip

    story = given(*past).when(pay).then(Loan.RepaymentAllocated, Loan.Closed)
    allocated, closed = story.events
    assert allocated.timing.on == today
    assert allocated.timing.oldest_unpaid_due_date is None
    assert closed.timing.next_review is None
    assert story.aggregate.status is LoanStatus.CLOSED


def store_mapper() -> PydanticMapper:
    """The mapper with the cipher the event store is configured with."""
    env = store_env({}, TEST_CIPHER_KEY)
    cipher: Cipher = resolve_topic(env["CIPHER_TOPIC"])(Environment(env=env))
    return PydanticMapper(transcoder=OrjsonTranscoder(), cipher=cipher)


def stored_without_timing(events: list[Any], mapper: PydanticMapper) -> list[Any]:
    """The events as the code before loan timing stored them (no `timing` in their
    state), loaded from the store."""
    assert mapper.cipher is not None
    old = []
    for event in events:
        state = event.model_dump(mode="json")
        state.pop("timing", None)
        sealed = mapper.cipher.encrypt(orjson.dumps(state))
        topic = get_topic(type(event))
        old.append(mapper.to_domain_event(
            StoredEvent(event.originator_id, event.originator_version, topic, sealed)))  # fmt: skip
    return old


def test_events_stored_before_timing_load_and_the_loan_is_reviewed_once() -> None:
    mapper = store_mapper()
    past = stored_without_timing(disbursed(), mapper)
    assert past[-1].timing is None
    assert given(*past).aggregate.timing is None
    quiet_day = date(2026, 2, 10)
    reviewed = given(*past).when(lambda loan: loan.close_day(actor="system", on=quiet_day))
    (event,) = reviewed.then(Loan.Reviewed).events
    assert event.timing == Timing(on=quiet_day, oldest_unpaid_due_date=date(2026, 2, 28),
                                  days_past_due=0, next_review=date(2026, 3, 1))  # fmt: skip
    assert mapper.to_domain_event(mapper.to_stored_event(event)) == event
    given(*past, event).when(
        lambda loan: loan.close_day(actor="system", on=quiet_day + timedelta(days=1))
    ).then()
    # A day that records anything records the timing with it: no review event then.
    busy = given(*past).when(lambda loan: loan.close_day(actor="system", on=date(2026, 3, 1)))
    changed = busy.then(Loan.DelinquencyChanged).events[0]
    assert changed.timing.next_review == date(2026, 3, 31)  # the March month end
