"""`lending worker --cob`: review the loans of close of business partitions it leases."""

from __future__ import annotations

import logging
import signal
import threading

from application.cob_partitions import work_partitions
from infrastructure.cob import holder, loans_due
from infrastructure.runtime import Runtime
from projections.loan_books import LoanBooksView

log = logging.getLogger(__name__)


def cob_worker(runtime: Runtime, stop: threading.Event) -> None:
    """Lease and review partitions of any day a close of business publishes, until `stop`;
    then say it is gone, so that no coordinator waits for it. Closes `runtime`."""
    name = holder("cob worker")
    partitions = runtime.cob_partitions

    def stopping(*_: object) -> None:
        stop.set()
        partitions.interrupt()  # not a poll later

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    books = runtime.projections.views[LoanBooksView.name]
    assert isinstance(books, LoanBooksView)
    try:
        partitions.seen(name)
        log.info("close of business: %s waiting for partitions", name)
        done = work_partitions(runtime.app, partitions, loans_due(books), name, stop.is_set)
        log.info("close of business: %s stopped after %s lease(s)", name, done)
    finally:
        try:
            partitions.gone(name)
        finally:
            runtime.close()
