"""E-mail in the transactional outbox, with its secrets sealed and deleted once sent.

``send_mail(transaction, box, Mail(...))`` writes the message (``mail_message``, tenant-owned,
under row-level security) and its queue job (``(tenant_id, message_id)``, entrypoint
``MAIL``) in **one** statement on the transaction's connection: a rolled-back unit of work
sends nothing, a committed one sends (at least once, by the dispatcher).

Secrets. A message may carry values that must not sit in plain text at rest, such as the
token of a verification link. The caller writes ``secret_placeholder("token")`` where the
value goes (the link ``https://.../verify?token=~secret.token~``) and passes the value in
``Mail.secrets``; the row keeps the plaintext parts with the placeholder, and the values
only encrypted (``sealed``, with the platform's ``DATA_ENCRYPTION_KEY`` keyring, see
``platform_common.webhooks.secrets``). The dispatcher opens them, renders the message and,
in the transaction that records the outcome (sent, or failed for good), sets ``sealed`` to
NULL: a check constraint holds every finished message to that. What remains is the message
as its recipient got it minus the secrets, until the retention purge.

The sealed value names its message and recipient inside the encryption, so it cannot be
moved to another row or redirected by editing the recipient: the dispatcher refuses a
message whose seal does not match it. Values are inserted verbatim into the text and HTML
parts, so they must be URL- and HTML-safe (``secrets.token_urlsafe`` is); ``send_mail``
refuses anything else, a placeholder no part uses, and a secret value found in a plaintext
column (a caller that rendered the token in by mistake).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from enum import StrEnum
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import CheckConstraint, DateTime, Index, LargeBinary, PrimaryKeyConstraint, Text, func
from sqlalchemy.sql.naming import conv
from sqlmodel import Field, SQLModel

from platform_common.db.tables import tenant_owned
from platform_common.events.queue import MAIL, JobRef, enqueue_args, enqueue_sql
from platform_common.observability.tracing import current_traceparent

if TYPE_CHECKING:
    from platform_common.db.database import Transaction
    from platform_common.webhooks.secrets import SecretBox

MAX_BODY_BYTES = 256 * 1024  # text and HTML parts together
MAX_SUBJECT_CHARS = 500
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Unreserved URL characters only: safe verbatim in a URL, a query string, text and HTML.
_SECRET_VALUE = re.compile(r"[A-Za-z0-9._~-]{16,1024}")


class MailStatus(StrEnum):
    PENDING = "pending"  # due, or waiting for a retry
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused for good (5xx), or out of retries


class MailMessage(SQLModel, table=True):
    """One message and what became of it. No foreign key to a tenant table: the platform has
    none, and a service may add it where its models are declared."""

    __tablename__ = "mail_message"
    __table_args__ = (
        # The tenant in the key, as in every tenant table (a schema ready to shard by tenant).
        PrimaryKeyConstraint("tenant_id", "id", name="pk_mail_message"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name=conv("ck_mail_message_status")),
        # The point of this table: once a message is finished, its secrets are gone.
        CheckConstraint("status = 'pending' OR sealed IS NULL", name=conv("ck_mail_message_unsealed")),
        Index("ix_mail_message_created_at", "created_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True)
    recipient: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)
    text_body: str = Field(sa_type=Text)
    html_body: str | None = Field(default=None, sa_type=Text)
    sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # see the module's docstring
    traceparent: str | None = Field(default=None, sa_type=Text)
    status: str = Field(
        default=MailStatus.PENDING.value,
        sa_column_kwargs={"server_default": MailStatus.PENDING.value},
        sa_type=Text,
    )
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


def secret_placeholder(name: str) -> str:
    """What a message's text stands in for the secret ``name`` with (URL- and HTML-safe, so
    it survives a template's escaping and ``urlencode`` unchanged)."""
    if not _SECRET_NAME.fullmatch(name):
        raise InvalidMail(f"not a secret name: {name!r}")
    return f"~secret.{name}~"


@dataclass(frozen=True, slots=True)
class Mail:
    to: str  # one address, "user@example.com"
    subject: str
    text: str  # the plain-text part
    html: str | None = None  # an HTML alternative
    secrets: Mapping[str, str] = field(default_factory=dict)  # name -> value, see secret_placeholder

    @property
    def parts(self) -> tuple[str, ...]:
        return (self.text,) if self.html is None else (self.text, self.html)


class InvalidMail(ValueError):
    """A message ``send_mail`` refuses: a header that could inject others, an address that is
    not one address, a body too large, or secrets it cannot keep out of the plaintext."""


class SealMismatch(Exception):
    """The sealed secrets belong to another message or recipient (the row was altered)."""


def _check(mail: Mail) -> None:
    try:
        address = Address(addr_spec=mail.to)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise InvalidMail("the recipient must be one bare address") from exc
    if address.addr_spec != mail.to or not address.domain or _has_line_break(mail.to):
        raise InvalidMail("the recipient must be one bare address")
    if _has_line_break(mail.subject) or len(mail.subject) > MAX_SUBJECT_CHARS:
        raise InvalidMail(f"the subject must be one line of at most {MAX_SUBJECT_CHARS} characters")
    if sum(len(part.encode()) for part in mail.parts) > MAX_BODY_BYTES:
        raise InvalidMail(f"the message has more than {MAX_BODY_BYTES} bytes of body")
    plaintext = (mail.to, mail.subject, *mail.parts)
    for secret, value in mail.secrets.items():
        placeholder = secret_placeholder(secret)
        if not _SECRET_VALUE.fullmatch(value):
            raise InvalidMail(f"secret {secret} must be 16 to 1024 URL-safe characters")
        if not any(placeholder in part for part in mail.parts):
            raise InvalidMail(f"no part of the message uses secret {secret}")
        if any(value in column for column in plaintext):
            raise InvalidMail(f"secret {secret} appears in the plaintext of the message")


def _has_line_break(value: str) -> bool:
    return any(character in value for character in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


_COLUMNS = "id, tenant_id, recipient, subject, text_body, html_body, sealed, traceparent"
# The message as a data-modifying CTE in front of the queue's statement ($1..$6 are its).
_SEND = enqueue_sql(
    after=f"mail AS (INSERT INTO mail_message ({_COLUMNS}) VALUES ({', '.join(f'${n}' for n in range(7, 15))})),"  # noqa: S608  # constants only
)


def _seal_content(message_id: uuid.UUID, recipient: str, secrets: Mapping[str, str]) -> str:
    return orjson.dumps({"message": str(message_id), "to": recipient, "secrets": dict(secrets)}).decode()


async def send_mail(transaction: Transaction, box: SecretBox, mail: Mail) -> uuid.UUID:
    """Queue ``mail`` in the transaction's tenant, its secrets sealed with ``box``; its id."""
    _check(mail)
    message_id = uuid.uuid4()
    sealed = box.seal(_seal_content(message_id, mail.to, mail.secrets)) if mail.secrets else None
    queue = enqueue_args(MAIL, [JobRef(transaction.tenant_id, message_id)])
    await transaction.connection.execute(
        _SEND,
        *queue,
        message_id,
        transaction.tenant_id,
        mail.to,
        mail.subject,
        mail.text,
        mail.html,
        sealed,
        current_traceparent(),
    )
    return message_id


def unseal(box: SecretBox, message_id: uuid.UUID, recipient: str, sealed: bytes | None) -> dict[str, str]:
    """The secrets of a message (none when it has no sealed value); ``SealMismatch`` when the
    sealed value was made for another message or recipient, ``UndecryptableSecret`` when no
    configured key opens it."""
    if sealed is None:
        return {}
    content = orjson.loads(box.open(sealed))
    if content["message"] != str(message_id) or content["to"] != recipient:
        raise SealMismatch("the sealed secrets belong to another message or recipient")
    secrets: dict[str, str] = content["secrets"]
    return secrets


def render(part: str, secrets: Mapping[str, str]) -> str:
    """``part`` with each secret's placeholder replaced by its value."""
    for name, value in secrets.items():
        part = part.replace(secret_placeholder(name), value)
    return part
