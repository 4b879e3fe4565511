"""A realistic sample portfolio for demos and manual testing, the same for the same seed.

Four products (micro-business, weekly microloan, seasonal agricultural, SME term), a few
hundred borrowers, and loans in every state: submitted, approved, rejected, withdrawn,
signed, active, closed and written off. Disbursed loans carry repayment histories drawn
from habits (on time, late, partial, prepaying to shorten the term or lower the
installment, bounced payments, payoff, overpayment, delinquency, reschedule), dated by
each loan's recorded schedule from 2025 up to the demo's business date, 2026-11-20.

Everything goes through the application's use cases, as REST commands do, so every event
names the officer, approver or collector who acted. Randomness comes only from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from uuid import UUID

from application.app import LendingApplication
from application.borrowers import register_borrower
from application.calendar import business_date
from application.close_of_business import review_loans
from application.demo.catalog import ADMIN, define_products
from application.demo.collecting import work_arrears
from application.demo.history import History
from application.demo.lifecycle import originate
from application.demo.people import registration
from application.demo.plans import Planner
from application.demo.session import TODAY, Session
from application.demo.staff import DEMO_PASSWORD, staff_offices
from domain.errors import DuplicateIdNumber
from domain.loan import LoanStatus

__all__ = ["ADMIN", "DEMO_PASSWORD", "TODAY", "load_demo"]

# How many loans a borrower has had with us: most one, some none yet, a few repeat.
LOAN_COUNTS = ((0, 10), (1, 70), (2, 20))


def load_demo(
    app: LendingApplication,
    borrowers: int = 300,
    progress: Callable[[int], None] = lambda _: None,
    seed: int = 20261122,
    loans: bool = True,
) -> int:
    """Register `borrowers` borrowers and (unless `loans` is false) the products, loans
    and payments of the demo portfolio; returns the last event store position.

    `progress(1)` follows each borrower. Borrowers whose id number is already registered
    (the same seed loaded twice) are skipped with their loans.
    """
    session = Session(app, seed)
    people = random.Random(seed)  # the same borrowers with or without loans
    stories = random.Random(f"{seed}/loans")
    planner = Planner(stories)
    session.offices, session.position = staff_offices(app)
    if loans:
        session.position = max(session.position, define_products(app))
    counts, weights = zip(*LOAN_COUNTS, strict=True)
    disbursed: list[UUID] = []
    for n in range(borrowers):
        command = registration(people, n)
        command = replace(command, office=session.offices.get(command.actor))
        try:
            borrower_id = session.wrote(register_borrower(app, command)).id
        except DuplicateIdNumber:
            continue
        for _ in range(stories.choices(counts, weights)[0] if loans else 0):
            plan = planner.plan(command.kind)
            loan_id = originate(session, stories, command.actor, borrower_id, plan)
            if loan_id is not None:
                payer = command.profile.name
                History(session, stories, command.actor, payer, loan_id, plan).run()
                session.forget(loan_id)
                disbursed.append(loan_id)
            if plan.fate is LoanStatus.WRITTEN_OFF:
                break  # no one lends again after a write-off: intake would reject it
        progress(1)
    if not disbursed:
        return session.position
    # Late loans show their arrears at once, as close of business would have recorded.
    reviewed = review_loans(app, ADMIN, business_date(app, ADMIN), disbursed)
    work_arrears(session, random.Random(f"{seed}/collections"), disbursed)
    return max(session.position, reviewed, app.recorder.max_notification_id() or 0)
