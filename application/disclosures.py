"""Recording who was shown personal data in full, before it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.app import LendingApplication, Written
from domain.disclosure import MAX_SUBJECTS, Disclosure, Subject


@dataclass(frozen=True)
class RecordDisclosure:
    actor: str
    office: UUID | None
    subjects: list[Subject]


def record_disclosure(app: LendingApplication, command: RecordDisclosure) -> Written:
    """One disclosure per MAX_SUBJECTS records shown, all saved at once."""
    subjects = command.subjects
    disclosures = [
        Disclosure.record(
            actor=command.actor, office=command.office, subjects=subjects[n : n + MAX_SUBJECTS]
        )
        for n in range(0, len(subjects), MAX_SUBJECTS)
    ]
    return app.save_all(*disclosures)
