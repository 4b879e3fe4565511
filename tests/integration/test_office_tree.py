"""The office tree a serving process keeps for staff reach: kept a moment, never wider
than the caller's subtree, and read again for read-your-writes and after this process
opens an office."""

from __future__ import annotations

import asyncio
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from application.offices import OpenOffice, open_head_office, open_office
from domain.office import HEAD_OFFICE_ID
from infrastructure.runtime import Runtime
from projections.office_tree import OfficeTree

ADMIN = "admin.wu"


def opened(runtime: Runtime, name: str, parent: UUID) -> UUID:
    written = open_office(runtime.app, OpenOffice(ADMIN, name, parent))
    runtime.projections.wait(written.position)
    return written.id


def test_a_kept_tree_misses_only_offices_opened_since_and_is_read_again_when_asked(
    runtime: Runtime,
) -> None:
    runtime.projections.start()
    runtime.projections.wait(open_head_office(runtime.app))
    branch = opened(runtime, "Branch A", HEAD_OFFICE_ID)
    sibling = opened(runtime, "Branch B", HEAD_OFFICE_ID)
    now = [100.0]
    tree = OfficeTree(seconds=2.0, clock=lambda: now[0])

    async def check() -> None:
        async with AsyncConnectionPool(runtime.url, min_size=1, open=False) as pool:
            assert await tree.reached(pool, HEAD_OFFICE_ID) is None
            assert await tree.reached(pool, None) is None
            assert await tree.reached(pool, branch) == {branch}
            # Another process opens a sub-branch: the kept tree does not have it yet.
            sub = opened(runtime, "Sub-branch A1", branch)
            assert await tree.reached(pool, branch) == {branch}
            assert await tree.reached(pool, sibling) == {sibling}
            # A request reading its own writes sees it, and so does anyone once it is read.
            assert await tree.reached(pool, branch, fresh=True) == {branch, sub}
            later = opened(runtime, "Sub-branch A2", branch)
            now[0] += 2.0
            assert await tree.reached(pool, branch) == {branch, sub, later}
            # This process opened it: read again until the tree holds it.
            mine = open_office(runtime.app, OpenOffice(ADMIN, "Sub-branch A3", branch))
            tree.opened(mine.id)
            runtime.projections.wait(mine.position)
            assert await tree.reached(pool, branch) == {branch, sub, later, mine.id}
            assert await tree.reached(pool, sibling) == {sibling}

    asyncio.run(check())
