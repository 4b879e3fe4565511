"""Build the running parts from settings: the store environment, app and read models."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.app import LendingApplication
from infrastructure import secrets
from infrastructure.database import database_url, eventsourcing_env
from infrastructure.eventstore import store_env
from infrastructure.settings import Settings
from projections.arrears import ArrearsView
from projections.registry import READ_MODELS
from projections.runner import Projections


def build_env(settings: Settings, url: str | None = None) -> dict[str, str]:
    key = secrets.cipher_key(settings)
    env = store_env(eventsourcing_env(url or database_url(settings)), key)
    # The only clock read that touches the books: the date a new store opens at.
    env["OPENING_DATE"] = (settings.opening_date or date.today()).isoformat()
    env["CLAIM_KEY"] = hmac.new(key.encode(), b"claims", hashlib.sha256).hexdigest()
    for name in (*READ_MODELS, "read_models"):
        # Each read model (for status and rebuilds) and the follower of them all
        # open their own pool; keep them small.
        env[f"{name.upper()}_POSTGRES_POOL_SIZE"] = "1"
        env[f"{name.upper()}_POSTGRES_MAX_OVERFLOW"] = "2"
    return env


@dataclass
class Runtime:
    settings: Settings
    url: str
    env: dict[str, str]
    app: LendingApplication
    projections: Projections

    @classmethod
    def open(cls, settings: Settings, url: str | None = None) -> Runtime:
        url = url or database_url(settings)
        env = build_env(settings, url)
        app = LendingApplication(env)
        return cls(settings, url, env, app, Projections(env, app))

    def loans_to_review(self, day: date, position: int | None = None) -> Iterable[UUID]:
        """Loans whose arrears may change on `day`, once the read models have processed
        `position` (None: every event so far; 0: no need to wait)."""
        if position is None:
            position = self.projections.head()
        if position:
            self.projections.wait(position)
        arrears = self.projections.views["arrears"]
        assert isinstance(arrears, ArrearsView)
        return arrears.due_for_review(day)

    def close(self) -> None:
        self.projections.close()
        self.app.close()
