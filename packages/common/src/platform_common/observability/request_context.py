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

from starlette.requests import HTTPConnection
from starlette.types import Scope

_SCOPE_KEY = "platform_common.observation"


@dataclass(slots=True)
class RequestObservation:
    tenant_id: str | None = None
    user_id: str | None = None
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
