"""Chinese identity numbers: resident ids (GB 11643) and credit codes (GB 32100)."""

from __future__ import annotations

import hmac
from datetime import date

from domain.erasure import ERASED
from domain.errors import InvalidValue

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"

_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_character(first_17_digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(first_17_digits, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def normalize_resident_id(value: str, field: str = "id_number") -> str:
    """Return the 18-character resident id, upper-cased, or raise InvalidValue."""
    number = value.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidValue(field, "a resident id has 17 digits and a check digit or X")
    birth_date_of(number, field)
    if resident_id_check_character(number[:17]) != number[17]:
        raise InvalidValue(field, "the resident id check digit is wrong (GB 11643)")
    return number


def birth_date_of(resident_id: str, field: str = "id_number") -> date:
    try:
        return date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    except ValueError:
        raise InvalidValue(field, "the resident id holds no valid birth date") from None


def credit_code_check_character(first_17: str) -> str:
    total = sum(
        _CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first_17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str, field: str = "id_number") -> str:
    """Return the 18-character unified social credit code, or raise InvalidValue."""
    code = value.strip().upper()
    if len(code) != 18 or any(c not in _CREDIT_CODE_CHARS for c in code):
        raise InvalidValue(field, "a unified social credit code has 18 characters (GB 32100)")
    if credit_code_check_character(code[:17]) != code[17]:
        raise InvalidValue(field, "the credit code check character is wrong (GB 32100)")
    return code


def mask(number: str) -> str:
    """Keep the first 3 and last 4 characters, enough for a person to recognise it
    (an erased number, `domain.erasure.ERASED`, stays as it is)."""
    if number == ERASED:
        return number
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def checked_suffix(value: str, field: str) -> str:
    """The last 4 characters of an id number as a person types them (letters in either
    case); InvalidValue naming `field` for anything else."""
    text = value.strip().upper()
    if len(text) != 4 or not text.isascii() or not text.isalnum():
        raise InvalidValue(field, "must be the last 4 characters of the id number")
    return text


def ends_with(number: str, suffix: str) -> bool:
    """Whether an id number (normalized) ends with a checked suffix, compared in constant
    time (an erased number ends with none)."""
    if number == ERASED or len(number) < len(suffix):
        return False
    return hmac.compare_digest(number[-len(suffix) :].upper(), suffix)
