"""How phones, names and addresses are masked, and how names are searched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.app import LendingApplication
from domain.masking import (
    mask_address,
    mask_name,
    mask_phone,
    name_query_digests,
    name_search_digests,
    search_form,
)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613800138000", "138****8000"),  # a mainland mobile: its national number
        ("+861012345678", "****5678"),  # a Beijing landline: 10 digits
        ("+447911123456", "+447****3456"),  # abroad: + and the country code stay
        ("+85221234567", "+852****4567"),  # Hong Kong, 8 national digits
        ("+8612345678", "****5678"),  # 9 digits
        ("+861234567", "****"),  # 7 digits: too short to show any of it
        ("", "****"),
    ],
)
def test_phones_keep_at_most_the_first_3_and_last_4_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(st.text(alphabet="0123456789", max_size=16))
def test_a_masked_phone_hides_at_least_4_digits_and_shows_at_most_7(digits: str) -> None:
    national = digits[2:] if digits.startswith("86") else digits
    masked = mask_phone("+" + digits)
    shown = "".join(c for c in masked if c.isdigit())
    assert "****" in masked
    assert len(shown) <= min(7, max(0, len(national) - 4))
    head, _, tail = masked.lstrip("+").partition("****")
    assert national.startswith(head)
    assert national.endswith(tail)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王芳", "王*"), ("王小明", "王*明"), ("Wang Fang", "W*******g"), ("王", "*"), (" ", "")],
)
def test_names_keep_the_first_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_addresses_keep_at_most_their_first_6_characters() -> None:
    assert mask_address("北京市朝阳区建国路88号院3号楼1单元") == "北京市朝阳区****"
    assert mask_address("12 Tea Garden Road, Wuhan") == "12 Tea****"
    assert mask_address("Wuhan") == "W****"
    assert mask_address("") == ""


def test_names_are_searched_case_width_and_spacing_aside() -> None:
    assert search_form("  Wang   FANG ") == "wang fang"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in "WANG") + "\u3000" + "\uff26\uff41\uff4e\uff47"
    assert search_form(wide) == "wang fang"  # full-width letters and space
    assert search_form("王 芳") == "王 芳"


def test_lookup_digests_are_keyed() -> None:
    one = LendingApplication({"CLAIM_KEY": "one", "PERSISTENCE_MODULE": "eventsourcing.popo"})
    two = LendingApplication({"CLAIM_KEY": "two", "PERSISTENCE_MODULE": "eventsourcing.popo"})
    phone = "+8613800138000"
    assert one.lookup_digest("phone", phone) == one.lookup_digest("phone", phone)
    assert one.lookup_digest("phone", phone) != two.lookup_digest("phone", phone)
    assert phone not in one.lookup_digest("phone", phone)
    assert one.lookup_digest("phone", phone) != one.lookup_digest("id_number", phone)


@given(name=st.text(min_size=1, max_size=30), data=st.data())
def test_every_part_of_a_name_is_found_by_its_digests_and_the_name_is_not_stored(
    name: str, data: st.DataObject
) -> None:
    key = b"lookup key"
    form = search_form(name)
    start = data.draw(st.integers(0, max(0, len(form) - 1)))
    end = data.draw(st.integers(start, len(form)))
    stored = set(name_search_digests(key, name))
    assert set(name_query_digests(key, form[start:end])) <= stored
    assert form not in stored
    assert not set(name_query_digests(b"another key", form)) & stored  # useless without the key
