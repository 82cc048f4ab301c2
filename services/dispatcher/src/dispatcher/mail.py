"""What the dispatcher does with an e-mail job: open the message's sealed secrets, render it,
hand it to the SMTP server, and record the outcome.

- Accepted (2xx after DATA): ``sent``. Refused for good (a 5xx, or a seal that does not open
  or does not match its message): ``failed``. Either way the sealed secrets are set to NULL
  in the transaction that records it (``MailMessages.finish``), so the token no longer
  exists at rest.
- A temporary failure (a 4xx, a connection error, a timeout): the attempt is counted and the
  next one queued after ``MAIL_RETRY_SCHEDULE_SECONDS`` (with jitter), in one transaction;
  when the schedule is spent, ``failed`` as above.

At least once: a dispatcher killed after the server accepted a message but before that
commit leaves the job picked and the row pending; after the heartbeat timeout another
dispatcher sends the message again (same ``Message-ID``, so a mail client may fold the two).
The secrets stay sealed until some run records the outcome.

Like a webhook delivery, the SMTP conversation happens outside any transaction, in a span of
the trace of the request that wrote the message. Logs name the message by id, never its
recipient, subject or body.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import aiosmtplib
import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pgqueuer.models import Job

from dispatcher.config import MailSettings
from dispatcher.delivery import retry_delay
from dispatcher.metrics import MAIL_LATENCY, MAILS, Outcome
from dispatcher.repositories import MailMessages
from platform_common.db.database import Database, Record
from platform_common.events.queue import MAIL, JobRef
from platform_common.mail.outbox import MailStatus, SealMismatch, render, unseal
from platform_common.webhooks.secrets import SecretBox, UndecryptableSecret

logger = structlog.get_logger(__name__)
tracer = trace.get_tracer("dispatcher")
_TRACE_CONTEXT = TraceContextTextMapPropagator()
_MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: accepted (no error), or why not (the server's reply code, if
    it answered) and whether to try again."""

    error: str | None = None
    permanent: bool = False
    code: int | None = None


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over; raise (``aiosmtplib`` errors, ``OSError``) when it was not accepted."""


class SmtpTransport:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        password = self.settings.smtp_password
        await aiosmtplib.send(
            message,
            hostname=self.settings.smtp_host,
            port=self.settings.port,
            username=self.settings.smtp_username,
            password=None if password is None else password.get_secret_value(),
            use_tls=self.settings.smtp_tls,
            start_tls=self.settings.starttls,
            timeout=self.settings.smtp_timeout_seconds,
        )


class DirectoryTransport:
    """Development without SMTP_HOST: each message becomes ``<MAIL_DIRECTORY>/<id>.eml``
    (rendered, so with its token: production refuses to run without an SMTP server)."""

    def __init__(self, settings: MailSettings) -> None:
        self.directory = settings.mail_directory

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").split("@")[0]
        path = self.directory / f"{name}.eml"
        path.write_bytes(message.as_bytes())  # a small local file, development only
        logger.info("mail_written", path=str(path))
        # Development only (production refuses to run without SMTP_HOST): the links in the
        # console, so a newcomer can follow them without opening the file. Written past the
        # logs on purpose: their redaction hides every token=..., which is right everywhere else.
        for link in links_in(message):
            sys.stderr.write(f"mail {name} to {message['To']}: {link}\n")


_LINK = re.compile(r"https?://[^\s<>\"']+")


def links_in(message: EmailMessage) -> list[str]:
    """The links of a message's plain-text part."""
    part = message.get_body(preferencelist=("plain",))
    return _LINK.findall(str(part.get_content())) if part is not None else []


def transport_for(settings: MailSettings) -> Transport:
    return SmtpTransport(settings) if settings.smtp_host else DirectoryTransport(settings)


def outcome_of(error: Exception) -> Attempt:
    """A 5xx reply is permanent (RFC 5321 4.2.1); a 4xx, a dropped connection or a timeout is not."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        code = min((refused.code for refused in error.recipients), default=0)
        detail = "; ".join(f"{refused.code} {refused.message}" for refused in error.recipients)
        return Attempt(f"recipient refused: {detail}"[:_MAX_ERROR_CHARS], permanent=code >= 500, code=code)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        message = f"the SMTP server answered {error.code} {error.message}"[:_MAX_ERROR_CHARS]
        return Attempt(message, permanent=500 <= error.code < 600, code=error.code)
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return Attempt("timed out")
    return Attempt(f"connection error: {type(error).__name__}")


class Mailer:
    def __init__(
        self, settings: MailSettings, database: Database, secrets: SecretBox, transport: Transport
    ) -> None:
        self.settings = settings
        self.database = database
        self.secrets = secrets
        self.transport = transport

    async def send(self, job: Job) -> None:
        ref = JobRef.parse(job.payload)
        async with self.database.transaction(ref.tenant_id) as transaction:
            message = await MailMessages(transaction).load(ref.id)
        if message is None or message["status"] != MailStatus.PENDING.value:
            return  # purged, or already recorded by an earlier run of this job
        await self._record(ref, message, await self._attempt(message))

    async def _attempt(self, message: Record) -> Attempt:
        try:
            secrets = unseal(self.secrets, message["id"], message["recipient"], message["sealed"])
        except UndecryptableSecret:
            return Attempt("the sealed secrets cannot be decrypted with the configured keys", permanent=True)
        except SealMismatch:
            return Attempt("the sealed secrets belong to another message or recipient", permanent=True)
        email = self._compose(message, secrets)
        parent = _TRACE_CONTEXT.extract({"traceparent": message["traceparent"] or ""})
        with tracer.start_as_current_span("mail send", context=parent, kind=SpanKind.CLIENT) as span:
            span.set_attribute("mail.attempt", message["attempts"] + 1)
            started = time.perf_counter()
            try:
                await self.transport.send(email)
            except (aiosmtplib.SMTPException, OSError) as exc:
                attempt = outcome_of(exc)
                span.set_attribute("mail.error", attempt.error or "")
                return attempt
            finally:
                span.set_attribute("mail.duration_ms", round((time.perf_counter() - started) * 1000))
        return Attempt()

    def _compose(self, message: Record, secrets: dict[str, str]) -> EmailMessage:
        sender = self.settings.sender
        email = EmailMessage()
        email["From"] = sender
        email["To"] = message["recipient"]
        email["Subject"] = message["subject"]
        email["Date"] = format_datetime(datetime.now(UTC))
        # The same on every attempt: a message sent twice (at least once) is recognisably one.
        email["Message-ID"] = f"<{message['id']}@{sender.rpartition('@')[2]}>"
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        email.set_content(render(message["text_body"], secrets))
        if message["html_body"] is not None:
            email.add_alternative(render(message["html_body"], secrets), subtype="html")
        return email

    async def _record(self, ref: JobRef, message: Record, attempt: Attempt) -> None:
        number = message["attempts"] + 1
        schedule = self.settings.mail_retry_schedule_seconds
        retry = attempt.error is not None and not attempt.permanent and number <= len(schedule)
        delay = retry_delay(schedule, number, self.settings.mail_retry_jitter) if retry else None
        async with self.database.transaction(ref.tenant_id) as transaction:
            mails = MailMessages(transaction)
            if delay is not None:
                recorded = await mails.retry(ref.id, message["attempts"], attempt.error or "")
                if recorded:
                    await transaction.enqueue(MAIL, [ref], delay)
            else:
                status = MailStatus.SENT if attempt.error is None else MailStatus.FAILED
                recorded = await mails.finish(ref.id, message["attempts"], status, attempt.error)
        if not recorded:
            return  # another run of this job recorded this attempt first
        if attempt.error is None:
            outcome = Outcome.SUCCEEDED
            MAIL_LATENCY.observe((datetime.now(UTC) - message["created_at"]).total_seconds())
        else:
            outcome = Outcome.RETRYING if retry else Outcome.FAILED
        MAILS.labels(outcome.value).inc()
        # The reply code, not its text: a server's text may quote the recipient (the row keeps it).
        logger.info(
            "mail_sent" if attempt.error is None else "mail_not_sent",
            message_id=str(ref.id),
            attempt=number,
            outcome=outcome.value,
            smtp_code=attempt.code,
            error=None if attempt.error is None or attempt.code is not None else attempt.error,
            next_retry_in=None if delay is None else delay.total_seconds(),
        )
