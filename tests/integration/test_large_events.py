"""Events of several MB are saved in seconds: no size of event hangs the write path.

psycopg's pipelined insert used to leave the tail of a large INSERT unsent, so the
client waited for a result while the server waited for the statement, holding the
events table's lock (infrastructure/recorder.py). Each save here runs in a thread
with a bound; one that hangs has its session ended, so the suite goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import psycopg
import pytest

from application.app import LendingApplication, Written
from application.borrowers import UpdateBorrower, update_borrower
from application.repayments import ReceiveRepayment, receive_repayment
from domain.borrower import Borrower
from domain.errors import DomainError
from domain.loan import Loan
from domain.model import Aggregate
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.portfolio import OFFICER, disbursed_loans, register

MB = 2**20
# A save of 16 MB takes a few seconds on a busy machine; a hang never ends.
BOUND = 45.0
ORDINARY_BOUND = 10.0
PAID_ON = date(2026, 2, 15)
T = TypeVar("T")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The store opens on the payments' value date."""
    return settings.model_copy(update={"opening_date": PAID_ON})


class Attachment(Aggregate):
    """A test aggregate whose one event carries `size` bytes of text."""

    content: str

    class Attached(Aggregate.Created):
        content: str

        def apply(self, aggregate: Any) -> None:
            aggregate.content = self.content

    @classmethod
    def attach(cls, content: str) -> Attachment:
        return cls._create(cls.Attached, content=content, actor=OFFICER)


def within(seconds: float, url: str, write: Callable[[], T]) -> T | DomainError:
    """`write()`'s result, or the domain error that refused it, in at most `seconds`."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(write())
        except DomainError as refused:
            outcome.append(refused)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # eventsourcing tries an insert again when its connection is lost, and each
        # try hangs again: end them until the writer gives up.
        for _ in range(20):
            _end_stuck_inserts(url)
            thread.join(1.0)
            if not thread.is_alive():
                break
        pytest.fail(f"the write did not finish in {seconds} s")
    (result,) = outcome
    if isinstance(result, BaseException) and not isinstance(result, DomainError):
        raise result
    return result  # type: ignore[no-any-return]


def _end_stuck_inserts(url: str) -> None:
    """End this database's sessions stuck mid-insert, so they free the table lock."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state = 'active' AND query LIKE '%INSERT INTO%'"
        )


def ordinary_write_goes_through(app: LendingApplication, url: str, borrower_id: UUID) -> None:
    change = UpdateBorrower(OFFICER, borrower_id, {"address": "1 Bench Road, Beijing"})
    written = within(ORDINARY_BOUND, url, lambda: update_borrower(app, change))
    assert isinstance(written, Written)
    assert app.load(Borrower, borrower_id, "borrower").profile.address == "1 Bench Road, Beijing"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("megabytes", [1, 2, 8, 16])
def test_an_event_of_megabytes_is_saved_in_seconds(
    runtime: Runtime, settings: Settings, megabytes: int
) -> None:
    app, url = runtime.app, str(settings.database_url)
    borrower_id = register(app, 1)
    attachment = Attachment.attach("x" * (megabytes * MB))
    written = within(BOUND, url, lambda: app.save_all(attachment))
    assert isinstance(written, Written)
    assert len(app.load(Attachment, attachment.id, "attachment").content) == megabytes * MB
    ordinary_write_goes_through(app, url, borrower_id)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("megabytes", [2, 16])
def test_a_borrower_update_with_a_huge_address_is_saved_or_refused_in_seconds(
    runtime: Runtime, settings: Settings, megabytes: int
) -> None:
    app, url = runtime.app, str(settings.database_url)
    borrower_id = register(app, 1)
    change = UpdateBorrower(OFFICER, borrower_id, {"address": "x" * (megabytes * MB)})
    within(BOUND, url, lambda: update_borrower(app, change))
    ordinary_write_goes_through(app, url, borrower_id)


@pytest.mark.timeout(120)
def test_a_repayment_with_a_huge_payer_is_saved_or_refused_in_seconds(
    runtime: Runtime, settings: Settings
) -> None:
    app, url = runtime.app, str(settings.database_url)
    (loan_id,) = disbursed_loans(app, 1)
    huge = ReceiveRepayment(
        actor=OFFICER, loan_id=loan_id, amount=Decimal("10.00"), value_date=PAID_ON,
        channel="bank", external_reference="HUGE-PAYER", payer="x" * (16 * MB),
    )  # fmt: skip
    within(BOUND, url, lambda: receive_repayment(app, huge))
    ordinary = ReceiveRepayment(
        actor=OFFICER, loan_id=loan_id, amount=Decimal("10.00"), value_date=PAID_ON,
        channel="bank", external_reference="ORDINARY",
    )  # fmt: skip
    written = within(ORDINARY_BOUND, url, lambda: receive_repayment(app, ordinary))
    assert isinstance(written, Written)
    assert len(app.load(Loan, loan_id, "loan").payments) in (1, 2)
