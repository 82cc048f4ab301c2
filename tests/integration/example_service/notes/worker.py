"""A worker of the service: logs, metrics and traces from ``worker_observability``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from opentelemetry import trace
from prometheus_client import Counter

from platform_common.db.database import Database
from platform_common.observability.metrics_server import MetricsServer
from platform_common.observability.setup import worker_observability

from . import __version__
from .app import NotesSettings
from .repository import NoteRepository

PURGED = Counter("example_notes_purged_total", "Done notes the worker removed.")
logger = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)


@dataclass(frozen=True)
class NotesWorker:
    database: Database
    metrics: MetricsServer | None

    async def purge_done(self, tenant_ids: Iterable[uuid.UUID]) -> int:
        """Remove the done notes of each tenant, each in its own unit of work."""
        with tracer.start_as_current_span("purge_done_notes"):
            purged = 0
            for tenant_id in tenant_ids:
                async with self.database.transaction(tenant_id) as transaction:
                    purged += await NoteRepository(transaction).purge_done()
            PURGED.inc(purged)
            logger.info("notes_purged", count=purged)
            return purged


@asynccontextmanager
async def running_worker(settings: NotesSettings) -> AsyncIterator[NotesWorker]:
    database = Database(settings, application_name=f"{settings.service_name}-worker")
    await database.connect()
    try:
        async with worker_observability(
            settings, service_version=__version__, pool_stats=database.stats
        ) as metrics:
            yield NotesWorker(database, metrics)
    finally:
        await database.close()
