"""Build the running parts from settings: the store environment, app and read models."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from application.app import LendingApplication
from infrastructure import secrets
from infrastructure.database import database_url, eventsourcing_env
from infrastructure.eventstore import store_env
from infrastructure.settings import Settings
from projections.registry import READ_MODELS
from projections.runner import Projections


def build_env(settings: Settings, url: str | None = None) -> dict[str, str]:
    key = secrets.cipher_key(settings)
    env = store_env(eventsourcing_env(url or database_url(settings)), key)
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

    def close(self) -> None:
        self.projections.close()
        self.app.close()
