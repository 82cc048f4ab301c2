"""One pure ASGI middleware: the canonical access line and the RED metrics of every request.

It sits just inside the request-id middleware (so the id is known) and outside every
other middleware and the error handling, so it sees the final status of every answer:
500s, and rejections by other middleware (host checks, body limits) included. An unhandled exception is handed
over by ``UnhandledErrorMiddleware`` (or caught here when that is absent) and logged once,
with a structured traceback, on the access line itself; 4xx lines never carry one.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext

import structlog
from opentelemetry.instrumentation.utils import suppress_instrumentation
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_common.client_ip import Network, client_ip
from platform_common.observability import http_metrics
from platform_common.observability.request_context import RequestObservation, observing
from platform_common.observability.routes import RouteTemplates, arrival
from platform_common.request_id import current_request_id

access_logger = structlog.stdlib.get_logger("access")


class ObservabilityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTemplates,
        record_metrics: bool,
        untraced_paths: Collection[str],
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self._trusted_proxies = tuple(trusted_proxies)
        self._routes = routes
        self._record_metrics = record_metrics
        self._untraced_paths = frozenset(untraced_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = arrival(scope)
        method = http_metrics.bounded_method(scope["method"])
        status: int | None = None

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # Health probes get no server span (excluded in tracing); their queries get none either.
        quiet: AbstractContextManager[None] = (
            suppress_instrumentation() if scope["path"] in self._untraced_paths else nullcontext()
        )
        if self._record_metrics:
            http_metrics.IN_PROGRESS.labels(method).inc()
        started = time.perf_counter()
        with observing(scope) as observation:
            try:
                with quiet:
                    await self.app(scope, receive, send_observed)
            except Exception as exc:
                observation.exception = exc
                raise
            finally:
                seconds = time.perf_counter() - started
                route = self._routes.resolve(scope, arrived)
                final_status = status or 500  # no response started: the server answers 500
                if self._record_metrics:
                    http_metrics.IN_PROGRESS.labels(method).dec()
                    http_metrics.observe_request(method, route, final_status, seconds)
                client = client_ip(scope, self._trusted_proxies) if scope.get("client") else None
                _log_access(scope, observation, method, route, final_status, seconds, client)


def _log_access(
    scope: Scope,
    observation: RequestObservation,
    method: str,
    route: str,
    status: int,
    seconds: float,
    client: str | None,
) -> None:
    fields = {
        "request_id": current_request_id(),
        "tenant_id": observation.tenant_id,
        "user_id": observation.user_id,
        "method": method,
        "route": route,
        "path": scope["path"],
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client_ip": client,
    }
    if observation.exception is not None:
        access_logger.error("http_request", exc_info=observation.exception, **fields)
    elif status >= 500:
        access_logger.error("http_request", **fields)
    else:
        access_logger.info("http_request", **fields)
