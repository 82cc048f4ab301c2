"""Logs, traces and metrics for a process of this platform: an HTTP service or a worker.

``configure_process`` sets up logging and tracing once, at start-up; ``serving_metrics``
runs the metrics listener (and the pool sampler) while the process serves. An HTTP service
gets both from ``platform_common.app.create_service_app``; a worker calls
``worker_observability`` around its main loop::

    async with worker_observability(settings, service_version=__version__, pool_stats=db.stats):
        await run_forever()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import disable_created_metrics

from platform_common.db.database import PoolStats
from platform_common.logging import configure_logging
from platform_common.observability import tracing
from platform_common.observability.error_reporting import configure_error_reporting
from platform_common.observability.metrics_server import MetricsServer
from platform_common.observability.pool_metrics import sample_pool_forever
from platform_common.observability.settings import ObservabilitySettings


def configure_process(settings: ObservabilitySettings, *, service_version: str) -> TracerProvider | None:
    """Logging (JSON in production), error reporting (when SENTRY_DSN is set) and the tracer
    provider (None when tracing is off)."""
    json_logs = settings.log_format == "json" or (settings.log_format == "auto" and settings.is_production)
    configure_logging(settings.log_level, json_output=json_logs)
    # The edge middleware's access line replaces uvicorn's (it has the route, ids, duration).
    logging.getLogger("uvicorn.access").disabled = True
    # *_created series would double the series count and serve no panel or alert.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    configure_error_reporting(
        settings.sentry_dsn,
        service_name=settings.service_name,
        service_version=service_version,
        environment=settings.environment.value,
    )
    if not settings.tracing_enabled:
        return None
    resource = tracing.service_resource(
        service_name=settings.service_name,
        service_version=service_version,
        environment=settings.environment.value,
    )
    return tracing.install_tracer_provider(resource, sample_ratio=settings.tracing_sample_ratio)


@asynccontextmanager
async def serving_metrics(
    settings: ObservabilitySettings,
    *,
    provider: TracerProvider | None,
    pool_stats: Callable[[], PoolStats] | None = None,
) -> AsyncIterator[MetricsServer | None]:
    """The metrics listener and pool sampler while the block runs; buffered spans are
    exported when it ends. Nothing binds a port before the block: building an app (tests,
    the spec export) opens nothing."""
    async with contextlib.AsyncExitStack() as stack:
        server = None
        if settings.metrics_enabled:
            server = MetricsServer(settings.metrics_host, settings.metrics_port)
            stack.callback(server.close)
            if pool_stats is not None:
                stack.push_async_callback(_cancel, asyncio.create_task(sample_pool_forever(pool_stats)))
        if provider is not None:
            stack.push_async_callback(_flush, provider)
        yield server


@asynccontextmanager
async def worker_observability(
    settings: ObservabilitySettings,
    *,
    service_version: str,
    pool_stats: Callable[[], PoolStats] | None = None,
) -> AsyncIterator[MetricsServer | None]:
    """Everything a non-HTTP process (a queue worker, a scheduler) needs, from the same settings."""
    provider = configure_process(settings, service_version=service_version)
    async with serving_metrics(settings, provider=provider, pool_stats=pool_stats) as server:
        yield server


async def _flush(provider: TracerProvider) -> None:
    """Export what is buffered before the process exits (force_flush blocks; not on the loop)."""
    await anyio.to_thread.run_sync(provider.force_flush)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
