"""Date-times as the spec says them: RFC 3339 (``format: date-time``), answered in UTC.

A request's date-time is read by RFC 3339's grammar (section 5.6), the whole value and
nothing else: ``T`` and ``Z`` in either case (section 5.6's note), seconds and an offset
required, ASCII digits only. That is exactly what JSON Schema's ``date-time`` admits, so a
client validating against the spec and the server agree; pydantic's own parser would also
take ``2026-12-01 17:00Z``, ``...T17:00:00+0100`` or a bare Unix time, and refuse some valid
values (a leap second, year 0000).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from importlib.resources import files
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

# IANA zones from the pinned tzdata package (not the host's database), so the spec is the
# same on every machine, and every name it admits is one ``zoneinfo`` can load.
TimeZoneName = StrEnum(  # type: ignore[misc]
    "TimeZoneName", {zone: zone for zone in files("tzdata").joinpath("zones").read_text().split()}
)

_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)
# The Gregorian calendar repeats every 400 years, weekdays and leap days alike: year 0000
# (valid in RFC 3339, before Python's range) is read as year 400, then moved back.
_CYCLE = 400

_RFC3339 = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<offset_hour>[0-9]{2}):(?P<offset_minute>[0-9]{2}))"
)
_MESSAGE = "must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T17:00:00+01:00"


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # Valid RFC 3339 instants such as 0001-01-01T00:00+14:00 or 9999-12-31T23:00-14:00 lie
        # outside Python's range once in UTC (an OverflowError, a 500). Clamp them to its ends:
        # exact for filters, at most 14 hours off for a due date at the end of the calendar.
        return _EARLIEST if value.year == datetime.min.year else _LATEST


def parse_rfc3339(text: str) -> datetime:
    """The instant ``text`` names, in UTC (clamped to Python's range); ``ValueError`` unless
    the whole of ``text`` is an RFC 3339 date-time. A leap second (``23:59:60`` in UTC) is
    read as the last microsecond before it: Python has no second 60."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(_MESSAGE)
    year, month, day, hour, minute, second = (
        int(match[name]) for name in ("year", "month", "day", "hour", "minute", "second")
    )
    offset = timedelta()
    if not match["utc"]:
        offset_hour, offset_minute = int(match["offset_hour"]), int(match["offset_minute"])
        if offset_hour > 23 or offset_minute > 59:
            raise ValueError(_MESSAGE)
        offset = timedelta(hours=offset_hour, minutes=offset_minute) * (-1 if match["sign"] == "-" else 1)
    year_zero, leap_second = year == 0, second == 60
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))  # beyond microseconds: cut
    try:
        local = datetime(
            _CYCLE if year_zero else year,
            month,
            day,
            hour,
            minute,
            59 if leap_second else second,
            microsecond,
            tzinfo=timezone(offset),
        )
    except ValueError as exc:  # a day, hour, minute or second out of range
        raise ValueError(_MESSAGE) from exc
    instant = _to_utc(local)
    if leap_second:
        if (instant.hour, instant.minute) != (23, 59):
            raise ValueError(_MESSAGE)
        instant = instant.replace(microsecond=999_999)
    if year_zero:
        back = instant.year - _CYCLE
        instant = instant.replace(year=back) if back >= 1 else _EARLIEST
    return instant


def _rfc3339_only(value: object) -> object:
    if isinstance(value, datetime):  # built in code, not read from a request
        return value
    if not isinstance(value, str):
        raise ValueError(_MESSAGE)  # pydantic would also read a bare number as a Unix time
    return parse_rfc3339(value)


# Offsets are required (naive datetimes are ambiguous) and normalised, so a response shows
# the same instant the same way whether it came from the request or the database.
UtcDateTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_to_utc)]


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# A timestamptz read back from PostgreSQL. asyncpg writes datetime.max / datetime.min in UTC
# (a due date of 9999-12-31T23:59:59.999999Z, say) as PostgreSQL's +/-infinity and reads
# those back as *naive* datetime.max / min; the column is UTC, so say so, or the response
# would carry a date-time without an offset.
StoredDateTime = Annotated[datetime, AfterValidator(_assume_utc)]
