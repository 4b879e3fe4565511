"""Borrowers log in with a one-time code sent by SMS to their phone (domain/login_codes.py).

`request_code` issues a code for any valid phone and answers the message to send only
when a borrower has the phone (found by its keyed digest in the read model, then
checked against the Borrower aggregate): an unknown phone gets a code no one receives,
limited the same way, so the caller's answer is the same. `log_in` answers the session
a code starts (application/borrower_sessions.py); Unauthenticated for anything else,
with one message whatever failed. A phone several borrowers share logs in only the one
the last 4 characters of its id number pick, once the code is proved; the number is
compared in memory, from the Borrower aggregate, and is neither stored nor logged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.app import LendingApplication
from application.borrower_sessions import start_session
from application.contacts import contacts
from application.notice_delivery import Message
from application.notice_templates import LOGIN_CODE, render_login_code
from application.phones import normalize_phone, phone_digest
from domain.borrower import Borrower
from domain.errors import InvalidValue, NotFound, Unauthenticated
from domain.identity import checked_suffix, ends_with
from domain.login_codes import IDENTIFICATION, LoginCodes, Redemption
from domain.notifications import Channel
from domain.staff import StaffSession

REFUSED = "the phone or the code is wrong, or the code has expired"
TEMPLATE = LOGIN_CODE  # LENDING_SMS_TEMPLATES maps it to the provider's template id
# The read model's borrowers with the phone of a digest (projections/borrowers.py).
BorrowersWithPhone = Callable[[str], list[UUID]]


@dataclass(frozen=True)
class RequestCode:
    phone: str = field(repr=False)
    client: str
    at: datetime


@dataclass(frozen=True)
class LogIn:
    phone: str = field(repr=False)
    code: str = field(repr=False)
    client: str
    at: datetime
    holds: timedelta = timedelta(hours=1)  # how long the session (its token) lasts
    # The last 4 characters of the id number: needed only for a shared phone.
    id_number_last4: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BorrowerSession:
    borrower_id: UUID
    session_id: UUID


def request_code(
    app: LendingApplication, command: RequestCode, borrowers_with_phone: BorrowersWithPhone
) -> Message | None:
    """Issue a code for the phone; the SMS to send, if the phone is one borrower's.
    InvalidValue naming `phone` for a phone that is not one; TooManyCodes past the limit."""
    phone = normalize_phone(command.phone)
    policy = app.policies.codes
    holders = _borrowers_of(app, phone, borrowers_with_phone)
    borrower_id = holders[0] if len(holders) == 1 else None
    code = policy.code_of(secrets.randbelow(10**policy.digits))
    salt = secrets.token_hex(16)
    codes_id = _codes_id(app, phone)

    def issue() -> None:
        codes = _codes(app, codes_id) or LoginCodes.open(codes_id)
        codes.issue(
            at=command.at, salt=salt, digest=_digest(app, salt, code), borrower_id=borrower_id,
            client=command.client, policy=policy, shared_by=tuple(holders),
        )  # fmt: skip
        app.save_all(codes)

    app.retrying(issue)
    if not holders:
        return None
    # Providers send their approved template with `params`; `text` is ours, rendered.
    variables = {"code": code, "minutes": str(policy.valid_minutes)}
    return Message(Channel.SMS, phone, TEMPLATE, "", render_login_code(policy, variables),
                   variables)  # fmt: skip


def log_in(app: LendingApplication, command: LogIn) -> BorrowerSession:
    """The session the phone's live code starts; Unauthenticated otherwise. A wrong
    code counts against the code, and enough of them void it. For a shared phone, the
    right code with no `id_number_last4`, or one fitting several of its borrowers, is
    InvalidValue naming it; one fitting none is too, and counts as a wrong code."""
    try:
        phone = normalize_phone(command.phone)
        code = app.policies.codes.checked_code(command.code)
    except InvalidValue:
        raise Unauthenticated(REFUSED) from None
    given = command.id_number_last4
    codes_id = _codes_id(app, phone)
    policy = app.policies.codes

    def redeem() -> tuple[Redemption, UUID | None]:
        codes = _codes(app, codes_id)
        if codes is None or codes.salt is None:
            return Redemption(), None
        digest = _digest(app, codes.salt, code)
        fitting = None  # looked for (and the field checked) only once the code is proved
        if given is not None and codes.shared_by and codes.proves(command.at, digest):
            fitting = _fitting(app, codes.shared_by, checked_suffix(given, IDENTIFICATION))
        found = codes.redeem_as(
            at=command.at, digest=digest, client=command.client, policy=policy,
            fitting=fitting,
        )  # fmt: skip
        session = _session(app, found.borrower_id, command)
        app.save_all(codes, *([session] if session else []))  # a failure, a use, or nothing
        return found, session.id if session else None

    found, session_id = app.retrying(redeem)
    if found.refusal is not None:
        raise InvalidValue(IDENTIFICATION, found.refusal)
    if found.borrower_id is None or session_id is None:
        raise Unauthenticated(REFUSED)
    return BorrowerSession(found.borrower_id, session_id)


def _session(
    app: LendingApplication, borrower_id: UUID | None, command: LogIn
) -> StaffSession | None:
    """The session of the borrower a code logged in; None for no one, or one erased
    since the code was sent."""
    if borrower_id is None:
        return None
    borrower = app.load(Borrower, borrower_id, "borrower")
    if borrower.is_erased:
        return None
    return start_session(borrower, at=command.at, client=command.client, holds=command.holds)


def _fitting(
    app: LendingApplication, borrower_ids: tuple[UUID, ...], suffix: str
) -> tuple[UUID, ...]:
    """Those of the borrowers whose id number ends with `suffix`."""
    return tuple(
        borrower_id for borrower_id in borrower_ids
        if ends_with(app.load(Borrower, borrower_id, "borrower").id_number, suffix)
    )  # fmt: skip


def _borrowers_of(
    app: LendingApplication, phone: str, borrowers_with_phone: BorrowersWithPhone
) -> list[UUID]:
    """The borrowers who hold the phone now (the read model's, checked against each
    aggregate: an erased one or one whose phone changed since does not)."""
    found = borrowers_with_phone(phone_digest(app, phone))
    held = zip(found, contacts(app, found), strict=True)
    return [borrower_id for borrower_id, contact in held if contact and contact.phone == phone]


def _codes_id(app: LendingApplication, phone: str) -> UUID:
    return app.claim_id("borrower-login", phone)


def _codes(app: LendingApplication, codes_id: UUID) -> LoginCodes | None:
    try:
        return app.load(LoginCodes, codes_id, "login codes")
    except NotFound:
        return None


def _digest(app: LendingApplication, salt: str, code: str) -> str:
    return app.lookup_digest("login-code", f"{salt}:{code}")
