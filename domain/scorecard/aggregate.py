"""Every scorecard model version, and which one scores new applications.

One aggregate under a fixed id holds them all, so publishing is one save at the
next aggregate version: two concurrent publishers cannot both take version n, and
the loser reloads and publishes as n + 1. A published model is never changed;
activating another version only moves the pointer, so scoring with a given
version gives the same answer for ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import NotFound
from domain.model import Aggregate
from domain.scorecard.model import Scored, ScoreModel

SCORECARDS_ID = uuid5(UUID("0b7f3a52-61d4-4f0e-9a8c-3e2d5c7b1f90"), "scorecards")


class Scorecards(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        models: dict[int, ScoreModel]
        active_version: int

    class Opened(Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            aggregate.models = {}
            aggregate.active_version = 0

    @classmethod
    def open(cls, *, actor: str, first: ScoreModel) -> Scorecards:
        """Opened with `first` published as version 1 and active."""
        scorecards = cls._create(cls.Opened, id=SCORECARDS_ID, actor=actor)
        scorecards.activate(actor=actor, version=scorecards.publish(actor=actor, model=first))
        return scorecards

    def publish(self, *, actor: str, model: ScoreModel) -> int:
        version = len(self.models) + 1
        self._published(actor=actor, version=version, model=model)
        return version

    @event("ModelPublished")
    def _published(self, actor: str, version: int, model: ScoreModel) -> None:
        self.models[version] = model

    def activate(self, *, actor: str, version: int) -> None:
        self.model(version)
        if version != self.active_version:
            self._activated(actor=actor, version=version)

    @event("ModelActivated")
    def _activated(self, actor: str, version: int) -> None:
        self.active_version = version

    def model(self, version: int | None = None) -> ScoreModel:
        """A published version (None: the active one); NotFound for any other."""
        found = self.models.get(self.active_version if version is None else version)
        if found is None:
            raise NotFound("scorecard version", str(version))
        return found

    def score(self, features: Mapping[str, object], version: int | None = None) -> Scored:
        chosen = self.active_version if version is None else version
        return self.model(chosen).assess(features, chosen)
