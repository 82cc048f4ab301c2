from __future__ import annotations

import pytest

from platform_common.request_id import is_well_formed


@pytest.mark.parametrize(
    "value", ["0f8fad5b-d9cb-469f-a165-70867728950e", "a" * 32, "req_12345678", "abc.def-123"]
)
def test_well_formed_ids_are_accepted(value: str) -> None:
    assert is_well_formed(value)


@pytest.mark.parametrize(
    "value", ["", "short", "has space in it", "x" * 129, "line\nbreak12", "<script>alert"]
)
def test_malformed_ids_are_replaced(value: str) -> None:
    assert not is_well_formed(value)
