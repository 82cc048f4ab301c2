"""Next occurrences of recurrence rules: local wall-clock time, short months, and a bounded
search for rules no date satisfies."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from todo_api.schemas.recurrence import Recurrence
from todo_api.services.recurrence import next_due, occurrences_after_first

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("rule", "due_at", "expected"),
    [
        # 31 January: the next month with a 31st is March.
        (
            "FREQ=MONTHLY;BYMONTHDAY=31",
            datetime(2027, 1, 31, 8, tzinfo=UTC),
            datetime(2027, 3, 31, 7, tzinfo=UTC),
        ),
        # Every other week, from this one's week; summer time starts on 28 March 2027.
        ("FREQ=WEEKLY;INTERVAL=2", datetime(2027, 3, 22, 8, tzinfo=UTC), datetime(2027, 4, 5, 7, tzinfo=UTC)),
        # The last Friday of the month.
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            datetime(2026, 11, 27, 12, tzinfo=UTC),
            datetime(2026, 12, 25, 12, tzinfo=UTC),
        ),
        ("FREQ=DAILY;UNTIL=20261202T000000Z", datetime(2026, 12, 1, 9, tzinfo=UTC), None),
    ],
)
def test_next_due_in_berlin(rule: str, due_at: datetime, expected: datetime | None) -> None:
    assert next_due(rule, due_at, BERLIN) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1",
        "FREQ=YEARLY;BYDAY=53MO;BYMONTHDAY=1",
    ],
)
def test_rules_that_may_have_no_date_at_all_are_refused(rule: str) -> None:
    """From a Monday, every seventh day is never a Tuesday; a fifth Monday is never the 1st:
    dateutil would search until year 9999 (over a second) on the event loop."""
    with pytest.raises(ValidationError):
        TypeAdapter(Recurrence).validate_python(rule)


def test_the_slowest_search_of_an_accepted_rule_is_short() -> None:
    """Every 12th month from February, on the 31st: never, found out in yearly steps."""
    started = time.perf_counter()
    assert (
        next_due("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", datetime(2027, 2, 1, 9, tzinfo=UTC), BERLIN)
        is None
    )
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("rule", "left"), [("FREQ=DAILY", None), ("FREQ=DAILY;COUNT=1", 0), ("FREQ=DAILY;COUNT=5", 4)]
)
def test_count_includes_the_first_occurrence(rule: str, left: int | None) -> None:
    assert occurrences_after_first(rule) == left
