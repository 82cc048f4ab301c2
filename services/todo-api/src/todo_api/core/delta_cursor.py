"""Delta sync cursors: opaque to clients, tamper-evident, bound to one user of one tenant.

A cursor is ``base64url(body || tag)``: ``body`` packs a format version, the tenant, the
owner, the position (change number and task id) and when it was issued; ``tag`` is
HMAC-SHA256 over ``body`` under a key of its own, derived from each signing key of the
keyring with a dedicated label (the keys sign JWTs; they never MAC anything else directly).
The active key signs; retired keys still verify, so a key rotation does not send every
client back to a full sync. Tags are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from platform_common.auth.tokens import Keyring

_LABEL = b"todo_api.delta/cursor/v1"
_FORMAT = 1
_BODY = struct.Struct(">B16s16sq16sq")  # format, tenant, owner, seq, task id, issued (unix s)
_TAG_BYTES = 32
CURSOR_LENGTH = len(base64.urlsafe_b64encode(bytes(_BODY.size + _TAG_BYTES)).rstrip(b"="))


class InvalidCursorError(ValueError):
    """Not a cursor this service issued, or not issued to this caller."""


@dataclass(frozen=True, slots=True)
class DeltaCursor:
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    seq: int
    task_id: uuid.UUID
    issued_at: datetime


def _derive(key: str) -> bytes:
    return hmac.new(key.encode(), _LABEL, hashlib.sha256).digest()


class DeltaCursorCodec:
    def __init__(self, keyring: Keyring) -> None:
        self._active = _derive(keyring.keys[keyring.active_kid])
        self._verifying = tuple(_derive(key) for key in keyring.keys.values())

    def encode(self, cursor: DeltaCursor) -> str:
        body = _BODY.pack(
            _FORMAT,
            cursor.tenant_id.bytes,
            cursor.owner_id.bytes,
            cursor.seq,
            cursor.task_id.bytes,
            int(cursor.issued_at.timestamp()),
        )
        tag = hmac.new(self._active, body, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()

    def decode(self, text: str, *, tenant_id: uuid.UUID, owner_id: uuid.UUID) -> DeltaCursor:
        """The cursor ``text`` stands for, if this service issued it to this owner of this
        tenant; else ``InvalidCursorError`` (the same for a forgery and a foreign cursor)."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursorError("not a cursor") from None
        if len(raw) != _BODY.size + _TAG_BYTES:
            raise InvalidCursorError("not a cursor")
        body, tag = raw[: _BODY.size], raw[_BODY.size :]
        if not any(
            hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), tag) for key in self._verifying
        ):
            raise InvalidCursorError("not a cursor")
        version, tenant, owner, seq, task_id, issued = _BODY.unpack(body)
        cursor = DeltaCursor(
            uuid.UUID(bytes=tenant),
            uuid.UUID(bytes=owner),
            seq,
            uuid.UUID(bytes=task_id),
            datetime.fromtimestamp(issued, UTC),
        )
        if version != _FORMAT or cursor.tenant_id != tenant_id or cursor.owner_id != owner_id:
            raise InvalidCursorError("not a cursor for this user")
        return cursor
