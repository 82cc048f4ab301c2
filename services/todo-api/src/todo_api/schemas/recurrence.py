"""Recurrence rules of tasks: the subset of RFC 5545's RRULE (section 3.3.10) the API accepts.

FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL, each
at most once, FREQ required, COUNT and UNTIL not both (the RFC's rules), and no combination
that may have no date at all. The pattern states the grammar, so clients see it in the spec;
the rest is checked here, and the rule is then parsed by python-dateutil (the library that
computes the occurrences). Values are checked before dateutil sees them: it silently
ignores ``BYMONTHDAY=0`` and never returns for ``INTERVAL=0``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from dateutil.rrule import rrule, rrulestr
from pydantic import AfterValidator, Field

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_DAY = "(MO|TU|WE|TH|FR|SA|SU)"
_NUMBER = "[1-9][0-9]{0,2}"  # 1..999, for INTERVAL and COUNT
_PART = (
    f"FREQ=({'|'.join(FREQUENCIES)})"
    f"|INTERVAL={_NUMBER}"
    f"|COUNT={_NUMBER}"
    "|UNTIL=[0-9]{8}T[0-9]{6}Z"
    f"|BYDAY=([+-]?[1-9][0-9]?)?{_DAY}(,([+-]?[1-9][0-9]?)?{_DAY})*"
    "|BYMONTHDAY=[+-]?([1-9]|[12][0-9]|3[01])(,[+-]?([1-9]|[12][0-9]|3[01]))*"
)
RRULE_PATTERN = f"^({_PART})(;({_PART}))*$"
# The largest n of an "nth weekday" (BYDAY=2MO) within the frequency's period (RFC 5545).
_ORDINAL_LIMIT = {"MONTHLY": 5, "YEARLY": 53}
_ANY_START = datetime(2000, 1, 1, tzinfo=UTC)


def parts_of(rule: str) -> dict[str, str]:
    """``{"FREQ": "WEEKLY", "BYDAY": "MO"}`` of a rule already validated."""
    return dict(part.split("=", 1) for part in rule.split(";"))


def parse(rule: str, start: datetime) -> rrule:
    """The rule as dateutil's iterator, its first instance at ``start`` (aware: the
    occurrences keep its wall-clock time in its zone)."""
    parsed = rrulestr(rule, dtstart=start)
    assert isinstance(parsed, rrule)  # noqa: S101  # one RRULE, never a set
    return parsed


def _check(rule: str) -> str:
    names = [part.split("=", 1)[0] for part in rule.split(";")]
    if len(set(names)) != len(names):
        raise ValueError("each rule part may appear only once")
    parts = parts_of(rule)
    if "FREQ" not in parts:
        raise ValueError("FREQ is required")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL may not both be given")
    frequency = parts["FREQ"]
    if frequency == "WEEKLY" and "BYMONTHDAY" in parts:
        raise ValueError("BYMONTHDAY may not be given with FREQ=WEEKLY")
    limit = _ORDINAL_LIMIT.get(frequency, 0)
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    for day in days:
        ordinal = day[:-2].lstrip("+-")
        if ordinal and not 1 <= int(ordinal) <= limit:
            raise ValueError(f"BYDAY {day} is not a weekday of a {frequency.lower()} period")
    # Combinations that can have no date at all (a 5th Monday on the 1st; every 7th day on a
    # weekday the first is not): dateutil would look for one until year 9999, for seconds.
    if any(day[:-2] for day in days) and "BYMONTHDAY" in parts:
        raise ValueError("BYDAY with an ordinal (2MO) may not be combined with BYMONTHDAY")
    if frequency == "DAILY" and parts.get("INTERVAL", "1") != "1" and {"BYDAY", "BYMONTHDAY"} & parts.keys():
        raise ValueError("FREQ=DAILY with an INTERVAL may not be combined with BYDAY or BYMONTHDAY")
    try:
        parse(rule, _ANY_START)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid RRULE: {exc}") from exc
    return rule


Recurrence = Annotated[
    str,
    Field(
        max_length=500,
        pattern=RRULE_PATTERN,
        description=(
            "RFC 5545 RRULE value: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY) with optional INTERVAL,"
            " BYDAY, BYMONTHDAY, COUNT or UNTIL (UTC, e.g. 20261231T230000Z); not an ordinal BYDAY"
            " (2MO) with BYMONTHDAY, nor FREQ=DAILY with INTERVAL > 1 and BYDAY or BYMONTHDAY (they"
            " may have no date at all). Needs `due_at`: the"
            " occurrences follow it at the same local time in the owner's `time_zone`; completing"
            " the task creates the next one."
        ),
        examples=["FREQ=WEEKLY;BYDAY=MO"],
    ),
    AfterValidator(_check),
]
