"""What the dispatcher does with a job: fan an event out, or make one delivery attempt.

Each step reads and writes inside the tenant its job names, and the HTTP request is made
outside any transaction (no connection is held while a receiver takes its time).

A delivery attempt is recorded once (``Attempts.finish`` on a pending row), and its follow-up
(the next attempt, disabling the endpoint) is written in that same transaction, so a job run
twice (its worker was killed after sending) sends twice but schedules nothing twice: delivery
is at least once, and the receiver de-duplicates on ``webhook-id``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pgqueuer.models import Job

from dispatcher import __version__
from dispatcher.config import DispatcherSettings
from dispatcher.metrics import ATTEMPT_DURATION, DELIVERIES, EVENT_LATENCY, Outcome
from dispatcher.repositories import Attempts, Endpoints, Events
from platform_common.db.database import Database, Record
from platform_common.events.queue import JobRef
from platform_common.http.egress import EgressPolicy, Resolver, TargetRefused, check_target, post
from platform_common.webhooks.deliveries import Deliveries
from platform_common.webhooks.secrets import SecretBox, UndecryptableSecret
from platform_common.webhooks.signing import signed_headers
from platform_common.webhooks.tables import DeliveryStatus

logger = structlog.get_logger(__name__)
tracer = trace.get_tracer("dispatcher")
_TRACE_CONTEXT = TraceContextTextMapPropagator()
USER_AGENT = f"todo-platform-webhooks/{__version__}"
GONE = 410


@dataclass(frozen=True)
class Result:
    """What one attempt came to: the receiver's status (if it answered), or why not."""

    status_code: int | None = None
    duration_ms: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Network errors, timeouts, refusals (a name may resolve elsewhere later) and 5xx."""
        return self.status_code is None or self.status_code >= 500


class Dispatcher:
    def __init__(
        self,
        settings: DispatcherSettings,
        database: Database,
        http: httpx.AsyncClient,
        *,
        resolver: Resolver,
    ) -> None:
        self.settings = settings
        self.database = database
        self.http = http
        self.resolver = resolver
        self.egress: EgressPolicy = settings.egress_policy()
        self.secrets: SecretBox = settings.secret_box()

    async def fan_out(self, job: Job) -> None:
        """An event committed: a first attempt for each of its owner's subscribed endpoints."""
        ref = JobRef.parse(job.payload)
        async with self.database.transaction(ref.tenant_id) as transaction:
            event = await Events(transaction).get(ref.id)
            if event is None:  # its owner (and so the event) was deleted since
                return
            scheduled = await Deliveries(transaction).fan_out(event["id"], event["type"], event["owner_id"])
        logger.info("event_fanned_out", event_id=str(ref.id), type=event["type"], deliveries=len(scheduled))

    async def deliver(self, job: Job) -> None:
        ref = JobRef.parse(job.payload)
        async with self.database.transaction(ref.tenant_id) as transaction:
            attempt = await Attempts(transaction).load(ref.id)
        if attempt is None or attempt["status"] != DeliveryStatus.PENDING.value:
            return  # deleted with its endpoint, or already recorded by an earlier run of this job
        if not attempt["enabled"]:
            await self._record(ref, attempt, Result(error="the webhook is disabled"), retry=False)
            return
        result = await self._send(attempt)
        await self._record(ref, attempt, result, retry=result.retryable)

    async def _send(self, attempt: Record) -> Result:
        body = orjson.dumps(
            {
                "id": str(attempt["event_id"]),
                "type": attempt["type"],
                "created_at": attempt["event_created_at"].astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "data": attempt["data"],
            }
        )
        parent = _TRACE_CONTEXT.extract({"traceparent": attempt["traceparent"] or ""})
        with tracer.start_as_current_span("webhook delivery", context=parent, kind=SpanKind.CLIENT) as span:
            span.set_attribute("webhook.event_type", attempt["type"])
            span.set_attribute("webhook.attempt", attempt["attempt"])
            try:
                headers = signed_headers(
                    self._secrets(attempt), str(attempt["event_id"]), int(time.time()), body
                )
                headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
                _TRACE_CONTEXT.inject(headers)  # traceparent: this delivery, in the request's trace
                target = await check_target(attempt["url"], self.egress, self.resolver)
                reply = await post(
                    self.http,
                    target,
                    content=body,
                    headers=headers,
                    max_response_bytes=self.settings.webhook_max_response_bytes,
                    total_seconds=self.settings.webhook_connect_timeout_seconds
                    + self.settings.webhook_read_timeout_seconds,
                )
            except TargetRefused as refused:
                return Result(error=f"refused: {refused}")
            except UndecryptableSecret:
                return Result(error="the signing secret cannot be decrypted with the configured keys")
            except (TimeoutError, httpx.TimeoutException):
                return Result(error="timed out")
            except httpx.HTTPError as exc:
                return Result(error=f"network error: {type(exc).__name__}")
            span.set_attribute("http.response.status_code", reply.status_code)
        ATTEMPT_DURATION.observe(reply.duration_ms / 1000)
        return Result(reply.status_code, reply.duration_ms)

    def _secrets(self, attempt: Record) -> list[str]:
        """The current secret, and during a rotation's overlap the previous one as well."""
        secrets = [self.secrets.open(attempt["secret"])]
        if attempt["previous_secret"] is not None and attempt["previous_secret_valid"]:
            secrets.append(self.secrets.open(attempt["previous_secret"]))
        return secrets

    async def _record(self, ref: JobRef, attempt: Record, result: Result, *, retry: bool) -> None:
        endpoint_id, number = attempt["endpoint_id"], attempt["attempt"]
        next_retry: timedelta | None = None
        disabled: str | None = None
        async with self.database.transaction(ref.tenant_id) as transaction:
            endpoints = Endpoints(transaction)
            if result.succeeded:
                await endpoints.succeeded(endpoint_id)
            elif result.status_code == GONE:
                disabled = "the receiver answered 410 Gone"
            elif attempt["enabled"]:
                failing_for: timedelta = (await endpoints.failing_since(endpoint_id))["failing_for"]
                if failing_for.total_seconds() > self.settings.webhook_disable_after_seconds:
                    disabled = f"deliveries have failed for more than {_duration(self.settings.webhook_disable_after_seconds)}"
                elif retry and number <= len(self.settings.webhook_retry_schedule_seconds):
                    next_retry = retry_delay(
                        self.settings.webhook_retry_schedule_seconds,
                        number,
                        self.settings.webhook_retry_jitter,
                    )
            if disabled is not None:
                await endpoints.disable(endpoint_id, disabled)
            recorded = await Attempts(transaction).finish(
                ref.id,
                {
                    "status": (DeliveryStatus.SUCCEEDED if result.succeeded else DeliveryStatus.FAILED).value,
                    "status_code": result.status_code,
                    "duration_ms": result.duration_ms,
                    "error": disabled or result.error or _status_error(result),
                    "next_retry_at": None if next_retry is None else datetime.now(UTC) + next_retry,
                },
            )
            if not recorded:
                return  # another run of this job recorded it first; it also did the rest
            if next_retry is not None:
                await Deliveries(transaction).schedule(
                    endpoint_id, attempt["event_id"], attempt["type"], number + 1, next_retry
                )
        if result.succeeded:
            outcome = Outcome.SUCCEEDED
            EVENT_LATENCY.observe((datetime.now(UTC) - attempt["event_created_at"]).total_seconds())
        elif disabled is not None or not attempt["enabled"]:
            outcome = Outcome.DISABLED
        else:
            outcome = Outcome.RETRYING if next_retry is not None else Outcome.FAILED
        DELIVERIES.labels(outcome.value).inc()
        logger.info(
            "webhook_delivery",
            delivery_id=str(ref.id),
            endpoint_id=str(endpoint_id),
            event_id=str(attempt["event_id"]),
            attempt=number,
            outcome=outcome.value,
            status_code=result.status_code,
            error=result.error,
            next_retry_in=None if next_retry is None else next_retry.total_seconds(),
        )


def retry_delay(schedule: list[float], attempt: int, jitter: float) -> timedelta:
    """Before attempt ``attempt + 1``: the schedule's delay, spread by up to ``jitter`` either way."""
    delay = schedule[attempt - 1]
    return timedelta(seconds=delay * random.uniform(1 - jitter, 1 + jitter))  # noqa: S311  # jitter, not crypto


def _status_error(result: Result) -> str | None:
    return (
        None
        if result.succeeded or result.status_code is None
        else f"the receiver answered {result.status_code}"
    )


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds:g} s"
