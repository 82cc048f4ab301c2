"""What the dispatcher measures: deliveries and e-mails by outcome, their latency, and the
queue's backlog.

Outcomes are a bounded set: ``succeeded``; ``retrying`` (failed, another attempt is
scheduled); ``failed`` (no further attempt: a 4xx from a webhook receiver, a 5xx from an SMTP
server, or the schedule is spent); ``disabled`` (webhooks only: the receiver answered 410, or
the endpoint has failed for too long, or was disabled).
The backlog gauges are sampled from the (global) queue table: how many jobs wait, and how
long the oldest **due** one has waited (retries scheduled for later are not late).
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

import asyncpg
import structlog
from prometheus_client import Counter, Gauge, Histogram

from platform_common.db.database import Database

SAMPLE_INTERVAL_SECONDS = 15.0
logger = structlog.get_logger(__name__)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"
    FAILED = "failed"
    DISABLED = "disabled"


DELIVERIES = Counter("webhook_deliveries_total", "Webhook delivery attempts, by outcome.", ["outcome"])
for _outcome in Outcome:
    DELIVERIES.labels(_outcome.value)  # every series exists from the start (rate() needs it)
ATTEMPT_DURATION = Histogram(
    "webhook_delivery_duration_seconds",
    "One delivery attempt, request sent to answer read.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EVENT_LATENCY = Histogram(
    "event_delivery_latency_seconds",
    "From the event's commit to its successful delivery (retries included).",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 86400),
)
QUEUE_DEPTH = Gauge(
    "outbox_queue_depth", "Jobs waiting in the queue (due or scheduled), by kind.", ["entrypoint"]
)
MAILS = Counter("mail_messages_total", "E-mail send attempts, by outcome.", ["outcome"])
for _outcome in Outcome:
    if _outcome is not Outcome.DISABLED:  # an address cannot be disabled
        MAILS.labels(_outcome.value)
MAIL_LATENCY = Histogram(
    "mail_delivery_latency_seconds",
    "From the e-mail's commit to its acceptance by the SMTP server (retries included).",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200),
)
OLDEST_PENDING = Gauge(
    "outbox_oldest_pending_age_seconds", "How long the oldest due job has waited to be picked."
)

_BACKLOG = """
    SELECT entrypoint,
           count(*) AS depth,
           coalesce(extract(epoch FROM now() - min(execute_after) FILTER (WHERE execute_after <= now())), 0)
               AS oldest
    FROM pgqueuer WHERE status = 'queued' GROUP BY entrypoint
"""


async def sample_backlog(connection: asyncpg.Connection, entrypoints: list[str]) -> None:
    rows = {row["entrypoint"]: row for row in await connection.fetch(_BACKLOG)}
    for entrypoint in entrypoints:
        QUEUE_DEPTH.labels(entrypoint).set(rows[entrypoint]["depth"] if entrypoint in rows else 0)
    OLDEST_PENDING.set(max((float(row["oldest"]) for row in rows.values()), default=0.0))


async def sample_backlog_forever(database: Database, entrypoints: list[str]) -> None:
    while True:
        try:
            async with database.connection() as connection:
                await sample_backlog(connection, entrypoints)
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("backlog_sample_failed", error=type(exc).__name__)
        await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)
