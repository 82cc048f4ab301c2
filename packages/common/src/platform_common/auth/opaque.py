"""Opaque secrets (refresh tokens): random, never stored, looked up by their hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits


def new_opaque_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """SHA-256 hex digest: enough for a 256-bit random secret, and indexable."""
    return hashlib.sha256(token.encode()).hexdigest()
