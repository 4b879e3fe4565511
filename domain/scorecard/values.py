"""Reading raw feature values: whatever a caller or a CSV file holds becomes a number,
a category, or missing. Nothing here raises: a value that cannot be read is missing,
and every model has a value for missing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Spellings of "no value" seen in exported spreadsheets; compared after casefolding.
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})


def is_missing_text(text: str) -> bool:
    return text.strip().casefold() in MISSING_TOKENS


def as_number(value: object) -> Decimal | None:
    """A finite Decimal, or None when the value is missing or not a number."""
    number: Decimal
    if isinstance(value, bool):
        number = Decimal(int(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest text that reads back as this float: 0.35, not 0.34999...
        number = Decimal(repr(value)) if value == value else Decimal("NaN")
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return number if number.is_finite() else None


def as_category(value: object) -> str | None:
    """A category key (trimmed, casefolded), or None when the value is missing."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | int | Decimal):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        return None
    key = text.strip().casefold()
    return None if key in MISSING_TOKENS else key
