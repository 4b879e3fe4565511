"""Run, watch and rebuild the read models."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment

from application.app import LendingApplication
from projections.base import APPLICATION_NAME, ReadModel, ReadModelGroup
from projections.follower import Follower, events_after
from projections.registry import READ_MODELS

log = logging.getLogger(__name__)
PAGE = 500
VIEWS = "views"
FOLLOWER = "read_models"
# A follower's application only reads notifications: one connection, plus one
# for LISTEN, is all it needs.
FOLLOWER_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    lag: int
    running: bool
    error: str | None


def open_views(env: dict[str, str]) -> tuple[PostgresDatastore, dict[str, ReadModel]]:
    """Every read model, for status, lookups and rebuilds, over one small pool (`VIEWS_`
    settings); the live follower has its own."""
    factory = InfrastructureFactory[ReadModel].construct(env=Environment(VIEWS, env))
    assert isinstance(factory, PostgresFactory)
    views: dict[str, ReadModel] = {}
    for name, view_class in READ_MODELS.items():
        view = view_class(datastore=factory.datastore, tracking_table_name=f"{name}_tracking")
        if factory.env_create_table():
            view.create_table()
        views[name] = view
    return factory.datastore, views


class AllReadModels(ReadModelGroup):
    members = tuple(READ_MODELS.values())


class Projections:
    """The read models of one process; live followers only once `start` is called."""

    def __init__(self, env: dict[str, str], app: LendingApplication) -> None:
        self.env = env
        self.app = app
        self.datastore, self.views = open_views(env)
        self.follower: Follower | None = None

    def start(self) -> None:
        """Follow the store, unless a follower already does; one that stopped is replaced."""
        if self.follower is not None and not self.follower.stopped.is_set():
            return
        self.stop()
        env = self.env | FOLLOWER_POOL
        factory = InfrastructureFactory[ReadModelGroup].construct(env=Environment(FOLLOWER, env))
        group = factory.tracking_recorder(AllReadModels)
        self.follower = Follower(LendingApplication(env), group)
        self.follower.start()
        log.info("read models following from %s", min(v.position() for v in self.views.values()))

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
        head = self.app.recorder.max_notification_id() or 0
        return [self._status(name, view, head) for name, view in self.views.items()]

    def _status(self, name: str, view: ReadModel, head: int) -> Status:
        position = view.position()
        follower = self.follower
        error = follower.error if follower else None
        running = follower is not None and not follower.stopped.is_set()
        return Status(name, position, head - position, running, _explain(error))

    def failed(self) -> list[Status]:
        return [s for s in self.status() if self.follower and not s.running]

    def rebuild(self, name: str, progress: Callable[[int], None] = lambda _: None) -> int:
        return self.views[name].rebuild(self.pages(), progress)

    def pages(self) -> Iterator[list[tuple[Any, int]]]:
        after = 0
        while page := events_after(self.app, after, PAGE):
            yield page
            after = page[-1][1]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def wait(self, position: int, timeout: float = 10.0) -> None:
        """Block until every read model has processed `position`.

        TimeoutError only once a read model has made no progress for `timeout` seconds:
        a long backlog (close of business over many loans) takes as long as it takes.
        """
        for view in self.views.values():
            while True:
                reached = view.position()
                try:
                    view.wait(APPLICATION_NAME, position, timeout=timeout)
                    break
                except TimeoutError:
                    if view.position() == reached:
                        raise

    def caught_up(self, position: int) -> bool:
        return all(view.position() >= position for view in self.views.values())


def _explain(error: BaseException | None) -> str | None:
    if error is None:
        return None
    cause = error.__cause__
    return f"{error}: {cause!r}" if cause else repr(error)
