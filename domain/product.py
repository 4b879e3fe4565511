"""Loan products: a code and its terms, changed by versions (terms in product_terms.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import model_validator

from domain.errors import Conflict, InvalidValue
from domain.model import Aggregate, AggregateSnapshot, SnapshotState
from domain.product_terms import (
    DEFAULT_MAX_AGE,
    DEFAULT_MIN_AGE,
    MAX_GRACE_DAYS,
    MAX_RATE_PERCENT,
    MINOR_UNITS,
    OLDEST_AGE,
    RATE_PLACES,
    ProductTerms,
    checked_code,
    checked_rate,
    normalize_code,
)
from domain.schedule import Frequency, Method

__all__ = [
    "DEFAULT_MAX_AGE", "DEFAULT_MIN_AGE", "MAX_GRACE_DAYS", "MAX_RATE_PERCENT", "MINOR_UNITS",
    "OLDEST_AGE", "RATE_PLACES", "LoanProduct", "ProductTerms", "checked_code", "checked_rate",
    "normalize_code",
]  # fmt: skip


class ProductState(SnapshotState):
    code: str
    minor_unit: int
    terms: ProductTerms
    terms_version: int = 1
    versions: tuple[ProductTerms, ...] = ()

    @model_validator(mode="after")
    def _first_version(self) -> ProductState:
        # Snapshots taken before products had versions hold the one set of terms.
        if not self.versions:
            object.__setattr__(self, "versions", (self.terms,))
        return self


class LoanProduct(Aggregate):
    """A product's terms change by versions: `terms` are those of `terms_version`, the
    latest, and `versions` holds every one (version n at index n - 1), so a loan that
    records the version it was made under can always find its terms."""

    code: str
    minor_unit: int
    terms: ProductTerms
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        terms_version: int
        versions: tuple[ProductTerms, ...]

    class Snapshot(AggregateSnapshot):
        state: ProductState

    class Defined(Aggregate.Created):
        code: str
        minor_unit: int
        terms: ProductTerms

        def apply(self, aggregate: Any) -> None:
            aggregate.code = self.code
            aggregate.minor_unit = self.minor_unit
            aggregate.terms = self.terms
            aggregate.terms_version = 1
            aggregate.versions = (self.terms,)

    class Revised(Aggregate.Event):
        terms_version: int
        terms: ProductTerms

        def apply(self, aggregate: Any) -> None:
            aggregate.terms = self.terms
            aggregate.terms_version = self.terms_version
            aggregate.versions = (*aggregate.versions, self.terms)

    @classmethod
    def define(
        cls, *, actor: str, code: str, terms: ProductTerms, product_id: UUID | None = None
    ) -> LoanProduct:
        checked = terms.checked()
        return cls._create(
            cls.Defined,
            id=product_id,
            actor=actor,
            code=checked_code(code),
            minor_unit=MINOR_UNITS[checked.currency],
            terms=checked,
        )

    def check_application(
        self,
        principal: Decimal,
        term: int,
        frequency: Frequency,
        method: Method,
        annual_rate_percent: Decimal,
    ) -> Decimal:
        """Refuse a loan the product does not offer, naming the limit it breaks."""
        return self.terms.check_loan(
            self.code, self.minor_unit, principal, term, frequency, method, annual_rate_percent
        )

    def check_rate(self, annual_rate_percent: Decimal, field: str) -> None:
        self.terms.check_rate(self.code, annual_rate_percent, field)

    def revise(self, *, actor: str, terms: ProductTerms) -> None:
        """Record `terms` as the product's next version. The currency stays: amounts
        recorded at its minor unit must keep their meaning."""
        checked = terms.checked()
        if checked.currency != self.terms.currency:
            raise InvalidValue("currency", f"must stay {self.terms.currency}")
        if checked == self.terms:
            raise Conflict(f"these are already the terms of version {self.terms_version}")
        self.trigger_event(
            self.Revised, actor=actor, terms_version=self.terms_version + 1, terms=checked
        )

    def terms_of(self, version: int) -> ProductTerms:
        if not 1 <= version <= len(self.versions):
            raise InvalidValue("product_version", f"product {self.code} has no version {version}")
        return self.versions[version - 1]
