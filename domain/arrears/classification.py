"""Delinquency buckets and the five-tier loan classification, both from days past due."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from domain.errors import InvalidValue


class Bucket(StrEnum):
    """Arrears buckets, listed from best to worst (`list(Bucket)` is that order)."""

    CURRENT = "current"
    DPD_1_30 = "dpd_1_30"
    DPD_31_60 = "dpd_31_60"
    DPD_61_90 = "dpd_61_90"
    DPD_91_180 = "dpd_91_180"
    DPD_OVER_180 = "dpd_over_180"


class Classification(StrEnum):
    """Five-tier classification, listed from best to worst (`list(Classification)`)."""

    NORMAL = "normal"
    SPECIAL_MENTION = "special_mention"
    SUBSTANDARD = "substandard"
    DOUBTFUL = "doubtful"
    LOSS = "loss"


NON_PERFORMING = frozenset(
    {Classification.SUBSTANDARD, Classification.DOUBTFUL, Classification.LOSS}
)

# The first DPD of each bucket, worst first; the buckets themselves are not configurable.
BUCKET_FLOORS: tuple[tuple[int, Bucket], ...] = (
    (181, Bucket.DPD_OVER_180),
    (91, Bucket.DPD_91_180),
    (61, Bucket.DPD_61_90),
    (31, Bucket.DPD_31_60),
    (1, Bucket.DPD_1_30),
    (0, Bucket.CURRENT),
)


def is_non_performing(classification: Classification) -> bool:
    """NPL = substandard + doubtful + loss."""
    return classification in NON_PERFORMING


def checked_dpd(dpd: int, field: str = "days_past_due") -> int:
    if isinstance(dpd, bool) or not isinstance(dpd, int):
        raise InvalidValue(field, "must be a whole number of days")
    if dpd < 0:
        raise InvalidValue(field, "must not be negative")
    return dpd


@dataclass(frozen=True, slots=True)
class ClassificationThresholds:
    """The first DPD of each tier below normal (normal is everything under
    `special_mention_from`). Positive and strictly increasing, else `InvalidValue`."""

    special_mention_from: int = 1
    substandard_from: int = 91
    doubtful_from: int = 181
    loss_from: int = 361

    def __post_init__(self) -> None:
        previous: tuple[str, int] | None = None
        for field in fields(self):
            value: int = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidValue(field.name, "must be a whole number of days")
            if value < 1:
                raise InvalidValue(field.name, "must be at least 1")
            if previous is not None and value <= previous[1]:
                raise InvalidValue(
                    field.name, f"must be greater than {previous[0]} ({previous[1]})"
                )
            previous = (field.name, value)

    def floors(self) -> tuple[tuple[int, Classification], ...]:
        """The first DPD of each tier, worst first."""
        return (
            (self.loss_from, Classification.LOSS),
            (self.doubtful_from, Classification.DOUBTFUL),
            (self.substandard_from, Classification.SUBSTANDARD),
            (self.special_mention_from, Classification.SPECIAL_MENTION),
            (0, Classification.NORMAL),
        )


DEFAULT_THRESHOLDS = ClassificationThresholds()


def bucket_of(dpd: int) -> Bucket:
    """current (0), 1-30, 31-60, 61-90, 91-180, over 180; negative DPD is `InvalidValue`."""
    checked_dpd(dpd)
    return next(bucket for floor, bucket in BUCKET_FLOORS if dpd >= floor)


def classify(dpd: int, thresholds: ClassificationThresholds = DEFAULT_THRESHOLDS) -> Classification:
    """The tier whose first DPD is the largest one not above `dpd`."""
    checked_dpd(dpd)
    return next(tier for floor, tier in thresholds.floors() if dpd >= floor)
