"""Build the running parts from settings: the store environment, app and read models."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from application.app import LendingApplication, Policies
from application.calendar import business_date
from application.close_of_business import DayStep
from application.cob_partitions import reviewing_partitions
from application.collections import settling_promises
from application.demo import ADMIN, load_demo
from application.month_end import closing_months
from application.notices import Decided, reminding
from application.risk import raise_warnings, raising_warnings
from domain.accounting import LoanFacts, Role
from domain.accounting.reconcile import BookFacts
from domain.erasure import ErasurePolicy
from domain.notifications import DueInstallment
from domain.risk import Finding, RiskPolicy
from infrastructure import checkpoints, data_keys, secrets
from infrastructure.chain_migration import start_event_chain
from infrastructure.chain_recorder import ChainedRecorder
from infrastructure.cob import holder, loans_due, writing_checkpoint
from infrastructure.database import database_url, eventsourcing_env, schema_lock
from infrastructure.documents.contract import ContractPdf
from infrastructure.eventstore import store_env
from infrastructure.keyring import KeyRing
from infrastructure.notifier import new_notices
from infrastructure.personal_keys import (
    PERSONAL_KEYS,
    PersonalKeys,
    personal_keys_of,
    register,
    unregister,
)
from infrastructure.settings import Settings
from infrastructure.webhook_security import KEY_NAME, SecretBox, check_destination
from projections import cob_partitions, notifications, webhook_deliveries
from projections.catalog import ReadModelSet
from projections.collections import CollectionsView
from projections.credit_assessments import CreditAssessmentsView
from projections.feed_tracking import PUBLISHER, FeedTracking
from projections.journal import JournalView
from projections.journal_queries import JournalRecords
from projections.loan_books import LoanBooksView
from projections.risk_findings import risk_findings
from projections.risk_warnings import RiskWarningsView
from projections.runner import Projections, open_views
from projections.webhook_deliveries import WEBHOOK_PREFIX

log = logging.getLogger(__name__)


def build_env(settings: Settings, url: str | None = None) -> dict[str, str]:
    url = url or database_url(settings)
    # The events are encrypted with the store's data key; the master keys only wrap it.
    keys = data_keys.store_keys(url, key_ring(settings))
    env = store_env(eventsourcing_env(url), keys.cipher_key)
    # The only clock read that touches the books: the date a new store opens at.
    env["OPENING_DATE"] = (settings.opening_date or date.today()).isoformat()
    env["CLAIM_KEY"] = keys.claim_key
    # Every application built from this environment (the command side, the followers)
    # seals and opens personal fields with the same keys (personal_keys.py).
    env[PERSONAL_KEYS] = register(PersonalKeys(url, key_ring(settings)))
    # The read models (status, lookups, rebuilds) share one small pool, and the
    # follower of them all has another.
    for name in ("views", "read_models"):
        env[f"{name.upper()}_POSTGRES_POOL_SIZE"] = "1"
        env[f"{name.upper()}_POSTGRES_MAX_OVERFLOW"] = "3"
    return env


def key_ring(settings: Settings) -> KeyRing:
    """The master keys: LENDING_CIPHER_KEYS and LENDING_CIPHER_KEY, or in development the
    key generated into the data directory."""
    if settings.cipher_keys:
        return KeyRing.parse(settings.cipher_keys, settings.cipher_key or None)
    return KeyRing.single(secrets.cipher_key(settings))


def policies(settings: Settings) -> Policies:
    """The policies the settings configure, built once for the application."""
    return Policies(
        credit=settings.credit,
        risk=settings.risk,
        approval=settings.approval,
        login=settings.login,
        codes=settings.borrower_codes,
        accounting=settings.accounting,
        erasure=ErasurePolicy(retention_years=settings.retention_years),
    )


@dataclass
class Runtime:
    settings: Settings
    url: str
    env: dict[str, str]
    app: LendingApplication
    projections: Projections

    @classmethod
    def open(
        cls, settings: Settings, url: str | None = None, *, create_tables: bool = True
    ) -> Runtime:
        url = url or database_url(settings)
        if not create_tables:
            return cls._opened(settings, url, create_tables=False)
        with schema_lock(url):
            return cls._opened(settings, url, create_tables=True)

    @classmethod
    def _opened(cls, settings: Settings, url: str, *, create_tables: bool) -> Runtime:
        env = build_env(settings, url)
        if not create_tables:
            env["CREATE_TABLE"] = "no"
        rules = policies(settings)
        read_models = ReadModelSet(
            approval_policy=rules.approval, lookup_key=env["CLAIM_KEY"].encode()
        )
        views = open_views(env, read_models)
        # Intake's fraud signals count across borrowers: it asks the read models.
        records = views[1]["credit_assessments"]
        assert isinstance(records, CreditAssessmentsView)
        personal_keys = personal_keys_of(env)
        app = LendingApplication(
            env,
            policies=rules,
            applicant_records=records,
            contracts=ContractPdf(settings.lender_name),
            personal_keys=personal_keys,
        )
        if create_tables:  # the process that makes the tables starts the chain, once
            start_event_chain(app)
        projections = Projections(env, app, read_models, views)
        runtime = cls(settings, url, env, app, projections)
        if create_tables:
            runtime.feed_tracking.create_table()
            webhook_deliveries.create_tables(projections.datastore)
            notifications.create_tables(projections.datastore)
            cob_partitions.create_tables(projections.datastore)
        return runtime

    def loans_to_review(self, day: date, position: int | None = None) -> Iterable[UUID]:
        """Loans whose arrears may change on `day`, once the `loan_books` read model has
        processed `position` (None: every event so far; 0: no need to wait).
        ReadModelStopped if it has stopped before it."""
        self._wait_for(position, LoanBooksView.name)
        books = self.projections.views[LoanBooksView.name]
        assert isinstance(books, LoanBooksView)
        return books.due_for_review(day)

    @cached_property
    def cob_partitions(self) -> cob_partitions.CobPartitions:
        """Close of business's lease table, shared with `lending worker --cob` processes."""
        datastore, lease = self.projections.datastore, self.settings.cob_lease_seconds
        return cob_partitions.CobPartitions(datastore, self.url, lease)

    def promises_due(self, day: date, position: int | None = None) -> Iterable[UUID]:
        """Collection cases with a promise to judge on `day`, once the `collections` read
        model has processed `position` (None: every event so far; 0: no need to wait).
        ReadModelStopped if it has stopped before it."""
        self._wait_for(position, "collections")
        collections = self.projections.views["collections"]
        assert isinstance(collections, CollectionsView)
        return collections.promises_due(day)

    def installments_due(
        self, days: list[date], position: int | None = None
    ) -> list[tuple[DueInstallment, str, UUID]]:
        """Installments due on any of `days`, each with its product code and borrower,
        once `loan_books` and `loans` have processed `position` (as `loans_to_review`)."""
        self._wait_for(position, LoanBooksView.name, "loans")
        rows = notifications.due_installments(self.projections.datastore, days)
        return [
            (DueInstallment(r["loan_id"], r["number"], r["due_date"], r["paid"]),
             r["product_code"], r["borrower_id"])
            for r in rows
        ]  # fmt: skip

    def record_notices(self, decided: list[Decided]) -> None:
        """Record the notices close of business decided (projections/notifications.py)."""
        notifications.queue(self.projections.datastore, new_notices(decided))

    def risk_findings(
        self, day: date, policy: RiskPolicy, position: int | None = None
    ) -> list[Finding]:
        """What the risk rules find on `day` and no warning records yet, once the
        `risk_warnings` and `loan_books` read models have processed `position` (None:
        every event so far; 0: no need to wait). ReadModelStopped if one has stopped
        before it."""
        self._wait_for(position, "risk_warnings", LoanBooksView.name)
        view = self.projections.views["risk_warnings"]
        assert isinstance(view, RiskWarningsView)
        return risk_findings(view, day, policy)

    @property
    def ledger_records(self) -> JournalRecords:
        """The journal's queries the ledger's commands ask (application.ports.LedgerRecords)."""
        return JournalRecords(self.projections.datastore)

    def month_end_facts(self, day: date, position: int | None = None) -> list[LoanFacts]:
        """Every loan's facts at the month end `day`, once `loan_books` and `journal` have
        processed `position` (None: every event so far; 0: no need to wait)."""
        self._wait_for(position, LoanBooksView.name, JournalView.name)
        return self.ledger_records.month_end_facts(day)

    def reconcile_facts(
        self, day: date, position: int | None = None
    ) -> tuple[list[BookFacts], dict[UUID, dict[Role, Decimal]]]:
        """The loan books' and the journal's figures on `day`, once they (and `repayments`)
        have processed `position` (None: every event so far; 0: no need to wait)."""
        self._wait_for(position, LoanBooksView.name, JournalView.name, "repayments")
        return self.ledger_records.reconcile_facts(day)

    def _wait_for(self, position: int | None, *names: str) -> None:
        if position is None:
            position = self.projections.head()
        if position:
            self.projections.wait(position, names)

    def load_demo(self, borrowers: int = 300, **options: Any) -> int:
        """The demo portfolio (`application.demo.load_demo`), then the risk warnings its
        arrears call for on the business date, as that day's close of business would
        raise them; the last position written. The rules read the read models, so they
        follow the store from here on."""
        self.projections.start()
        position = load_demo(self.app, borrowers, **options)
        day = business_date(self.app, ADMIN)
        findings = self.risk_findings(day, self.app.policies.risk, position)
        return max(position, raise_warnings(self.app, ADMIN, day, findings))

    def close_of_business_steps(self, until: date | None = None) -> tuple[DayStep, ...]:
        """What close of business does each day, in order; a run that closes the days up
        to `until` writes the store's checkpoint on that day only (None: every day)."""
        books = self.projections.views[LoanBooksView.name]
        assert isinstance(books, LoanBooksView)
        reviewing = reviewing_partitions(
            self.cob_partitions, lambda after: self._wait_for(after, LoanBooksView.name),
            loans_due(books), holder("close of business"), self.settings.cob_partitions,
        )  # fmt: skip
        return (
            reviewing,
            settling_promises(self.promises_due),
            closing_months(self.month_end_facts, self.reconcile_facts),
            raising_warnings(self.risk_findings),
            reminding(self.installments_due, self.record_notices),
            writing_checkpoint(until),
        )

    def checkpoints(self) -> tuple[checkpoints.Checkpoint | None, checkpoints.Checkpoint | None]:
        """The store's last checkpoint, and its last verified one."""
        recorder = self.app.recorder
        assert isinstance(recorder, ChainedRecorder)
        with recorder.datastore.transaction(commit=False) as curs:
            last = checkpoints.latest(curs, recorder.chain)
            verified = checkpoints.latest(curs, recorder.chain, verified=True)
        return last, verified

    @cached_property
    def feed_tracking(self) -> FeedTracking:
        """The positions of the followers that send events out (publisher, webhooks)."""
        return FeedTracking(self.projections.datastore)

    @cached_property
    def webhook_box(self) -> SecretBox:
        """Seals and opens webhook signing secrets with the store's `webhooks` data key."""
        return SecretBox(data_keys.named_key(self.url, key_ring(self.settings), KEY_NAME))

    def check_webhook_url(self, url: str) -> None:
        """InvalidValue naming `url` unless webhooks may be delivered there."""
        check_destination(url, self.settings.webhooks_may_be_private)

    def publisher_lag(self, follower: str = PUBLISHER) -> tuple[int, int]:
        """The business event publisher's position (or another follower's in
        `feed_tracking`, such as `notifier`), and how far the store's head is past it."""
        position = self.feed_tracking.position(follower)
        return position, self.projections.head() - position

    def webhook_lags(self) -> list[tuple[str, int, int]]:
        """Each webhook that has started delivering: its id, position and lag."""
        head = self.projections.head()
        found = self.feed_tracking.positions(WEBHOOK_PREFIX)
        return [(name.removeprefix(WEBHOOK_PREFIX), at, head - at) for name, at in found.items()]

    def close(self) -> None:
        if "cob_partitions" in self.__dict__:
            self.cob_partitions.close()
        self.projections.close()
        self.app.close()
        unregister(self.env)
