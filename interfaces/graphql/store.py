"""GraphQL's reads of the event store: off the event loop, in threads of their own.

The application is synchronous. A resolver that asks it something runs the call in
a worker thread, but not under anyio's default limiter: that one also runs every
sync route (`/health`, the REST commands), and a query that queued thousands of
store reads there kept them all waiting. GraphQL's store reads take at most
STORE_THREADS threads at a time (in each event loop), so they leave the default
pool, and the application's connection pool, to everything else.

A resolver that may run for many items of one query (a loan's payoff, a loan as of a
moment) reads through a per-request loader instead: the keys asked for together are
read in turn in one thread, and a key asked for twice is read once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from anyio import CapacityLimiter, to_thread
from strawberry.dataloader import DataLoader

from application.app import LendingApplication
from domain.errors import DomainError
from interfaces.graphql.context import Context

STORE_THREADS = 4

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        found = _limiters[loop] = CapacityLimiter(STORE_THREADS)
    return found


async def offload(call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` in a worker thread, one of at most STORE_THREADS."""
    return await to_thread.run_sync(call, *args, limiter=_limiter())


def store_loader(
    context: Context, name: str, read: Callable[[LendingApplication, K], T]
) -> DataLoader[K, T]:
    """The request's loader `name`: `read(app, key)` for each key of a batch, in one thread.

    A domain error (a loan not found) fails only its own key.
    """
    found = context.loaders.get(name)
    if found is None:
        app = context.app

        def read_all(keys: list[K]) -> list[T | DomainError]:
            results: list[T | DomainError] = []
            for key in keys:
                try:
                    results.append(read(app, key))
                except DomainError as error:
                    results.append(error)
            return results

        async def batch(keys: list[K]) -> list[T | DomainError]:
            return await offload(read_all, list(keys))

        found = context.loaders[name] = DataLoader(load_fn=batch)
    return found
