"""GET /health: the database, every read model's position and lag, and what stopped.

200 "ok" while every read model follows. 200 "degraded" while some read models have
stopped at an event that failed (each with its position, the failing event's position
and topic, and the error): the others, and every command, still work, so the process
stays in service. 503 "unavailable" when the database cannot be reached or this
process's follower has stopped (no read model moves). The operators' skips are listed.
`audit` shows the store's last checkpoint and the last one verified (`lending audit`);
`publisher` the business event publisher's position and lag, `webhooks` each webhook's.
`replica`, with DATABASE_READ_URL set: the least position the replica's read models
have replayed, and its lag; an unreachable replica makes the status "degraded".
"""

from __future__ import annotations

import asyncio
from typing import Any

from anyio import from_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from infrastructure.checkpoints import Checkpoint
from infrastructure.notifier import NOTIFIER
from projections.failures import reached_on

router = APIRouter(tags=["operations"])
SHOWN = ("name", "position", "lag", "running", "error", "stopped_at", "topic", "attempts")
REPLICA_TIMEOUT = 2.0  # seconds: a replica that does not answer by then is reported down


@router.get("/health")
def health(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    projections = runtime.projections
    body: dict[str, Any] = {"status": "ok"}
    try:
        head = projections.head()
        statuses = projections.status()
        skips = projections.skips()
        last, verified = runtime.checkpoints()
        published, publisher_lag = runtime.publisher_lag()
        notified, notifier_lag = runtime.publisher_lag(NOTIFIER)
        webhooks = runtime.webhook_lags()
    except Exception as error:  # the database is the thing being checked
        body.update(status="unavailable", database={"ok": False, "error": type(error).__name__})
        return JSONResponse(body, status_code=503)
    body["database"] = {"ok": True, "position": head}
    body["projections"] = [{key: getattr(s, key) for key in SHOWN} for s in statuses]
    body["skips"] = [
        {
            "name": s.name,
            "position": s.position,
            "reason": s.reason,
            "actor": s.actor,
            "skipped_at": s.skipped_at.isoformat(),
        }
        for s in skips
    ]
    # The business event feed (`lending publisher`, a process of its own): its lag grows
    # while the broker is down and shrinks as it catches up; commands never wait for it.
    body["publisher"] = {"position": published, "lag": publisher_lag}
    body["notifier"] = {"position": notified, "lag": notifier_lag}  # `lending notifier`
    body["webhooks"] = [{"id": id_, "position": at, "lag": lag} for id_, at, lag in webhooks]
    body["audit"] = {"checkpoint": _shown(last), "verified_checkpoint": _shown(verified)}
    replica = _replica(request, head) if runtime.settings.database_read_url else None
    if replica is not None:
        body["replica"] = replica
    down = projections.follower_error()
    if down is not None:
        body.update(status="unavailable", follower={"ok": False, "error": down})
        return JSONResponse(body, status_code=503)
    replica_down = replica is not None and not replica["ok"]
    if any(s.stopped_at is not None for s in statuses) or replica_down:
        body["status"] = "degraded"
    return JSONResponse(body, status_code=200)


def _replica(request: Request, head: int) -> dict[str, Any]:
    """Where the replica GraphQL reads from stands: the read models' least position there."""
    names = tuple(request.app.state.runtime.projections.views)

    async def replayed() -> int:
        async with asyncio.timeout(REPLICA_TIMEOUT):
            states = await reached_on(request.app.state.read_pool, names)
        return min(state.position for state in states)

    try:
        position = from_thread.run(replayed)
    except Exception as error:  # the replica is the thing being checked
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "position": position, "lag": max(head - position, 0)}


def _shown(checkpoint: Checkpoint | None) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    payload = checkpoint.payload()
    return {key: payload[key] for key in ("position", "events", "digest", "created_at",
                                           "verified_at", "reason")} | {
        "breaks": checkpoint.breaks
    }  # fmt: skip
