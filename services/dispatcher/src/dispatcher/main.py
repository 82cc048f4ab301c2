"""``python -m dispatcher``: drain the outbox until SIGTERM.

The queue (pgqueuer's ``QueueManager``) runs on one dedicated, direct connection: it LISTENs
for the NOTIFY each enqueue sends and dequeues with ``FOR UPDATE SKIP LOCKED``, so any
number of dispatchers share the work. Jobs run on the pool, each in its tenant: an event's
fan-out, a webhook delivery attempt (``dispatcher.delivery``), an e-mail (``dispatcher.mail``).

- SIGTERM/SIGINT: no new job is taken; deliveries in flight finish (each is bounded by the
  connect and read timeouts), their outcomes are recorded, then the process exits 0.
- SIGKILL mid-delivery loses nothing: the job stays picked, its heartbeat stops, and after
  ``DISPATCHER_HEARTBEAT_SECONDS`` a dispatcher picks it again and delivers it (an e-mail
  the server had already accepted is sent again: at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from datetime import timedelta

import asyncpg
import structlog
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.models import Job
from sqlmodel import SQLModel

from dispatcher import __version__
from dispatcher.config import DispatcherSettings, get_settings
from dispatcher.delivery import Dispatcher
from dispatcher.mail import Mailer, transport_for
from dispatcher.metrics import sample_backlog_forever
from platform_common.db.database import Database
from platform_common.db.posture import posture_problems
from platform_common.db.tables import tenant_tables
from platform_common.events.queue import DELIVER, FAN_OUT, MAIL
from platform_common.http.egress import egress_client, system_resolver
from platform_common.observability.setup import worker_observability

logger = structlog.get_logger(__name__)


async def check_posture(database: Database, settings: DispatcherSettings) -> None:
    """The dispatcher reads every tenant's events: only under a role RLS binds (as the API)."""
    async with database.connection() as connection:
        problems = await posture_problems(connection, tenant_tables(SQLModel.metadata))
    if problems and settings.is_production:
        raise RuntimeError("unsafe database posture: " + "; ".join(problems))
    for problem in problems:
        logger.warning("unsafe_database_posture", problem=problem)


def queue_manager(connection: asyncpg.Connection, dispatcher: Dispatcher, mailer: Mailer) -> QueueManager:
    manager = QueueManager(Queries(AsyncpgDriver(connection)))

    @manager.entrypoint(FAN_OUT)
    async def fan_out(job: Job) -> None:
        await dispatcher.fan_out(job)

    @manager.entrypoint(DELIVER)
    async def deliver(job: Job) -> None:
        await dispatcher.deliver(job)

    @manager.entrypoint(MAIL)
    async def send_mail(job: Job) -> None:
        await mailer.send(job)

    return manager


async def run(settings: DispatcherSettings) -> None:
    database = Database(settings, application_name=settings.service_name)
    async with contextlib.AsyncExitStack() as stack:
        await database.connect()  # before the pool sampler starts (a server that is down: on first use)
        stack.push_async_callback(database.close)
        await stack.enter_async_context(
            worker_observability(settings, service_version=__version__, pool_stats=database.stats)
        )
        for name in settings.secrets_at_default():
            logger.warning("development_secret_in_use", setting=name)
        await check_posture(database, settings)
        http = await stack.enter_async_context(
            egress_client(
                connect_timeout=settings.webhook_connect_timeout_seconds,
                read_timeout=settings.webhook_read_timeout_seconds,
            )
        )
        queue_connection = await asyncpg.connect(
            settings.database_url, server_settings={"application_name": f"{settings.service_name}-queue"}
        )
        stack.push_async_callback(queue_connection.close)
        dispatcher = Dispatcher(settings, database, http, resolver=system_resolver)
        mailer = Mailer(settings, database, dispatcher.secrets, transport_for(settings))
        manager = queue_manager(queue_connection, dispatcher, mailer)
        sampler = asyncio.create_task(sample_backlog_forever(database, [FAN_OUT, DELIVER, MAIL]))
        stack.push_async_callback(_cancel, sampler)

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, _stop, manager, signum)
        logger.info(
            "dispatcher_started",
            concurrency=settings.dispatcher_concurrency,
            mail="smtp" if settings.smtp_host else f"directory {settings.mail_directory}",
        )
        batch = max(1, settings.dispatcher_concurrency // 2)
        await manager.run(
            dequeue_timeout=timedelta(seconds=settings.dispatcher_poll_seconds),
            batch_size=batch,
            max_concurrent_tasks=2 * batch,
            heartbeat_timeout=timedelta(seconds=settings.dispatcher_heartbeat_seconds),
        )
        logger.info("dispatcher_stopped")


def _stop(manager: QueueManager, signum: int) -> None:
    logger.info("dispatcher_draining", signal=signal.Signals(signum).name)
    manager.shutdown.set()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main() -> int:
    asyncio.run(run(get_settings()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
