"""Use cases of webhooks: register an endpoint, replay events to it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.app import LendingApplication, Written
from application.feed import TYPES
from domain.webhook import Webhook


@dataclass(frozen=True)
class RegisterWebhook:
    """`sealed_secret`: the signing secret as the infrastructure sealed it."""

    actor: str
    url: str
    event_types: tuple[str, ...]
    sealed_secret: str


def register_webhook(app: LendingApplication, command: RegisterWebhook) -> Written:
    webhook = Webhook.register(
        actor=command.actor,
        url=command.url,
        event_types=command.event_types,
        sealed_secret=command.sealed_secret,
        known_types=TYPES,
    )
    return app.save_all(webhook)


@dataclass(frozen=True)
class ReplayWebhook:
    actor: str
    webhook_id: UUID
    from_position: int


def replay_webhook(app: LendingApplication, command: ReplayWebhook) -> Written:
    def attempt() -> Written:
        webhook = app.load(Webhook, command.webhook_id, "webhook")
        webhook.replay(actor=command.actor, from_position=command.from_position)
        return app.save_all(webhook)

    return app.retrying(attempt)
