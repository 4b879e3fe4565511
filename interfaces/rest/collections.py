"""REST commands of collections: record a call, visit, letter or legal step on a loan."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from application import collections
from domain.collections import ActionKind
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    App,
    BusinessDate,
    Command,
    ExpectedVersion,
    Money,
    Note,
    RequiredNote,
)

router = APIRouter(prefix="/loans", tags=["collections"])

Collector = Annotated[User, Depends(require(Role.COLLECTOR, Role.ADMIN))]


class CollectionActionBody(Command):
    kind: ActionKind
    outcome: RequiredNote
    promised_amount: Money | None = None
    promised_date: BusinessDate | None = None
    note: Note = ""


@router.post("/{loan_id}/collection-actions", status_code=201)
def record_collection_action(
    loan_id: UUID,
    body: CollectionActionBody,
    app: App,
    user: Collector,
    version: ExpectedVersion,
) -> Accepted:
    """Record an action on the loan's collection case; `id` and `version` are the case's.

    A promise to pay (`promised_amount` with `promised_date`) is judged kept or broken
    by the close of business that moves the business date past the promised date.
    """
    command = collections.RecordAction(
        actor=user.sub, loan_id=loan_id, **body.model_dump(), expected_version=version
    )
    return Accepted.of(collections.record_action(app, command))
