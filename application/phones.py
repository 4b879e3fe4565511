"""Phone numbers are validated and stored in E.164 form."""

from __future__ import annotations

import phonenumbers

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
