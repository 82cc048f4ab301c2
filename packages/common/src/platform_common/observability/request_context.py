"""What the access line learns during a request: who the caller is and what blew up.

The middleware puts one mutable holder both in the ASGI scope and in a context variable.
Code deep in the request mutates the *holder*; it never sets a context variable itself,
because a value set inside a FastAPI dependency (run in a thread pool when sync, or behind
a ``BaseHTTPMiddleware`` task) does not propagate back out to the middleware.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import trace
from starlette.requests import HTTPConnection
from starlette.types import Scope

_SCOPE_KEY = "platform_common.observation"


@dataclass(slots=True)
class RequestObservation:
    tenant_id: str | None = None
    user_id: str | None = None
    client_ip: str | None = None  # the attributed client (after trusted proxies), once known
    exception: BaseException | None = None


_current: ContextVar[RequestObservation | None] = ContextVar("platform_common_observation", default=None)


@contextmanager
def observing(scope: Scope) -> Iterator[RequestObservation]:
    """Open the holder of one request (the observability middleware does this)."""
    observation = RequestObservation()
    scope[_SCOPE_KEY] = observation
    token = _current.set(observation)
    try:
        yield observation
    finally:
        _current.reset(token)


def current_observation() -> RequestObservation | None:
    return _current.get()


def _observation_of(target: HTTPConnection | Scope) -> RequestObservation | None:
    scope = target.scope if isinstance(target, HTTPConnection) else target
    observation = scope.get(_SCOPE_KEY)
    return observation if isinstance(observation, RequestObservation) else None


def bind_identity(target: HTTPConnection | Scope, *, tenant_id: object, user_id: object) -> None:
    """Record the authenticated caller for the access line and every later log line.

    Call it from the current-user dependency once the token is verified::

        bind_identity(request, tenant_id=claims.tenant_id, user_id=claims.subject)

    A no-op when observability is not installed.
    """
    observation = _observation_of(target)
    if observation is not None:
        observation.tenant_id = None if tenant_id is None else str(tenant_id)
        observation.user_id = None if user_id is None else str(user_id)


def bind_client_ip(target: HTTPConnection | Scope, client_ip: str) -> None:
    """Record the client address the service attributed the request to (a trusted proxy's
    ``X-Forwarded-For`` hop, or the socket peer), so the access line shows what limits saw."""
    observation = _observation_of(target)
    if observation is not None:
        observation.client_ip = client_ip


def hand_over_exception(scope: Scope, exc: BaseException) -> bool:
    """Give an unhandled exception that was turned into a 500 to the access line.

    The access line logs it once, with the request. It is also recorded on the server span
    now: the span ends with the response, before the access line is written, and the
    exception never reaches the instrumentation that would record it. False when no access
    line will be written (observability not installed): the caller must log it itself.
    """
    observation = _observation_of(scope)
    if observation is None:
        return False
    observation.exception = exc
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(exc)
    return True
