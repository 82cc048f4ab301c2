"""Database failures as API errors: an unavailable database is a 503 with ``Retry-After``,
a violated constraint a 4xx, and never a 500 that carries SQL or values.

asyncpg's exceptions name the constraint (``constraint_name``) and keep the offending
values in ``detail``; only the constraint name is used here, so no value reaches a client.
Nor a log: their text quotes values too (a bad cast its input, a violation's ``DETAIL`` the
key or the whole row, a ``RAISE`` whatever it was given, asyncpg an argument it could not
encode), so an unexpected one is logged as ``DatabaseError``, which keeps only the class,
the SQLSTATE and the names of the objects involved, with the original traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from platform_common.error_handlers import envelope_response
from platform_common.errors import APIError, Conflict, ServiceUnavailable, UnprocessableEntity

logger = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = "5"
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "53300",  # too_many_connections
        "08000",  # connection_exception and friends
        "08003",
        "08006",
        "08001",
        "08004",
    }
)
# Errors that mean the connection itself is gone (the server restarted or dropped us).
_CONNECTION_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
)


# What an unexpected database error may show in a log: codes and names, never values.
_LOGGABLE_FIELDS = (
    "sqlstate",
    "constraint_name",
    "schema_name",
    "table_name",
    "column_name",
    "data_type_name",
)


class DatabaseError(Exception):
    """An unexpected database error as the logs show it (see ``without_values``)."""


def without_values(exc: BaseException) -> DatabaseError:
    """``exc`` with its text replaced by its class, SQLSTATE and object names; same traceback."""
    fields = [f"{name}={value}" for name in _LOGGABLE_FIELDS if (value := getattr(exc, name, None))]
    return DatabaseError(" ".join([type(exc).__name__, *fields])).with_traceback(exc.__traceback__)


def is_connection_lost(exc: BaseException) -> bool:
    return isinstance(exc, _CONNECTION_LOST)


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot serve now (down, restarting, overloaded, too slow)."""
    if isinstance(exc, asyncpg.PostgresError):
        return exc.sqlstate in _UNAVAILABLE_SQLSTATES
    return isinstance(exc, (*_CONNECTION_LOST, OSError, asyncio.TimeoutError))


def constraint_error(
    exc: asyncpg.IntegrityConstraintViolationError, known: Mapping[str, Callable[[], APIError]]
) -> APIError:
    """The API error for a violated constraint: the one the service mapped by constraint
    name, else a generic 409 (uniqueness, references) or 422 (checks, required values)."""
    name = getattr(exc, "constraint_name", None) or ""
    if name in known:
        return known[name]()
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        return UnprocessableEntity("A value breaks a rule of the stored data")
    return Conflict("The request conflicts with the stored data")


@contextmanager
def constraints_mapped(known: Mapping[str, Callable[[], APIError]]) -> Iterator[None]:
    """Inside the block, a violated constraint becomes the API error the service names for
    it (``{"uq_user_email": lambda: Conflict(...)}``), or a generic 409/422."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise constraint_error(exc, known) from exc


def _unavailable(reason: str) -> JSONResponse:
    logger.error("database_unavailable", reason=reason)
    error = ServiceUnavailable("The database is unavailable; retry later")
    return envelope_response([error.to_error_object()], 503, {"Retry-After": RETRY_AFTER_SECONDS})


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    if is_unavailable(exc):
        reason = exc.sqlstate if isinstance(exc, asyncpg.PostgresError) else type(exc).__name__
        return _unavailable(str(reason))
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        error = constraint_error(exc, {})
        return envelope_response([error.to_error_object()], error.status_code, error.headers)
    # A real bug: the edge middleware logs it and answers 500. Not its text, nor its cause.
    raise without_values(exc) from None


def install_database_error_handlers(app: FastAPI) -> None:
    for kind in (
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        ConnectionError,
        OSError,
        asyncio.TimeoutError,
    ):
        app.add_exception_handler(kind, _database_error)
