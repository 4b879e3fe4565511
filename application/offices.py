"""Office use cases: the head office (opened lazily), branches and sub-branches."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from application.calendar import SYSTEM
from domain.errors import InvalidValue, NotFound
from domain.office import HEAD_OFFICE_ID, Office


def head_office(app: LendingApplication, actor: str = SYSTEM) -> Office:
    """The head office, opened the first time anything asks for it (recorded as opened
    by `actor`, whose command needed it)."""
    try:
        return app.load(Office, HEAD_OFFICE_ID, "office")
    except NotFound:
        pass
    office = Office.open_head(actor=actor)
    try:
        app.save_all(office)
    except IntegrityError:  # another process opened it first
        return app.load(Office, HEAD_OFFICE_ID, "office")
    return office


def existing_office(app: LendingApplication, office_id: UUID, field: str, actor: str) -> Office:
    """The office `office_id`; InvalidValue naming `field` when there is none."""
    if office_id == HEAD_OFFICE_ID:
        return head_office(app, actor)
    try:
        return app.load(Office, office_id, "office")
    except NotFound:
        raise InvalidValue(field, "no office has this id") from None


@dataclass(frozen=True)
class OpenOffice:
    actor: str
    name: str
    parent_id: UUID


def open_office(app: LendingApplication, command: OpenOffice) -> Written:
    existing_office(app, command.parent_id, "parent_id", command.actor)
    office = Office.open(actor=command.actor, name=command.name, parent_id=command.parent_id)
    return app.save_all(office)


def open_head_office(app: LendingApplication) -> int:
    """Open the head office if no one has yet; the store's last position after."""
    head_office(app)
    return app.recorder.max_notification_id() or 0
