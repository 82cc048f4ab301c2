"""A database that is down, overloaded or too slow is a 503 with ``Retry-After``, never a 500.

The process keeps running: the pool's pre-ping replaces dead connections, so when the
database comes back the next request succeeds without a restart.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from platform_common.error_handlers import envelope_response
from platform_common.errors import ServiceUnavailable

logger = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = "5"
_UNAVAILABLE_SQLSTATES = {
    "57014",  # query_canceled: statement_timeout
    "57P01",  # admin_shutdown
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now
    "53300",  # too_many_connections
}


def _unavailable(reason: str) -> JSONResponse:
    logger.error("database_unavailable", reason=reason)
    error = ServiceUnavailable("The database is unavailable; retry later")
    return envelope_response([error.to_error_object()], 503, {"Retry-After": RETRY_AFTER_SECONDS})


async def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    return _unavailable("pool_timeout")


async def _connection_error(_: Request, exc: Exception) -> JSONResponse:
    return _unavailable(type(exc).__name__)


async def _dbapi_error(_: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, DBAPIError):  # registered for DBAPIError only
        raise exc
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    cause_state = getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None)
    if (
        exc.connection_invalidated
        or isinstance(exc, OperationalError | InterfaceError)
        or {sqlstate, cause_state} & _UNAVAILABLE_SQLSTATES
    ):
        return _unavailable(str(sqlstate or cause_state or type(exc).__name__))
    raise exc  # a real bug: the last-resort handler logs it and answers 500


def install_database_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(ConnectionError, _connection_error)
    app.add_exception_handler(OSError, _connection_error)
    app.add_exception_handler(DBAPIError, _dbapi_error)
