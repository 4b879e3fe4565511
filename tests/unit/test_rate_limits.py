"""Token buckets: N at once, then one each period/N; a waiting key is told how long."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infrastructure.rate_limits import Buckets, Rate, RateLimits


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/minute", Rate(10, 60)), ("5/second", Rate(5, 1)), ("300/hour", Rate(300, 3600)),
     ("20/30s", Rate(20, 30)), ("1/day", Rate(1, 86400)), (" 7 / 2 minutes ", Rate(7, 120))],
)  # fmt: skip
def test_rates_are_read_as_written(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["ten/minute", "0/minute", "5/fortnight", "5"])
def test_other_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="a rate is N/second"):
        Rate.parse(text)
    with pytest.raises(ValidationError):
        RateLimits(commands_per_user=text)


def test_a_bucket_lets_a_burst_through_then_refills_at_its_pace() -> None:
    buckets = Buckets(Rate(3, 60))  # a token every 20 s
    assert [buckets.take("alice", 0.0) for _ in range(3)] == [None, None, None]
    assert buckets.take("alice", 0.0) == 20
    assert buckets.take("alice", 15.0) == 5
    assert buckets.take("alice", 20.0) is None
    assert buckets.take("bob", 20.0) is None  # each key its own bucket
    assert buckets.take("alice", 1000.0) is None  # refilled, never past the burst
    assert [buckets.take("alice", 1000.0) for _ in range(3)] == [None, None, 20]


def test_the_least_recently_seen_keys_are_forgotten_first() -> None:
    buckets = Buckets(Rate(1, 60), max_keys=2)
    for key in ("a", "b", "c"):
        buckets.take(key, 0.0)
    assert buckets.take("a", 0.0) is None  # forgotten: a full bucket again
    assert buckets.take("c", 0.0) == 60
