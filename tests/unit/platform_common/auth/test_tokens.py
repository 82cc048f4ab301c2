"""TokenCodec: the keyring's rules, and every way a token can fail to decode."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from jose import jwt

from platform_common.auth.tokens import InvalidToken, Keyring, TokenCodec

KEY = "k" * 32
OLD_KEY = "o" * 32
TTL = 900
LEEWAY = 10


def make_codec(keys: dict[str, str] | None = None, active: str = "current") -> TokenCodec:
    keyring = Keyring(active_kid=active, keys=keys or {"current": KEY})
    return TokenCodec(keyring=keyring, issuer="iss", audience="aud", ttl_seconds=TTL, leeway_seconds=LEEWAY)


def payload(**changes: Any) -> dict[str, Any]:
    """A payload the codec accepts; ``changes`` replace claims (a value of ``...`` drops the claim)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "iss",
        "aud": "aud",
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "role": "member",
        "ver": 0,
        "iat": now,
        "nbf": now,
        "exp": now + TTL,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def at(offset: int) -> int:
    return int(time.time()) + offset


def signed(
    claims: dict[str, Any] | None = None, *, key: str = KEY, alg: str = "HS256", kid: Any = "current"
) -> str:
    headers = {} if kid is ... else {"kid": kid}
    return jwt.encode(claims or payload(), key, algorithm=alg, headers=headers)


# ------------------------------------------------------------------------------ keyring


@pytest.mark.parametrize(
    "keys",
    [{"current": "k" * 31}, {"current": KEY, "old": "k" * 31}],
    ids=["short active key", "short previous key"],
)
def test_keyring_rejects_keys_shorter_than_32_bytes(keys: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="shorter than 32 bytes"):
        Keyring(active_kid="current", keys=keys)


def test_the_active_key_id_must_be_in_the_keyring() -> None:
    with pytest.raises(ValueError, match="active key id must be in the keyring"):
        Keyring(active_kid="missing", keys={"current": KEY})


# ------------------------------------------------------------------------------ round trip


def test_issued_claims_survive_encoding() -> None:
    codec = make_codec()
    claims = codec.issue(
        subject=uuid.uuid4(), tenant_id=uuid.uuid4(), session_id=uuid.uuid4(), role="admin", token_version=3
    )
    token = codec.encode(claims)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "current", "typ": "JWT"}
    assert codec.decode(token) == claims
    assert claims.expires_at - claims.issued_at == TTL


def test_verified_claims_are_immutable() -> None:
    """The cache hands one claims object to every request presenting the token."""
    codec = make_codec()
    claims = codec.decode(signed())
    with pytest.raises(dataclasses.FrozenInstanceError):
        claims.role = "owner"  # type: ignore[misc]


def test_a_codec_shows_neither_its_keys_nor_the_tokens_it_verified() -> None:
    """A codec in a log line or an error report's locals must not leak what signs or was signed."""
    codec = make_codec({"current": KEY, "old": OLD_KEY})
    token = signed()
    codec.decode(token)
    shown = repr(codec)
    assert "current" in shown
    assert KEY not in shown
    assert OLD_KEY not in shown
    assert token not in shown


def test_subject_tenant_and_session_are_never_taken_by_position() -> None:
    """Three UUIDs in a row: only their names keep a caller from swapping the user and the tenant."""
    ids = (uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    with pytest.raises(TypeError):
        make_codec().issue(*ids, "member", 0)  # type: ignore[misc]


def test_the_first_configured_algorithm_signs_and_every_one_verifies() -> None:
    keyring = Keyring(active_kid="current", keys={"current": KEY})
    codec = TokenCodec(
        keyring=keyring,
        issuer="iss",
        audience="aud",
        ttl_seconds=TTL,
        leeway_seconds=LEEWAY,
        algorithms=("HS384", "HS256"),
    )
    claims = codec.issue(
        subject=uuid.uuid4(), tenant_id=uuid.uuid4(), session_id=uuid.uuid4(), role="member", token_version=0
    )
    assert jwt.get_unverified_header(codec.encode(claims))["alg"] == "HS384"
    assert codec.decode(signed(alg="HS256")).role == "member"


def test_the_cache_of_verified_tokens_is_bounded_and_its_entries_small() -> None:
    """4096 tokens per process, a few MB at most, however many are presented."""
    codec = make_codec()
    tokens = [signed() for _ in range(4097)]
    for token in tokens:
        codec.decode(token)
    assert len(codec._verified) == 4096
    assert tokens[0] not in codec._verified  # the least recently used went
    assert not hasattr(codec.decode(tokens[-1]), "__dict__")  # slots: thousands are held


def test_keys_of_32_bytes_or_more_are_accepted() -> None:
    """``openssl rand -hex 32`` gives 64 characters: longer than the minimum is fine."""
    assert Keyring(active_kid="current", keys={"current": "a1" * 32}).keys["current"] == "a1" * 32


def test_keyring_codec_and_cache_are_fixed_at_start_up() -> None:
    """One codec serves every request: its keys and rules cannot be swapped, nor its cache given."""
    codec = make_codec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        codec.keyring.active_kid = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        codec.ttl_seconds = 10**6  # type: ignore[misc]
    with pytest.raises(TypeError):
        TokenCodec(
            keyring=codec.keyring, issuer="i", audience="a", ttl_seconds=1, leeway_seconds=0, _verified={}
        )  # type: ignore[call-arg]


@pytest.mark.parametrize(("lifetime", "accepted"), [(TTL + 12, True), (TTL + 13, False)])
def test_a_lifetime_is_accepted_up_to_the_ttl_plus_the_leeway(lifetime: int, accepted: bool) -> None:
    """Leeway 12 (bits that 900 shares): the bound is the sum, inclusive."""
    codec = TokenCodec(
        keyring=Keyring(active_kid="current", keys={"current": KEY}),
        issuer="iss",
        audience="aud",
        ttl_seconds=TTL,
        leeway_seconds=12,
    )
    token = signed(payload(exp=at(lifetime)))
    if accepted:
        codec.decode(token)
    else:
        with pytest.raises(InvalidToken, match="claims"):
            codec.decode(token)


def test_a_token_issued_up_to_the_leeway_ahead_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    now = int(time.time())
    monkeypatch.setattr(time, "time", lambda: float(now))
    ahead = signed(payload(iat=now + LEEWAY, nbf=now + LEEWAY, exp=now + LEEWAY + TTL))
    assert make_codec().decode(ahead).issued_at == now + LEEWAY


def test_a_cached_token_is_accepted_from_its_issue_minus_the_leeway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issued at a time whose low bits differ from the leeway's, so no other arithmetic passes."""
    codec = make_codec()
    issued = int(time.time()) // 16 * 16 - 16  # a multiple of 16: issued & LEEWAY == 0
    token = signed(payload(iat=issued, nbf=issued, exp=issued + TTL))
    codec.decode(token)  # cached
    monkeypatch.setattr(time, "time", lambda: float(issued - LEEWAY))
    assert codec.decode(token).issued_at == issued
    monkeypatch.setattr(time, "time", lambda: float(issued - LEEWAY - 1))
    with pytest.raises(InvalidToken, match="issued_in_future"):
        codec.decode(token)


def test_what_a_codec_has_cached_is_not_part_of_its_identity() -> None:
    """Two codecs of the same keys and rules are equal, whatever each has verified so far."""
    warm = make_codec()
    warm.decode(signed())
    assert warm == make_codec()


def test_previous_keys_verify_but_only_the_active_key_signs() -> None:
    codec = make_codec({"current": KEY, "old": OLD_KEY})
    assert codec.decode(signed(key=OLD_KEY, kid="old")).role == "member"
    claims = codec.issue(
        subject=uuid.uuid4(), tenant_id=uuid.uuid4(), session_id=uuid.uuid4(), role="member", token_version=0
    )
    assert jwt.get_unverified_header(codec.encode(claims))["kid"] == "current"


def test_a_retired_key_no_longer_verifies() -> None:
    token = signed(key=OLD_KEY, kid="old")
    with pytest.raises(InvalidToken) as caught:
        make_codec().decode(token)
    assert caught.value.reason == "unknown_key"


def test_a_cached_token_still_expires_and_is_never_accepted_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verified-claims cache skips the signature check, never the clock."""
    codec = make_codec()
    token = signed(payload(iat=at(-TTL + 30), nbf=at(-TTL + 30), exp=at(30)))
    expires = codec.decode(token).expires_at  # verified, now cached
    assert expires == at(30)
    later = time.time() + 30 + LEEWAY + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidToken) as caught:
        codec.decode(token)
    assert caught.value.reason == "expired"
    monkeypatch.setattr(time, "time", lambda: float(expires + LEEWAY))  # the first instant refused
    with pytest.raises(InvalidToken, match="expired"):
        codec.decode(token)
    # Up to that instant, accepted: with an expiry whose low bits are the leeway's, so that
    # no other arithmetic (``exp ^ leeway``) lands on the same bound.
    ending = int(time.time()) // 16 * 16 + 16 + LEEWAY
    near = signed(payload(iat=ending - TTL, nbf=ending - TTL, exp=ending))
    codec.decode(near)
    monkeypatch.setattr(time, "time", lambda: float(ending + LEEWAY - 1))
    assert codec.decode(near).expires_at == ending
    earlier = later - 2 * TTL
    monkeypatch.setattr(time, "time", lambda: earlier)
    with pytest.raises(InvalidToken) as caught:
        codec.decode(token)
    assert caught.value.reason == "issued_in_future"


def test_a_refused_token_is_not_cached() -> None:
    codec = make_codec()
    token = signed(key="w" * 32)
    for _ in range(2):
        with pytest.raises(InvalidToken, match="signature"):
            codec.decode(token)


def test_leeway_tolerates_small_clock_skew_only() -> None:
    codec = make_codec()
    codec.decode(signed(payload(iat=at(-TTL - 5), nbf=at(-TTL - 5), exp=at(-5))))
    with pytest.raises(InvalidToken, match="expired"):
        codec.decode(signed(payload(iat=at(-TTL - 15), nbf=at(-TTL - 15), exp=at(-15))))


# ------------------------------------------------------------------------------ rejections


def unsigned(alg: str) -> str:
    """``header.payload.`` with an empty signature, as an ``alg: none`` attack sends it."""

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT', 'kid': 'current'})}.{b64(payload())}."


def missing(claim: str) -> Callable[[], str]:
    return lambda: signed(payload(**{claim: ...}))


# python-jose enforces these itself and reports their absence as a generic JWTError.
JOSE_REQUIRED = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti")
REJECTIONS: dict[str, tuple[Callable[[], str], str]] = {
    "not a JWT": (lambda: "not-a-token", "malformed"),
    "alg none": (lambda: unsigned("none"), "algorithm"),
    "alg None": (lambda: unsigned("None"), "algorithm"),
    "HS512 is not configured": (lambda: signed(alg="HS512"), "algorithm"),
    "unknown kid": (lambda: signed(kid="other"), "unknown_key"),
    "missing kid": (lambda: signed(kid=...), "unknown_key"),
    "kid is not a string": (lambda: signed(kid=["current"]), "unknown_key"),
    "wrong key": (lambda: signed(key="w" * 32), "signature"),
    "expired": (lambda: signed(payload(iat=at(-TTL - 60), nbf=at(-TTL - 60), exp=at(-60))), "expired"),
    "not yet valid": (lambda: signed(payload(nbf=at(300))), "claims"),
    "issued in the future": (lambda: signed(payload(iat=at(300), exp=at(300 + TTL))), "issued_in_future"),
    "lives longer than the ttl": (lambda: signed(payload(exp=at(TTL + LEEWAY + 60))), "claims"),
    "wrong issuer": (lambda: signed(payload(iss="someone-else")), "claims"),
    "wrong audience": (lambda: signed(payload(aud="someone-else")), "claims"),
    "ver is a string": (lambda: signed(payload(ver="0")), "claims"),
    "ver is a boolean": (lambda: signed(payload(ver=False)), "claims"),
    "exp is a string": (lambda: signed(payload(exp=str(at(TTL)))), "claims"),
    "sub is not a uuid": (lambda: signed(payload(sub="admin")), "claims"),
    "tid is not a uuid": (lambda: signed(payload(tid=42)), "claims"),
    "sid is not a uuid": (lambda: signed(payload(sid="session")), "claims"),
    "nbf is not iat": (lambda: signed(payload(nbf=at(-5))), "claims"),
    "nbf after iat": (lambda: signed(payload(iat=at(-5), nbf=at(0))), "claims"),
    "role is not a string": (lambda: signed(payload(role=["owner"])), "claims"),
    "jti is not a string": (lambda: signed(payload(jti=7)), "claims"),
    **{f"missing {claim}": (missing(claim), "claims") for claim in ("tid", "sid", "role", "ver")},
    **{f"missing {claim}": (missing(claim), "signature") for claim in JOSE_REQUIRED},
}


@pytest.mark.parametrize(("make_token", "reason"), REJECTIONS.values(), ids=list(REJECTIONS))
def test_a_bad_token_is_refused_with_a_reason(make_token: Callable[[], str], reason: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        make_codec().decode(make_token())
    assert caught.value.reason == reason
