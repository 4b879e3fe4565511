"""Identity numbers: GB 11643 resident ids and GB 32100 credit codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.erasure import ERASED
from domain.errors import InvalidValue
from domain.identity import (
    checked_suffix,
    ends_with,
    mask,
    normalize_credit_code,
    normalize_resident_id,
)

# Published examples: the GB 11643 standard's sample and a real-format credit code.
STANDARD_SAMPLE = "11010519491231002X"
CREDIT_CODE = "91350100M000100Y43"


def test_the_standards_sample_resident_id_is_valid() -> None:
    assert normalize_resident_id(STANDARD_SAMPLE.lower()) == STANDARD_SAMPLE


def test_a_known_credit_code_is_valid() -> None:
    assert normalize_credit_code(CREDIT_CODE) == CREDIT_CODE


@given(st.integers(0, 16), st.integers(1, 9))
def test_changing_any_digit_breaks_the_checksum(position: int, delta: int) -> None:
    digits = list(STANDARD_SAMPLE)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    with pytest.raises(InvalidValue) as error:
        normalize_resident_id(changed)
    assert error.value.field == "id_number"


@pytest.mark.parametrize(
    "bad",
    ["", "1101051949123100", "11010519491331002X", "A1010519491231002X", "110105194912310029"],
)
def test_malformed_resident_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue):
        normalize_resident_id(bad)


def test_credit_code_with_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidValue, match="GB 32100"):
        normalize_credit_code(CREDIT_CODE[:-1] + "2")


def test_mask_keeps_only_the_ends() -> None:
    assert mask(STANDARD_SAMPLE) == "110***********002X"


def test_the_last_4_characters_of_an_id_number_as_a_person_types_them() -> None:
    number = STANDARD_SAMPLE
    assert checked_suffix(" 002x ", "id_number_last4") == "002X"
    assert ends_with(number, checked_suffix("002x", "id_number_last4"))
    assert not ends_with(number, "0020")
    assert not ends_with(ERASED, "sed]")  # an erased number ends with nothing
    for typed in ("02X", "0002X", "00-2", "\uff10\uff10\uff12X"):
        with pytest.raises(InvalidValue) as refused:
            checked_suffix(typed, "id_number_last4")
        assert refused.value.field == "id_number_last4"
