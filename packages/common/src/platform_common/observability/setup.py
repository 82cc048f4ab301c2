"""``setup_observability``: the one call that gives a FastAPI service its logs, traces and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import disable_created_metrics
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.client_ip import Network
from platform_common.observability import tracing
from platform_common.observability.metrics_server import MetricsServer
from platform_common.observability.middleware import ObservabilityMiddleware
from platform_common.observability.pool_metrics import sample_pool_forever
from platform_common.observability.routes import RouteTemplates
from platform_common.observability.settings import ObservabilitySettings

DEFAULT_UNTRACED_PATHS = ("/healthz", "/readyz")


def setup_observability(
    app: FastAPI,
    settings: ObservabilitySettings,
    *,
    service_name: str,
    service_version: str,
    engine_getter: Callable[[], AsyncEngine] | None = None,
    untraced_paths: Collection[str] = DEFAULT_UNTRACED_PATHS,
    trusted_proxies: Sequence[Network] = (),
) -> None:
    """Install the access log, RED metrics, tracing, the metrics port and pool gauges.

    Call it in the app factory after ``install_error_handlers`` and every other middleware,
    just before the request-id middleware is added: the request id then wraps this
    middleware, and this middleware wraps everything else. ``engine_getter`` is called after the app's own lifespan has started
    (so ``lambda: app.state.engine`` works); the metrics port and the pool sampler live only
    while the app is served, so building an app (tests, OpenAPI export) binds nothing.
    After startup ``app.state.metrics_server`` is the running server (or None).
    ``trusted_proxies`` are the service's (``platform_common.client_ip``): the access line's
    ``client_ip`` is then the address the service attributes the request to, as its limits do.
    """
    provider = None
    if settings.tracing_enabled:
        resource = tracing.service_resource(
            service_name=service_name, service_version=service_version, environment=settings.environment.value
        )
        provider = tracing.install_tracer_provider(resource)
        tracing.instrument(app, untraced_paths=untraced_paths)
    routes = RouteTemplates()
    app.add_middleware(
        ObservabilityMiddleware,
        routes=routes,
        record_metrics=settings.metrics_enabled,
        untraced_paths=untraced_paths,
        trusted_proxies=trusted_proxies,
    )
    # The access line above replaces uvicorn's (it has the route, the ids and the duration).
    logging.getLogger("uvicorn.access").disabled = True
    # *_created series would double the series count and serve no panel or alert.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    app.state.metrics_server = None

    serve_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with serve_lifespan(app) as state, contextlib.AsyncExitStack() as stack:
            routes.build_index(app.routes)
            if settings.metrics_enabled:
                server = MetricsServer(settings.metrics_host, settings.metrics_port)
                stack.callback(server.close)
                app.state.metrics_server = server
                if engine_getter is not None:
                    stack.push_async_callback(
                        _cancel, asyncio.create_task(sample_pool_forever(engine_getter))
                    )
            if provider is not None:
                stack.push_async_callback(_flush, provider)
            yield state

    app.router.lifespan_context = lifespan


async def _flush(provider: TracerProvider) -> None:
    """Export what is buffered before the worker exits (force_flush blocks; not on the loop)."""
    await anyio.to_thread.run_sync(provider.force_flush)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
