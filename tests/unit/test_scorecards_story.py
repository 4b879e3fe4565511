"""The scorecards, told as stories: opened with a first model, later versions published,
one of them active; an unknown version is refused and nothing is recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import NotFound
from domain.scorecard import Scorecards, expert_model
from domain.scorecard.aggregate import SCORECARDS_ID
from tests.support.story import followed_by, given, history

EXPERT = expert_model()
TIGHTER = EXPERT.model_copy(update={"intercept": Decimal("-3.00"), "description": "tighter"})


def opened() -> list[Any]:
    return history(Scorecards.open(actor="risk.he", first=EXPERT))


def publish(model: Any = TIGHTER) -> Any:
    return lambda scorecards: scorecards.publish(actor="risk.he", model=model)


def activate(version: int) -> Any:
    return lambda scorecards: scorecards.activate(actor="risk.he", version=version)


def test_opening_publishes_and_activates_the_first_model_as_version_1() -> None:
    opening = given().when(lambda _: Scorecards.open(actor="risk.he", first=EXPERT))
    story = opening.then(Scorecards.Opened, Scorecards.ModelPublished, Scorecards.ModelActivated)
    opened_, published, activated = story.events
    assert opened_.originator_id == SCORECARDS_ID
    assert (published.version, published.model) == (1, EXPERT)
    assert activated.version == 1


def test_a_published_version_is_numbered_next_and_does_not_score_until_activated() -> None:
    story = given(*opened()).when(publish()).then(Scorecards.ModelPublished)
    assert (story.events[0].version, story.events[0].model.intercept) == (2, Decimal("-3.00"))
    assert story.aggregate.active_version == 1


def test_activating_a_published_version_moves_the_pointer() -> None:
    story = given(*followed_by(opened(), publish())).when(activate(2))
    activated = story.then(Scorecards.ModelActivated)
    assert activated.events[0].version == 2
    assert activated.aggregate.model() == TIGHTER


def test_activating_the_active_version_records_nothing() -> None:
    given(*opened()).when(activate(1)).then()


@pytest.mark.parametrize("version", [0, 2, -1])
def test_an_unpublished_version_is_not_activated(version: int) -> None:
    refused = given(*opened()).when(activate(version)).raises(NotFound)
    assert refused.events == []
    assert refused.aggregate.active_version == 1
