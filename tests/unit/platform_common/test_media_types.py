from __future__ import annotations

import pytest

from platform_common.http.media_types import _accepts

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("declared", "sent"),
    [
        (JSON, "application/json"),
        (JSON, "Application/JSON; charset=utf-8"),
        (JSON, "application/merge-patch+json"),
        (FORM, FORM),
        (FORM, "application/x-www-form-urlencoded; charset=UTF-8"),
    ],
)
def test_the_declared_media_type_is_accepted_whatever_its_case_and_parameters(
    declared: str, sent: str
) -> None:
    assert _accepts(declared, sent)


@pytest.mark.parametrize(
    ("declared", "sent"),
    [
        (JSON, "text/plain"),
        (JSON, "text/json"),
        (JSON, "application/xml"),
        (JSON, FORM),
        (JSON, "garbage"),
        (FORM, JSON),
        (FORM, "multipart/form-data; boundary=x"),
    ],
)
def test_other_media_types_are_refused(declared: str, sent: str) -> None:
    assert not _accepts(declared, sent)
