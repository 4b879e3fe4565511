"""The one eventsourcing Application: every aggregate shares one events table.

Command handlers live in their own modules and use the helpers here to load,
save atomically, and retry when another writer got there first. What they decide by
(the policies) and what they ask the read models (the ports) are given to the
application when it is built, once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
from collections.abc import Callable, Collection, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid5

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.domain import (
    BaseAggregate,
    ImmutableAggregateProtocol,
    MutableAggregateProtocol,
)
from eventsourcing.persistence import IntegrityError, OperationalError, Recording

from application.ports import ApplicantRecords, ContractRenderer, PersonalKeyStore
from domain.accounting import AccountingPolicy
from domain.approval import ApprovalPolicy
from domain.borrower import Borrower
from domain.credit import CreditPolicy
from domain.erasure import ErasurePolicy
from domain.errors import NotFound, VersionMismatch
from domain.loan import Loan
from domain.login_codes import CodePolicy
from domain.masking import keyed_digest, name_query_digests
from domain.risk import DEFAULT_POLICY, RiskPolicy
from domain.staff import LoginPolicy

A = TypeVar("A", bound=BaseAggregate[UUID])
R = TypeVar("R")

CLAIM_NAMESPACE = UUID("6f1d2c1e-8a53-4c3e-9b7a-5d0c2f1e4a77")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a command decides again when a concurrent save took its version.

    Before attempt n+1 it waits a random time up to `first_wait * 2**(n-1)` seconds,
    at most `max_wait`, so writers that clashed spread out instead of clashing again.
    The defaults let 100 concurrent commands on one loan all succeed (50 needed at
    most 9 attempts, 100 at most 13, on two cores), and bound one command's waiting
    to 4.6 s (2.3 s on average).
    """

    attempts: int = 16
    first_wait: float = 0.005
    max_wait: float = 0.5

    def wait(self, clashes: int) -> float:
        return random.uniform(0, min(self.max_wait, self.first_wait * 2 ** (clashes - 1)))


class Busy(Exception):
    """The store did not take the command's write: every attempt clashed with another
    writer, or the store timed out or went away. A clash or a timeout recorded
    nothing; the caller may send the same command again (a repayment's reference and
    an If-Match version keep a repeat from recording twice)."""

    def __init__(self, reason: str, retry_after: int = 1) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policies:
    """The rules this store decides by, from settings; unset, the domain's defaults."""

    credit: CreditPolicy = field(default_factory=CreditPolicy)
    risk: RiskPolicy = DEFAULT_POLICY
    approval: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    login: LoginPolicy = field(default_factory=LoginPolicy)
    codes: CodePolicy = field(default_factory=CodePolicy)
    accounting: AccountingPolicy = field(default_factory=AccountingPolicy)
    erasure: ErasurePolicy = field(default_factory=ErasurePolicy)


@dataclass(frozen=True)
class Written:
    """What a command answers: the aggregate, its version, the store position."""

    id: UUID
    version: int
    position: int


class LendingApplication(Application[UUID]):
    name = "lending"
    snapshotting_intervals: ClassVar[
        dict[type[MutableAggregateProtocol[Any]] | type[ImmutableAggregateProtocol[Any]], int]
    ] = {Borrower: 100, Loan: 50}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        policies: Policies | None = None,
        applicant_records: ApplicantRecords | None = None,
        contracts: ContractRenderer | None = None,
        personal_keys: PersonalKeyStore | None = None,
    ) -> None:
        """`applicant_records`: the read models intake asks (None: intake refuses to run,
        rather than skip its checks; an application that only reads needs none).
        `contracts`: renders the contract a signing records (None: signing records no
        document). `personal_keys`: the keys personal fields are sealed with (None: this
        application cannot erase a borrower)."""
        super().__init__(env)
        self.contracts = contracts
        self.personal_keys = personal_keys
        self.retry_policy = RetryPolicy()
        self.policies = policies or Policies()
        self._applicant_records = applicant_records
        # The claim key keeps identity numbers out of claim ids; without it,
        # a short number space could be searched by hashing every candidate.
        self._claim_key = (self.env.get("CLAIM_KEY") or "").encode()
        # The store's opening date comes from the infrastructure edge: the application
        # never reads a clock.
        opening = self.env.get("OPENING_DATE")
        self.opening_date = date.fromisoformat(opening) if opening else None

    @property
    def has_applicant_records(self) -> bool:
        return self._applicant_records is not None

    @property
    def applicant_records(self) -> ApplicantRecords:
        if self._applicant_records is None:
            raise RuntimeError("intake needs the read models: the runtime passes them")
        return self._applicant_records

    def claim_id(self, kind: str, value: str) -> UUID:
        digest = hmac.new(self._claim_key, f"{kind}:{value}".encode(), hashlib.sha256)
        return uuid5(CLAIM_NAMESPACE, digest.hexdigest())

    def lookup_digest(self, kind: str, value: str) -> str:
        """A keyed digest of a personal value, so that a read model can find equal
        values without holding them: without the key, a short space such as phone
        numbers could be searched by hashing every candidate."""
        return keyed_digest(self._claim_key, kind, value)

    def name_query_digests(self, text: str) -> list[str]:
        """What the borrowers' name search looks for (`domain.masking`), under the key."""
        return name_query_digests(self._claim_key, text)

    def load(self, aggregate_type: type[A], id_: UUID, kind: str) -> A:
        try:
            aggregate: BaseAggregate[UUID] = self.repository.get(id_)
        except AggregateNotFoundError:
            raise NotFound(kind, id_) from None
        if not isinstance(aggregate, aggregate_type):
            raise NotFound(kind, id_)
        return aggregate

    def load_cached(self, aggregate_type: type[A], id_: UUID, kind: str) -> A:
        """A copy of the aggregate as this process last saved or loaded it, without
        asking the store for what other processes recorded since (`load` if it is not
        cached). Only for a command whose save would then clash: events of a version
        another writer took are refused (IntegrityError), and nothing is written."""
        repository = self.repository
        if repository.cache is not None:
            # A load on another thread fast-forwards the cached object in place, under
            # this lock: the copy is never of one half way through.
            lock = repository._use_fastforward_lock(id_)
            try:
                with lock:
                    cached = repository.cache.get(id_)
                    if isinstance(cached, aggregate_type):
                        return deepcopy(cached)
            except KeyError:
                pass
            finally:
                repository._disuse_fastforward_lock(id_)
        return self.load(aggregate_type, id_, kind)

    def forget_cached(self, ids: list[UUID]) -> None:
        """Drop these aggregates from the repository's cache: the next load replays them."""
        cache = getattr(self.repository, "cache", None)
        for id_ in ids:
            try:
                if cache is not None:
                    cache.get(id_, evict=True)
            except KeyError:
                pass

    def exists(self, id_: UUID) -> bool:
        # One stored row answers it; no need to decrypt and replay the aggregate.
        return bool(self.recorder.select_events(id_, desc=True, limit=1))

    def existing(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of `ids` have an event stored: in one query where the recorder can."""
        bulk = getattr(self.recorder, "existing_ids", None)
        if bulk is None:
            return {id_ for id_ in ids if self.exists(id_)}
        found: set[UUID] = bulk(ids)
        return found

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        recordings = super()._record(processing_event)
        self._cache_saved(processing_event.aggregates.values())
        return recordings

    def _cache_saved(self, aggregates: Iterable[Any]) -> None:
        """Cache a copy of each aggregate just saved, unless a newer one is cached.

        The next command on it then starts from this state, with what its last command
        worked out and kept (a loan's ledger fold), rather than from an older copy with
        the new events replayed onto it. Copies made from the cache still catch up with
        what other processes record after it.
        """
        repository = self.repository
        if not repository.cache or not repository.fastforward:
            return  # without fast-forwarding, eventsourcing caches what it saves itself
        for aggregate in aggregates:
            try:
                cached = repository.cache.get(aggregate.id)
            except KeyError:
                cached = None
            if cached is None or cached.version < aggregate.version:
                repository.cache.put(aggregate.id, deepcopy(aggregate))

    def save_all(self, *aggregates: BaseAggregate[UUID]) -> Written:
        recordings = self.save(*aggregates)
        position = max((r.notification.id for r in recordings), default=0)
        first = aggregates[0]
        return Written(first.id, first.version, position)

    def saved_positions(self, *aggregates: BaseAggregate[UUID]) -> dict[UUID, int]:
        """Save atomically, as `save_all`; the position of each aggregate's last event."""
        return {r.domain_event.originator_id: r.notification.id for r in self.save(*aggregates)}

    def retrying(self, attempt: Callable[[], R]) -> R:
        """Run a load-decide-save attempt again when a concurrent save wins.

        Each attempt loads afresh: the repository hands out a copy of its cached
        aggregate, brought up to date with what the winner recorded. Raises Busy once
        the policy's attempts are spent, or when the store times out.
        """
        policy = self.retry_policy
        for clashes in range(1, policy.attempts + 1):
            try:
                return attempt()
            except IntegrityError:
                if clashes < policy.attempts:
                    time.sleep(policy.wait(clashes))
            except OperationalError as error:
                log.warning("the store did not take a write: %s", error)
                raise Busy("the event store is busy; try again shortly") from error
        log.warning("a write clashed with concurrent writers %s times", policy.attempts)
        raise Busy(f"another writer changed the record {policy.attempts} times; try again")

    def events_of(self, id_: UUID) -> list[Any]:
        return list(self.events.get(id_))

    def as_of(self, id_: UUID, at: datetime, kind: str) -> Any:
        """The aggregate as it was recorded at `at`, or None if it did not exist yet."""
        found = self.history_as_of(id_, at, kind)
        return None if found is None else found[0]

    def history_as_of(self, id_: UUID, at: datetime, kind: str) -> tuple[Any, list[Any]] | None:
        """`as_of`, with the events recorded by `at` that made it (read once for both)."""
        events: list[Any] = self.events_of(id_)
        versions = [e.originator_version for e in events if e.timestamp <= at]
        if not versions:
            if not self.exists(id_):
                raise NotFound(kind, id_)
            return None
        version = max(versions)
        kept = [e for e in events if e.originator_version <= version]
        return self.repository.get(id_, version=version), kept


def check_version(aggregate: BaseAggregate[UUID], expected: int | None) -> None:
    if expected is not None and aggregate.version != expected:
        raise VersionMismatch(expected, aggregate.version)
