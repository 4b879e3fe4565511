"""Rate limits: token buckets per client and per user, held in this process's memory.

A rate "N/period" lets a key make N requests at once, then one every period/N: a
bucket of N tokens that refills at that pace. Each process counts on its own, so with
`lending serve --workers N` a client may reach N times a limit (requests spread over
the processes); put a shared limit in the proxy in front where that matters.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, field_validator

PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day|s|m|h)s?\s*")
SHORT = {"s": "second", "m": "minute", "h": "hour"}
MAX_KEYS = 100_000  # buckets kept per limit; the least recently used go first


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "10/minute", "300/hour", "5/second", "20/30s" (20 per 30 seconds)."""
        found = RATE.fullmatch(text)
        if found is None or int(found[1]) < 1:
            raise ValueError(f"a rate is N/second, N/minute, N/hour or N/day, not {text!r}")
        period = PERIODS[SHORT.get(found[3], found[3])]
        return cls(int(found[1]), period * int(found[2] or 1))


class RateLimits(BaseModel):
    """LENDING_RATE_LIMITS, JSON: any of these, a rate or null (no limit), e.g.
    '{"auth_per_client": "20/minute", "commands_per_user": null}'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    auth_per_client: str | None = "60/minute"  # any /auth/* request, per client address
    auth_per_user: str | None = "10/minute"  # per username, phone or token subject
    commands_per_client: str | None = "3000/minute"  # REST commands, per client address
    commands_per_user: str | None = "1200/minute"  # REST commands, per token subject

    @field_validator("*")
    @classmethod
    def _is_a_rate(cls, value: str | None) -> str | None:
        if value is not None:
            Rate.parse(value)
        return value


class Buckets:
    """One token bucket per key, for one rate."""

    def __init__(self, rate: Rate, max_keys: int = MAX_KEYS) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> int | None:
        """None if `key` may go on (a token taken); else the seconds until it may."""
        per_token = self.rate.seconds / self.rate.count
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.rate.count), now))
            tokens = min(float(self.rate.count), tokens + (now - then) / per_token)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                waited = None
            else:
                self._buckets[key] = (tokens, now)
                waited = max(1, math.ceil((1 - tokens) * per_token))
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return waited
