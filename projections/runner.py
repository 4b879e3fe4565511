"""Run, watch, wait for and rebuild the read models, and skip a failed event."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment

from application.app import LendingApplication
from projections import failures
from projections.base import ReadModel, ReadModelStopped
from projections.catalog import ReadModelSet
from projections.failures import Reached, Skip
from projections.follower import Follower, events_after
from projections.group import ReadModelGroup

log = logging.getLogger(__name__)
PAGE = 500
VIEWS = "views"
FOLLOWER = "read_models"
# A follower's application only reads notifications: one connection, plus one
# for LISTEN, is all it needs.
FOLLOWER_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}


@dataclass(frozen=True)
class Status:
    """A read model's position; `running` while this process's follower applies events to
    it. A read model that failed has `stopped_at` (the failing event's position), its
    topic, originator and attempts, and `error`; every one has `error` if the follower
    itself stopped."""

    name: str
    position: int
    lag: int
    running: bool
    error: str | None
    stopped_at: int | None = None
    topic: str | None = None
    originator: str | None = None
    attempts: int = 0


def open_views(
    env: dict[str, str], read_models: ReadModelSet
) -> tuple[PostgresDatastore, dict[str, ReadModel]]:
    """The read models, for status, lookups and rebuilds, over one small pool (`VIEWS_`
    settings); the live follower has its own."""
    factory = InfrastructureFactory[ReadModel].construct(env=Environment(VIEWS, env))
    assert isinstance(factory, PostgresFactory)
    views = read_models.build(factory.datastore)
    if factory.env_create_table():
        for view in views.values():
            view.create_table()
        with factory.datastore.transaction(commit=True) as cursor:
            failures.create_tables(cursor)
    return factory.datastore, views


class Projections:
    """The read models of one process; live followers only once `start` is called."""

    # How long `wait` waits by default for read models that make no progress, in seconds.
    patience = 10.0

    def __init__(
        self,
        env: dict[str, str],
        app: LendingApplication,
        read_models: ReadModelSet,
        views: tuple[PostgresDatastore, dict[str, ReadModel]] | None = None,
    ) -> None:
        """`views`: those `open_views(env, read_models)` opened already (the application
        asks some)."""
        self.env = env
        self.app = app
        self.read_models = read_models
        self.datastore, self.views = views or open_views(env, read_models)
        self.follower: Follower | None = None

    def start(self) -> None:
        """Follow the store, unless a follower already does; one that stopped is replaced."""
        if self.follower is not None and not self.follower.stopped.is_set():
            return
        self.stop()
        env = self.env | FOLLOWER_POOL
        factory = InfrastructureFactory[ReadModel].construct(env=Environment(FOLLOWER, env))
        assert isinstance(factory, PostgresFactory)
        group = self.group(factory.datastore)
        if factory.env_create_table():
            group.create_table()
        self.follower = Follower(LendingApplication(env), group)
        self.follower.start()
        log.info("read models following from %s", min(v.position() for v in self.views.values()))

    def group(self, datastore: PostgresDatastore) -> ReadModelGroup:
        """Every read model, on `datastore`, to be fed pages of events together."""
        return ReadModelGroup(datastore, self.read_models.build(datastore).values())

    def stop(self) -> None:
        follower = self.follower
        if follower is None:
            return
        follower.stop()
        follower.group.datastore.close()
        follower.app.close()
        self.follower = None

    def close(self) -> None:
        self.stop()
        self.datastore.close()

    def status(self) -> list[Status]:
        head = self.head()
        follower = self.follower
        following = follower is not None and not follower.stopped.is_set()
        down = _explain(follower.error) if follower else None
        return [_status(state, head, following, down) for state in self.reached(self.views)]

    def failed(self) -> list[Status]:
        """The read models that stopped, each with its error (all, if the follower did)."""
        return [s for s in self.status() if s.error]

    def follower_error(self) -> str | None:
        """Why this process's follower stopped, if it stopped on an error: not a read
        model's failure, which stops that read model alone, but one that stops them all."""
        follower = self.follower
        return _explain(follower.error) if follower and follower.error else None

    def reached(self, names: Iterable[str]) -> list[Reached]:
        with self.datastore.transaction(commit=False) as cursor:
            return failures.reached(cursor, names)

    def skips(self, name: str | None = None) -> list[Skip]:
        with self.datastore.transaction(commit=False) as cursor:
            return failures.skips(cursor, name)

    def skip(self, name: str, position: int, reason: str, actor: str) -> Skip:
        """An operator's way past the event that stopped `name`: refused (SkipRefused)
        unless `name` stopped at `position`. The follower, here or in another process,
        resumes `name` after it."""
        name = self.read_models.named(name)
        if name not in self.views:
            raise failures.SkipRefused(f"no read model named {name}")
        return failures.skip(self.datastore, name, position, reason, actor)

    def rebuild(self, name: str, progress: Callable[[int], None] = lambda _: None) -> int:
        """Rebuild `name` from the store, leaving out the positions skipped for it; a
        follower that had stopped it takes it back."""
        name = self.read_models.named(name)
        skipped = {s.position for s in self.skips(name)}
        last = self.views[name].rebuild(self.pages(), progress, skipped)
        with self.datastore.transaction(commit=True) as cursor:
            failures.notify(cursor)
        return last

    def pages(self) -> Iterator[list[tuple[Any, int]]]:
        after = 0
        while page := events_after(self.app, after, PAGE):
            yield page
            after = page[-1][1]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def wait(
        self, position: int, names: Iterable[str] | None = None, timeout: float | None = None
    ) -> None:
        """Block until the named read models (all by default) have processed `position`.

        ReadModelStopped at once if one of them that is behind has stopped at a failing
        event, or this process's follower has stopped. TimeoutError only once they have
        made no progress for `timeout` seconds: a long backlog (close of business over
        many loans) takes as long as it takes.
        """
        named = self.read_models.named
        wanted = list(self.views if names is None else dict.fromkeys(map(named, names)))
        timeout = self.patience if timeout is None else timeout
        pause, progress, deadline = 0.001, -1, time.monotonic() + timeout
        while True:
            behind = [s for s in self.reached(wanted) if s.position < position]
            if not behind:
                return
            for state in behind:
                if state.stopped_at is not None:
                    raise ReadModelStopped(state.name, state.stopped_at, state.error)
            down = self.follower_error()
            if down is not None:
                raise ReadModelStopped(behind[0].name, behind[0].position, down)
            reached = sum(s.position for s in behind)
            if reached != progress:
                progress, deadline = reached, time.monotonic() + timeout
            elif time.monotonic() > deadline:
                raise TimeoutError(f"read models {[s.name for s in behind]} made no progress")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def caught_up(self, position: int, names: Iterable[str] | None = None) -> bool:
        wanted = list(self.views if names is None else map(self.read_models.named, names))
        return all(s.position >= position for s in self.reached(wanted))


def _status(state: Reached, head: int, following: bool, down: str | None) -> Status:
    stopped = state.stopped_at is not None
    return Status(
        name=state.name,
        position=state.position,
        lag=head - state.position,
        running=following and not stopped,
        error=state.error if stopped else down,
        stopped_at=state.stopped_at,
        topic=state.topic,
        originator=f"{state.originator_id} v{state.originator_version}" if stopped else None,
        attempts=state.attempts,
    )


def _explain(error: BaseException | None) -> str | None:
    if error is None:
        return None
    return failures.describe(error)
