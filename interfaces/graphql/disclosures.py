"""Record each showing of personal data in full before the answer shows it.

An identity number, a phone or an account number shown unmasked is recorded as a
disclosure (domain/disclosure.py) naming the reader and whose data it was. The fields
of one request that show such data ask together, through a per-request loader, so a
page of borrowers records one disclosure, not one per borrower; a value asked for twice
in a request is recorded once. The field waits for the record: if it cannot be written,
the field fails and shows nothing.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from uuid import UUID

from strawberry.dataloader import DataLoader

from application.disclosures import RecordDisclosure, record_disclosure
from domain.disclosure import Subject
from interfaces.graphql.context import Context
from interfaces.graphql.store import offload

RECORDED = frozenset({"id_number", "phone", "account"})
Key = tuple[str, UUID, str]  # (whose kind, whose id, field)


async def disclosed(context: Context, fields: set[str], *subjects: tuple[str, UUID]) -> None:
    """Return once it is recorded that the caller sees these `fields` of the `subjects`
    ((kind, id) pairs: whose data) in full; only the fields of RECORDED count."""
    wanted = sorted(fields & RECORDED)
    if wanted:
        loader = _loader(context)
        keys = [(kind, subject, field) for kind, subject in subjects for field in wanted]
        await asyncio.gather(*(loader.load(key) for key in keys))


def _loader(context: Context) -> DataLoader[Key, bool]:
    found = context.loaders.get("disclosures")
    if found is None:

        async def record(keys: list[Key]) -> list[bool]:
            shown: dict[tuple[str, UUID], list[str]] = defaultdict(list)
            for kind, subject, field in keys:
                shown[kind, subject].append(field)
            subjects = [
                Subject(kind=kind, id=subject, fields=tuple(fields))
                for (kind, subject), fields in shown.items()
            ]
            user = context.user
            assert user is not None, "only a signed-in reader is shown personal data"
            command = RecordDisclosure(user.sub, user.office, subjects)
            await offload(record_disclosure, context.app, command)
            return [True] * len(keys)

        found = context.loaders["disclosures"] = DataLoader(load_fn=record)
    return found
