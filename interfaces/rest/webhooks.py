"""REST commands on webhooks: an admin registers an endpoint, and replays events to it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from application import webhooks
from infrastructure.runtime import Runtime
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import Accepted, App, Command, Secret, Text, Url

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

Admin = Annotated[User, Depends(require(Role.ADMIN))]


class RegisterBody(Command):
    url: Url
    event_types: Annotated[list[Text], Field(min_length=1, max_length=32)]
    secret: Annotated[Secret, Field(min_length=16)]


class ReplayBody(Command):
    from_position: Annotated[int, Field(ge=1, le=2**63 - 1)]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post("", status_code=201)
def register(body: RegisterBody, app: App, user: Admin, request: Request) -> Accepted:
    """Deliver these business event types to `url`, signed with `secret` (Standard
    Webhooks). 422 naming `url` for one that is not http(s), or in production one that
    points at a private or loopback address."""
    runtime = _runtime(request)
    runtime.check_webhook_url(body.url)
    sealed = runtime.webhook_box.seal(body.secret)
    command = webhooks.RegisterWebhook(user.sub, body.url, tuple(body.event_types), sealed)
    return Accepted.of(webhooks.register_webhook(app, command))


@router.post("/{webhook_id}/replay")
def replay(webhook_id: UUID, body: ReplayBody, app: App, user: Admin) -> Accepted:
    """Deliver again every event the webhook wants from store position `from_position`."""
    command = webhooks.ReplayWebhook(user.sub, webhook_id, body.from_position)
    return Accepted.of(webhooks.replay_webhook(app, command))
