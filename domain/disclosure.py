"""Disclosures: who was shown whose personal data in full, and when.

The read models keep identity numbers, phones and accounts masked. An answer that
shows one of them in full records first, in the same request, which reader saw which
fields of whose records, so an auditor can account for every look (PIPL). A
disclosure holds ids and field names only, never the values shown.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.errors import InvalidValue
from domain.model import Aggregate, Immutable

MAX_SUBJECTS = 1000  # records one disclosure names; a larger answer records several


class Subject(Immutable):
    """Whose data: a borrower's, or a loan's (its disbursement account, say)."""

    kind: str  # "borrower" or "loan"
    id: UUID
    fields: tuple[str, ...]  # what was shown in full: "id_number", "phone", "account"


class Disclosure(Aggregate):
    class PersonalDataShown(Aggregate.Created):
        office: UUID | None
        subjects: tuple[Subject, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate.subjects = self.subjects

    @classmethod
    def record(cls, *, actor: str, office: UUID | None, subjects: list[Subject]) -> Disclosure:
        if not subjects or len(subjects) > MAX_SUBJECTS:
            raise InvalidValue("subjects", f"a disclosure names 1 to {MAX_SUBJECTS} records")
        return cls._create(
            cls.PersonalDataShown, actor=actor, office=office, subjects=tuple(subjects)
        )
