"""Borrowers log in with a one-time code sent by SMS to their phone (domain/login_codes.py).

`request_code` issues a code for any valid phone and answers the message to send only
when exactly one borrower has the phone (found by its keyed digest in the read model,
then checked against the Borrower aggregate): an unknown phone, or one several
borrowers share, gets a code no one receives, limited the same way, so the caller's
answer is the same. `log_in` answers the borrower a code logs in; Unauthenticated for
anything else, with one message whatever failed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.app import LendingApplication
from application.contacts import contacts
from application.notice_delivery import Message
from application.phones import normalize_phone, phone_digest
from domain.errors import InvalidValue, NotFound, Unauthenticated
from domain.login_codes import LoginCodes
from domain.notifications import Channel

REFUSED = "the phone or the code is wrong, or the code has expired"
TEMPLATE = "login_code"  # LENDING_SMS_TEMPLATES maps it to the provider's template id
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


def request_code(
    app: LendingApplication, command: RequestCode, borrowers_with_phone: BorrowersWithPhone
) -> Message | None:
    """Issue a code for the phone; the SMS to send, if the phone is one borrower's.
    InvalidValue naming `phone` for a phone that is not one; TooManyCodes past the limit."""
    phone = normalize_phone(command.phone)
    policy = app.policies.codes
    borrower_id = _borrower_of(app, phone, borrowers_with_phone)
    code = policy.code_of(secrets.randbelow(10**policy.digits))
    salt = secrets.token_hex(16)
    codes_id = _codes_id(app, phone)

    def issue() -> None:
        codes = _codes(app, codes_id) or LoginCodes.open(codes_id)
        codes.issue(
            at=command.at, salt=salt, digest=_digest(app, salt, code), borrower_id=borrower_id,
            client=command.client, policy=policy,
        )  # fmt: skip
        app.save_all(codes)

    app.retrying(issue)
    if borrower_id is None:
        return None
    minutes = policy.valid_minutes
    # The lender's default language; providers send their approved template with `params`.
    body = f"您的登录验证码为{code}，{minutes}分钟内有效，请勿泄露给他人。"  # noqa: RUF001
    variables = {"code": code, "minutes": str(minutes)}
    return Message(Channel.SMS, phone, TEMPLATE, "", body, variables)


def log_in(app: LendingApplication, command: LogIn) -> UUID:
    """The borrower the phone's live code logs in; Unauthenticated otherwise. A wrong
    code counts against the code, and enough of them void it."""
    try:
        phone = normalize_phone(command.phone)
        code = app.policies.codes.checked_code(command.code)
    except InvalidValue:
        raise Unauthenticated(REFUSED) from None
    codes_id = _codes_id(app, phone)
    policy = app.policies.codes

    def redeem() -> UUID | None:
        codes = _codes(app, codes_id)
        if codes is None or codes.salt is None:
            return None
        found = codes.redeem(
            at=command.at, digest=_digest(app, codes.salt, code), client=command.client,
            policy=policy,
        )  # fmt: skip
        app.save_all(codes)  # a failure or a use, or nothing (no live code)
        return found

    borrower_id = app.retrying(redeem)
    if borrower_id is None:
        raise Unauthenticated(REFUSED)
    return borrower_id


def _borrower_of(
    app: LendingApplication, phone: str, borrowers_with_phone: BorrowersWithPhone
) -> UUID | None:
    found = borrowers_with_phone(phone_digest(app, phone))
    if len(found) != 1:
        return None
    contact = contacts(app, found)[0]
    return found[0] if contact is not None and contact.phone == phone else None


def _codes_id(app: LendingApplication, phone: str) -> UUID:
    return app.claim_id("borrower-login", phone)


def _codes(app: LendingApplication, codes_id: UUID) -> LoginCodes | None:
    try:
        return app.load(LoginCodes, codes_id, "login codes")
    except NotFound:
        return None


def _digest(app: LendingApplication, salt: str, code: str) -> str:
    return app.lookup_digest("login-code", f"{salt}:{code}")
