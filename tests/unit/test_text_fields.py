"""The REST text types refuse exactly Unicode's control characters (category Cc)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from interfaces.rest.common import Note, OptionalText

ONE_LINE = TypeAdapter(OptionalText)
LINES = TypeAdapter(Note)


def accepts(adapter: TypeAdapter[str], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def controls(value: str) -> set[str]:
    return {c for c in value if unicodedata.category(c) == "Cc"}


@given(st.text(max_size=200))
def test_one_line_text_is_refused_exactly_when_it_holds_a_control_character(value: str) -> None:
    assert accepts(ONE_LINE, value) == (not controls(value))


@given(st.text(max_size=2000))
def test_notes_keep_tab_and_line_feed_and_refuse_every_other_control(value: str) -> None:
    assert accepts(LINES, value) == (not controls(value) - {"\t", "\n"})


@given(st.sampled_from([chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cc"]))
def test_every_control_character_is_refused_in_a_name(control: str) -> None:
    assert not accepts(ONE_LINE, f"Wang{control}Fang")
