"""The tag normal form: what the pattern leaves to trim is exactly what ``strip()`` trims,
and normalising twice changes nothing (the stored form is its own filter key)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from todo_api.schemas.task import CONTROL_CLASS, SPACE_CLASS, normalize_tag

SPACE = re.compile(f"[{SPACE_CLASS}]")
CONTROL = re.compile(f"[{CONTROL_CLASS}]")


def test_the_control_class_is_unicode_cc() -> None:
    mismatches = [
        hex(code)
        for code in range(0x10000)
        if (unicodedata.category(chr(code)) == "Cc") != bool(CONTROL.match(chr(code)))
    ]
    assert mismatches == []


def test_strip_removes_exactly_the_spaces_of_the_pattern_once_controls_are_refused() -> None:
    mismatches = [
        hex(code)
        for code in range(0x10000)  # every White_Space character is in the BMP
        if not CONTROL.match(chr(code)) and chr(code).isspace() != bool(SPACE.match(chr(code)))
    ]
    assert mismatches == []


@given(st.text(min_size=1, max_size=12))
def test_normalising_twice_changes_nothing(tag: str) -> None:
    once = normalize_tag(tag)
    assert normalize_tag(once) == once
