"""Scorecard use cases: score an application, publish a model version, activate one.

Version 1, the expert model, is published the first time anything needs the
scorecards, like the business calendar is opened. Scoring writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from domain.errors import NotFound
from domain.scorecard import SCORECARDS_ID, Scorecards, Scored, ScoreModel, expert_model

SYSTEM = "system"
KIND = "scorecards"

__all__ = [
    "Activate",
    "Publish",
    "Published",
    "PublishedVersion",
    "Scored",
    "activate",
    "load_scorecards",
    "open_scorecards",
    "publish",
    "published_versions",
    "score",
]


@dataclass(frozen=True)
class Published:
    version: int
    written: Written


@dataclass(frozen=True)
class PublishedVersion:
    """One published model version, as `lending scorecard list` shows it."""

    version: int
    kind: str
    active: bool
    auc: Decimal | None  # measured on held-out rows; None for the expert model
    features: tuple[str, ...]


def load_scorecards(app: LendingApplication, actor: str = SYSTEM) -> Scorecards:
    """The scorecards, opened with the expert model the first time anything asks
    (recorded as opened by `actor`, whose command needed them)."""
    try:
        return app.load(Scorecards, SCORECARDS_ID, KIND)
    except NotFound:
        pass
    scorecards = Scorecards.open(actor=actor, first=expert_model())
    try:
        app.save_all(scorecards)
    except IntegrityError:  # another process opened them first
        return app.load(Scorecards, SCORECARDS_ID, KIND)
    return scorecards


def open_scorecards(app: LendingApplication) -> int:
    """Open the scorecards (version 1) if nothing has yet; the store's head position
    after, for a reader to wait on."""
    load_scorecards(app)
    return app.recorder.max_notification_id() or 0


def published_versions(app: LendingApplication) -> list[PublishedVersion]:
    """Every published version, newest first."""
    scorecards = load_scorecards(app)
    return [
        PublishedVersion(
            version=version,
            kind=model.kind.value,
            active=version == scorecards.active_version,
            auc=model.metrics.auc if model.metrics else None,
            features=model.feature_names,
        )
        for version, model in sorted(scorecards.models.items(), reverse=True)
    ]


def score(
    app: LendingApplication, features: Mapping[str, object], version: int | None = None
) -> Scored:
    """PD, score, grade and reasons under `version` (None: the active one).

    Missing or unreadable feature values count as missing; an unknown version is NotFound.
    """
    return load_scorecards(app).score(features, version)


@dataclass(frozen=True)
class Publish:
    actor: str
    model: ScoreModel


def publish(app: LendingApplication, command: Publish) -> Published:
    """Publish the command's model as the next version (not active until activated)."""
    actor = command.actor

    def attempt() -> Published:
        scorecards = load_scorecards(app, actor)
        version = scorecards.publish(actor=actor, model=command.model)
        return Published(version, app.save_all(scorecards))

    return app.retrying(attempt)


@dataclass(frozen=True)
class Activate:
    actor: str
    version: int  # the model's version, not the aggregate's


def activate(app: LendingApplication, command: Activate) -> Written:
    """Score new applications with the command's model version from now on."""
    actor = command.actor

    def attempt() -> Written:
        scorecards = load_scorecards(app, actor)
        scorecards.activate(actor=actor, version=command.version)
        return app.save_all(scorecards)

    return app.retrying(attempt)
