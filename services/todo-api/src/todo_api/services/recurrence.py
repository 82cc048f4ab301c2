"""When a recurring task's next occurrence is due: in the owner's time zone, so "every
Monday 09:00" stays 09:00 local across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from todo_api.schemas.recurrence import parse, parts_of

# How far ahead the next occurrence may be: a rule whose next date lies further (a 5th
# Monday of February every 12 months) ends its series there. It bounds the search only once
# dateutil has a candidate date; the combinations that may have none at all are refused by
# the schema (schemas/recurrence.py), as dateutil would look for one until year 9999.
HORIZON = timedelta(days=366 * 10)


def occurrences_after_first(rule: str) -> int | None:
    """How many occurrences COUNT leaves after the first (RFC 5545: the first one, the task
    itself, counts); None when the rule has no COUNT."""
    count = parts_of(rule).get("COUNT")
    return None if count is None else int(count) - 1


def next_due(rule: str, due_at: datetime, zone: ZoneInfo) -> datetime | None:
    """The first occurrence after ``due_at`` (in UTC), at ``due_at``'s local time in ``zone``;
    None once UNTIL has passed or nothing falls within the horizon. COUNT is not applied
    here: the series carries what is left of it (``occurrences_after_first``)."""
    start = due_at.astimezone(zone)
    limit = start + HORIZON
    until = parts_of(rule).get("UNTIL")
    if until is not None:
        limit = min(limit, datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
    following = parse(rule, start).replace(count=None, until=limit).after(start)
    return None if following is None else following.astimezone(UTC)
