"""A webhook: an endpoint that hears the business events it asked for, signed.

Registering records the endpoint's URL, the business event types it wants, and its
signing secret sealed (AES-GCM under the store's `webhooks` data key, by the
infrastructure), so the secret is never in an event, in plaintext or otherwise, that a
reader of the store can use. A replay asks for every event from a store position on to
be delivered again. Where the URL may point (no private or loopback address in
production) needs the network to tell, so it is checked at the edge before the command.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from eventsourcing.domain import event

from domain.errors import InvalidValue
from domain.model import Aggregate

MAX_URL = 2000


class Webhook(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        url: str
        event_types: tuple[str, ...]
        sealed_secret: str

    class Registered(Aggregate.Created):
        url: str
        event_types: tuple[str, ...]
        sealed_secret: str

        def apply(self, aggregate: Any) -> None:
            aggregate.url = self.url
            aggregate.event_types = self.event_types
            aggregate.sealed_secret = self.sealed_secret

    @classmethod
    def register(
        cls,
        *,
        actor: str,
        url: str,
        event_types: Sequence[str],
        sealed_secret: str,
        known_types: Collection[str],
    ) -> Webhook:
        """`known_types`: the business event types there are (application/feed.py)."""
        checked_url(url)
        wanted = tuple(dict.fromkeys(event_types))
        if not wanted:
            raise InvalidValue("event_types", "must name at least one event type")
        unknown = [kind for kind in wanted if kind not in known_types]
        if unknown:
            raise InvalidValue("event_types", f"unknown event type {unknown[0]!r}")
        if not sealed_secret:
            raise InvalidValue("secret", "must not be empty")
        return cls._create(
            cls.Registered, actor=actor, url=url, event_types=wanted, sealed_secret=sealed_secret
        )

    def replay(self, *, actor: str, from_position: int) -> None:
        """Deliver again every event this webhook wants from store position `from_position`."""
        if from_position < 1:
            raise InvalidValue("from_position", "must be a store position, 1 or more")
        self._replay_requested(actor=actor, from_position=from_position)

    @event("ReplayRequested")
    def _replay_requested(self, actor: str, from_position: int) -> None:
        pass


def checked_url(url: str) -> str:
    """An absolute http(s) URL with a host, else InvalidValue naming `url`."""
    if len(url) > MAX_URL:
        raise InvalidValue("url", f"must be at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a port out of range raises here, not later
    except ValueError:
        raise InvalidValue("url", "is not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidValue("url", "must be an http or https URL")
    if not host:
        raise InvalidValue("url", "must name a host")
    if parts.username or parts.password:
        raise InvalidValue("url", "must not carry credentials")
    return url
