"""Scorecard use cases: score an application, publish a model version, activate one.

Version 1, the expert model, is published the first time anything needs the
scorecards, like the business calendar is opened. Scoring writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    "Scored",
    "activate",
    "load_scorecards",
    "publish",
    "score",
]


@dataclass(frozen=True)
class Published:
    version: int
    written: Written


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
