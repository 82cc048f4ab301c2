"""Entity-tag lists and RFC 9110's two comparisons (13.1.1 strong, 13.1.2 weak)."""

from __future__ import annotations

import pytest

from platform_common.http.conditional import if_match_passes, if_none_match_matches

CURRENT = '"1"'


@pytest.mark.parametrize(
    ("header", "strong", "weak"),
    [
        ('"1"', True, True),
        ('W/"1"', False, True),
        ('"2", W/"1"', False, True),
        ('"2",  "1" ', True, True),
        (' , "2",, "1" , ', True, True),  # empty list elements are allowed
        ("*", True, True),
        ('"2"', False, False),
        ('W/"2"', False, False),
        ('"1,"', False, False),  # a comma inside the quotes belongs to the tag
        ('w/"1"', False, False),  # "W/" is case-sensitive: this is no entity-tag
        ("1", False, False),  # unquoted: no entity-tag at all
        ('"*"', False, False),  # a tag whose opaque part is "*", not the wildcard
        ('"1" "2"', False, False),  # not a list: no comma between the tags
        ("", False, False),
    ],
)
def test_if_match_compares_strongly_and_if_none_match_weakly(header: str, strong: bool, weak: bool) -> None:
    assert (if_match_passes(header, CURRENT), if_none_match_matches(header, CURRENT)) == (strong, weak)
