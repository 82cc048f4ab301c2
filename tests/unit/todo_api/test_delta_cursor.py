"""Delta cursors: what the service signs it reads back; nothing else, and nobody else's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime

import pytest

from platform_common.auth.tokens import Keyring
from todo_api.core.delta_cursor import CURSOR_LENGTH, DeltaCursor, DeltaCursorCodec, InvalidCursorError

TENANT, OWNER = uuid.uuid4(), uuid.uuid4()
KEY = "a" * 64
CURSOR = DeltaCursor(TENANT, OWNER, 42, uuid.uuid4(), datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


def codec(active: str = "k1", **keys: str) -> DeltaCursorCodec:
    return DeltaCursorCodec(Keyring(active_kid=active, keys=keys or {"k1": KEY}))


def raw(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def text(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_cursor_reads_back_for_its_owner() -> None:
    encoded = codec().encode(CURSOR)
    assert len(encoded) == CURSOR_LENGTH
    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert codec().decode(encoded, tenant_id=TENANT, owner_id=OWNER) == CURSOR


@pytest.mark.parametrize(("tenant", "owner"), [(TENANT, uuid.uuid4()), (uuid.uuid4(), OWNER)])
def test_another_users_or_tenants_cursor_is_refused(tenant: uuid.UUID, owner: uuid.UUID) -> None:
    with pytest.raises(InvalidCursorError):
        codec().decode(codec().encode(CURSOR), tenant_id=tenant, owner_id=owner)


def test_every_altered_bit_is_refused() -> None:
    data = raw(codec().encode(CURSOR))
    for index in range(len(data)):
        for bit in range(8):
            altered = bytearray(data)
            altered[index] ^= 1 << bit
            with pytest.raises(InvalidCursorError):
                codec().decode(text(bytes(altered)), tenant_id=TENANT, owner_id=OWNER)


def test_the_mac_key_is_derived_not_the_signing_key_itself() -> None:
    """A MAC under the raw JWT key (domain separation): not a cursor."""
    body = raw(codec().encode(CURSOR))[:-32]
    forged = text(body + hmac.new(KEY.encode(), body, hashlib.sha256).digest())
    with pytest.raises(InvalidCursorError):
        codec().decode(forged, tenant_id=TENANT, owner_id=OWNER)


def test_retired_keys_still_verify_and_unknown_keys_do_not() -> None:
    old = codec().encode(CURSOR)
    rotated = codec("k2", k1=KEY, k2="b" * 64)
    assert rotated.decode(old, tenant_id=TENANT, owner_id=OWNER) == CURSOR
    assert rotated.encode(CURSOR) != old  # the active key signs
    with pytest.raises(InvalidCursorError):
        codec("k2", k2="b" * 64).decode(old, tenant_id=TENANT, owner_id=OWNER)


@pytest.mark.parametrize("garbage", ["", "A", "not a cursor", "%%%", text(b"x" * 97), text(b"x" * 200)])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidCursorError):
        codec().decode(garbage, tenant_id=TENANT, owner_id=OWNER)
