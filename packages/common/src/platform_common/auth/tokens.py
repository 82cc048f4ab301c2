"""Access tokens: short-lived HS256 JWTs signed with a key from a rotating keyring.

This is the only module that imports ``jose``, so the JWT library can be swapped here
alone. Every claim is required and checked; the accepted algorithms come from
configuration, never from the token; the key is chosen by ``kid`` from our own keyring.

Verified claims are cached by the exact token string (a bounded LRU): whether a given
byte string carries a valid signature cannot change, so a repeat presentation skips the
HMAC and JSON work and only re-checks the clock (``exp``, ``nbf``). Revocation is never
cached: the caller still checks the token's session and user in the database on every
request. A key removed from the keyring (rotation) takes its tokens' cache entries with
it, since a new codec, with an empty cache, is built from the new settings.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cachetools import LRUCache
from jose import JWTError, jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError

MIN_KEY_BYTES = 32
_REQUIRED_CLAIMS = ("iss", "aud", "sub", "tid", "sid", "role", "ver", "iat", "nbf", "exp", "jti")
CACHED_TOKENS = 4096  # verified tokens remembered per process (a few MB at most)


class InvalidToken(Exception):
    """The token is not acceptable; ``reason`` is for logs and metrics, never for clients."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says. ``session_id`` names the login (the refresh-token
    family) it belongs to: ending the session ends every access token it issued."""

    subject: uuid.UUID
    tenant_id: uuid.UUID
    session_id: uuid.UUID
    role: str
    token_version: int
    token_id: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class Keyring:
    """Signing keys by id: ``active_kid`` signs, every key in ``keys`` verifies.

    Rotation: add the new key, make it active, keep the old one until the last token
    it signed has expired (one access-token lifetime), then drop it.
    """

    active_kid: str
    keys: Mapping[str, str] = field(repr=False)  # secrets: never in a log line or a traceback

    def __post_init__(self) -> None:
        if self.active_kid not in self.keys:
            raise ValueError("the active key id must be in the keyring")
        for kid, key in self.keys.items():
            if len(key.encode()) < MIN_KEY_BYTES:
                raise ValueError(f"signing key {kid!r} is shorter than {MIN_KEY_BYTES} bytes")


@dataclass(frozen=True)
class TokenCodec:
    keyring: Keyring
    issuer: str
    audience: str
    ttl_seconds: int
    leeway_seconds: int
    algorithms: Sequence[str] = field(default=("HS256",))
    _verified: LRUCache[str, AccessClaims] = field(
        default_factory=lambda: LRUCache(CACHED_TOKENS), init=False, repr=False, compare=False
    )

    def issue(
        self,
        *,
        subject: uuid.UUID,
        tenant_id: uuid.UUID,
        session_id: uuid.UUID,
        role: str,
        token_version: int,
    ) -> AccessClaims:
        now = int(time.time())
        return AccessClaims(
            subject=subject,
            tenant_id=tenant_id,
            session_id=session_id,
            role=role,
            token_version=token_version,
            token_id=uuid.uuid4().hex,
            issued_at=now,
            expires_at=now + self.ttl_seconds,
        )

    def encode(self, claims: AccessClaims) -> str:
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(claims.subject),
            "tid": str(claims.tenant_id),
            "sid": str(claims.session_id),
            "role": claims.role,
            "ver": claims.token_version,
            "iat": claims.issued_at,
            "nbf": claims.issued_at,
            "exp": claims.expires_at,
            "jti": claims.token_id,
        }
        kid = self.keyring.active_kid
        return jwt.encode(payload, self.keyring.keys[kid], algorithm=self.algorithms[0], headers={"kid": kid})

    def decode(self, token: str) -> AccessClaims:
        """The token's claims, verified; ``InvalidToken`` (with a reason) otherwise."""
        claims: AccessClaims | None = self._verified.get(token)
        if claims is None:
            claims = self._verify(token)
            self._verified[token] = claims
        now = time.time()
        if claims.expires_at + self.leeway_seconds <= now:
            raise InvalidToken("expired")
        if claims.issued_at - self.leeway_seconds > now:  # nbf == iat for our tokens
            raise InvalidToken("issued_in_future")
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise InvalidToken("malformed") from exc
        if header.get("alg") not in self.algorithms:
            raise InvalidToken("algorithm")
        kid = header.get("kid")
        key = self.keyring.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("unknown_key")
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "leeway": self.leeway_seconds,
                    **{
                        f"require_{claim}": True
                        for claim in ("iat", "nbf", "exp", "sub", "aud", "iss", "jti")
                    },
                },
            )
        except ExpiredSignatureError as exc:
            raise InvalidToken("expired") from exc
        except JWTClaimsError as exc:
            raise InvalidToken("claims") from exc
        except JWTError as exc:
            raise InvalidToken("signature") from exc
        return self._claims(payload)

    def _claims(self, payload: Mapping[str, object]) -> AccessClaims:
        if any(claim not in payload for claim in _REQUIRED_CLAIMS):
            raise InvalidToken("claims")
        issued_at, expires_at, version = payload["iat"], payload["exp"], payload["ver"]
        if type(issued_at) is not int or type(expires_at) is not int or type(version) is not int:
            raise InvalidToken("claims")  # bool is an int subclass: exact type
        if issued_at > time.time() + self.leeway_seconds:
            raise InvalidToken("issued_in_future")
        if expires_at - issued_at > self.ttl_seconds + self.leeway_seconds:
            raise InvalidToken("claims")  # a token we would never have issued
        role, token_id = payload["role"], payload["jti"]
        if not isinstance(role, str) or not isinstance(token_id, str):
            raise InvalidToken("claims")
        try:
            subject = uuid.UUID(str(payload["sub"]))
            tenant_id = uuid.UUID(str(payload["tid"]))
            session_id = uuid.UUID(str(payload["sid"]))
        except ValueError as exc:
            raise InvalidToken("claims") from exc
        if payload["nbf"] != issued_at:
            raise InvalidToken("claims")  # we issue nbf == iat; the cache re-checks only iat
        return AccessClaims(
            subject=subject,
            tenant_id=tenant_id,
            session_id=session_id,
            role=role,
            token_version=version,
            token_id=token_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )
