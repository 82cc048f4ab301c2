"""Opaque refresh-token secrets: random, stored only as a digest, successors derived by key."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac

import pytest

from platform_common.auth.opaque import Successors, new_opaque_token, token_digest
from platform_common.auth.tokens import Keyring

KEYS = {"current": "c" * 32, "old": "o" * 32}


def test_a_new_token_has_256_random_bits() -> None:
    tokens = {new_opaque_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(base64.urlsafe_b64decode(token + "=")) == 32 for token in tokens)


def test_the_digest_is_the_sha256_hex_of_the_token() -> None:
    assert token_digest("secret") == hashlib.sha256(b"secret").hexdigest()


def test_a_successor_is_an_hmac_under_a_key_of_its_own() -> None:
    """Derived from the active key with a context string: never the signing key itself."""
    successors = Successors.from_keyring(Keyring(active_kid="current", keys=KEYS))
    derived = hmac.new(b"c" * 32, b"platform_common.auth.opaque/successor/v1", hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(hmac.new(derived, b"old token", hashlib.sha256).digest()).rstrip(b"=")
    assert successors.successor("old token") == expected.decode()
    assert successors.successor("old token") != successors.successor("other token")
    assert "=" not in successors.successor("old token")


def test_successors_under_retired_keys_are_still_candidates() -> None:
    before = Successors.from_keyring(Keyring(active_kid="old", keys={"old": KEYS["old"]}))
    after = Successors.from_keyring(Keyring(active_kid="current", keys=KEYS))
    assert after.successor("t") != before.successor("t")
    candidates = after.candidates("t")
    assert candidates == {
        token_digest(after.successor("t")): after.successor("t"),
        token_digest(before.successor("t")): before.successor("t"),
    }
    dropped = Successors.from_keyring(Keyring(active_kid="current", keys={"current": KEYS["current"]}))
    assert dropped.candidates("t") == {token_digest(after.successor("t")): after.successor("t")}


def test_the_derived_keys_cannot_be_replaced() -> None:
    """One instance serves every request: nothing may swap its keys after start-up."""
    successors = Successors.from_keyring(Keyring(active_kid="current", keys=KEYS))
    with pytest.raises(dataclasses.FrozenInstanceError):
        successors.active = b"k" * 32  # type: ignore[misc]
