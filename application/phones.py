"""Phone numbers are validated and stored in E.164 form; read models find them by digest."""

from __future__ import annotations

import phonenumbers

from application.app import LendingApplication
from domain.errors import InvalidValue

DEFAULT_REGION = "CN"


def normalize_phone(value: str, field: str = "phone") -> str:
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidValue(field, "is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(field, "is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def phone_digest(app: LendingApplication, phone: str) -> str:
    """What the read models hold instead of a phone (E.164): equal phones, equal digests."""
    return app.lookup_digest("phone", phone)
