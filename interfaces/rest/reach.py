"""Every route that names a loan, borrower, repayment or risk warning in its path
answers 404 for one out of the caller's office reach (`application.reach`), before the
body is read or the command decided."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from application import reach
from application.app import LendingApplication
from infrastructure.tokens import User

CHECKS: dict[str, Callable[[LendingApplication, UUID, UUID | None], object]] = {
    "loan_id": reach.loan_in_reach,
    "borrower_id": reach.borrower_in_reach,
    "repayment_id": reach.repayment_in_reach,
    "warning_id": reach.warning_in_reach,
}


async def in_reach(request: Request) -> None:
    """An app-wide dependency: NotFound (404) for a path's record out of reach, or that
    no record has. A path id that is not a UUID is left to the route's validation.

    Async, so that a request with nothing to check (most: no record in its path, or a
    caller who reaches every office) costs no hop to a worker thread; the checks, which
    load aggregates, run in one."""
    user: User | None = getattr(request.state, "user", None)
    if user is None or reach.everywhere(user.office):
        return
    app: LendingApplication = request.app.state.runtime.app
    for name, check in CHECKS.items():
        value = request.path_params.get(name)
        if value is None:
            continue
        try:
            record = UUID(str(value))
        except ValueError:
            continue
        await run_in_threadpool(check, app, record, user.office)
