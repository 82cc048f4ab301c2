"""Signing secrets at rest: encrypted, recoverable, and re-encryptable under a new key."""

from __future__ import annotations

import pytest

from platform_common.webhooks.secrets import SecretBox, UndecryptableSecret

OLD, NEW = (
    "5f0c2a9e1b7d43c8a6e0f1b2c3d4e5f60718293a4b5c6d7e",
    "9a8b7c6d5e4f30211203f4e5d6c7b8a9aabbccddeeff0011",
)


def test_a_sealed_secret_opens_and_is_not_plain_text() -> None:
    box = SecretBox(NEW)
    sealed = box.seal("whsec_abc")
    assert b"whsec_abc" not in sealed
    assert box.open(sealed) == "whsec_abc"


def test_rotation_keeps_old_values_readable_then_rewrites_them() -> None:
    sealed_with_old = SecretBox(OLD).seal("whsec_abc")
    during = SecretBox(NEW, [OLD])
    assert during.open(sealed_with_old) == "whsec_abc"
    rotated = during.rotate(sealed_with_old)
    assert SecretBox(NEW).open(rotated) == "whsec_abc"


def test_a_value_no_configured_key_opens_is_an_error() -> None:
    with pytest.raises(UndecryptableSecret):
        SecretBox(NEW).open(SecretBox(OLD).seal("whsec_abc"))
