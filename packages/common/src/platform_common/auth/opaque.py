"""Opaque secrets (refresh tokens): random, never stored, looked up by their hash.

A rotated token's successor is not random but derived from it (``Successors``): an HMAC of
the old secret under a key derived from the service's signing keys. So a rotation presented
twice in quick succession (two browser tabs, a client's retry) can be answered with the
*same* successor, with nothing secret stored to make that possible.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from platform_common.auth.tokens import Keyring

TOKEN_BYTES = 32  # 256 bits
# Domain separation: the signing keys sign JWTs; what derives successors is a key of its own.
_SUCCESSOR_CONTEXT = b"platform_common.auth.opaque/successor/v1"


def new_opaque_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """SHA-256 hex digest: enough for a 256-bit random secret, and indexable."""
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class Successors:
    """Derives the successor of a rotated token: ``HMAC-SHA256(k, old secret)``, as long and
    as unpredictable as a random token to anyone without the key. ``k`` is derived from the
    active signing key; the successors derived under the retired keys of the keyring are
    still recognised (``candidates``), so a key rotation does not cut short a grace window."""

    active: bytes
    retired: tuple[bytes, ...]

    @classmethod
    def from_keyring(cls, keyring: Keyring) -> Successors:
        derived = {kid: _mac(key.encode(), _SUCCESSOR_CONTEXT) for kid, key in keyring.keys.items()}
        active = derived.pop(keyring.active_kid)
        return cls(active=active, retired=tuple(derived.values()))

    def successor(self, token: str) -> str:
        return self._derive(self.active, token)

    def candidates(self, token: str) -> Mapping[str, str]:
        """Every successor ``token`` may have been given, by its digest: under the active key
        and under each retired one."""
        derived = (self._derive(key, token) for key in (self.active, *self.retired))
        return {token_digest(successor): successor for successor in derived}

    @staticmethod
    def _derive(key: bytes, token: str) -> str:
        return base64.urlsafe_b64encode(_mac(key, token.encode())).rstrip(b"=").decode()
