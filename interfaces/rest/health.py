"""GET /health: the database, every read model's position and lag, and what stopped.

200 "ok" while every read model follows. 200 "degraded" while some read models have
stopped at an event that failed (each with its position, the failing event's position
and topic, and the error): the others, and every command, still work, so the process
stays in service. 503 "unavailable" when the database cannot be reached or this
process's follower has stopped (no read model moves). The operators' skips are listed.
`audit` shows the store's last checkpoint and the last one verified (`lending audit`);
`publisher` the business event publisher's position and lag, `webhooks` each webhook's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from infrastructure.checkpoints import Checkpoint
from infrastructure.notifier import NOTIFIER

router = APIRouter(tags=["operations"])
SHOWN = ("name", "position", "lag", "running", "error", "stopped_at", "topic", "attempts")


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
    down = projections.follower_error()
    if down is not None:
        body.update(status="unavailable", follower={"ok": False, "error": down})
        return JSONResponse(body, status_code=503)
    if any(s.stopped_at is not None for s in statuses):
        body["status"] = "degraded"
    return JSONResponse(body, status_code=200)


def _shown(checkpoint: Checkpoint | None) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    payload = checkpoint.payload()
    return {key: payload[key] for key in ("position", "events", "digest", "created_at",
                                           "verified_at", "reason")} | {
        "breaks": checkpoint.breaks
    }  # fmt: skip
