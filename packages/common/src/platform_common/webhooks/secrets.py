"""Secrets at rest: encrypted with a key from settings, recoverable (a signing secret must be
read back to sign), and re-encryptable under a new key.

``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256, authenticated, versioned tokens) does
the encryption; ``MultiFernet`` holds the active key first and retired keys after it, so a
key rotation is: make the new key active, keep the old one listed until ``rotate`` has
re-encrypted the rows (or simply until they are rewritten), then drop it. The configured
keys are any strong secrets (``openssl rand -hex 32``, the same rule as ``SECRET_KEY``);
each becomes a Fernet key through HKDF-SHA256, so an operator never handles Fernet's format.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"platform-common secrets at rest v1"


class UndecryptableSecret(Exception):
    """No configured key opens this value (its key was dropped before it was re-encrypted)."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class SecretBox:
    def __init__(self, active: str, previous: Sequence[str] = ()) -> None:
        self._keys = MultiFernet([_fernet(active), *(_fernet(key) for key in previous)])

    def seal(self, plaintext: str) -> bytes:
        return self._keys.encrypt(plaintext.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._keys.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise UndecryptableSecret("no configured key decrypts this secret") from exc

    def rotate(self, sealed: bytes) -> bytes:
        """The same secret, encrypted under the active key."""
        try:
            return self._keys.rotate(sealed)
        except InvalidToken as exc:
            raise UndecryptableSecret("no configured key decrypts this secret") from exc
