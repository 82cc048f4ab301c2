"""PasswordHasher: argon2id for new hashes, legacy hashes upgraded on login, a dummy that never matches."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from passlib.hash import bcrypt

from platform_common.auth.passwords import PasswordHasher

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher()


async def test_new_hashes_are_argon2id_with_owasp_parameters(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(PASSWORD, hashed) == (True, None)
    assert await hasher.verify(PASSWORD + "!", hashed) == (False, None)


@pytest.mark.parametrize(
    "legacy_hash",
    [
        bcrypt.using(rounds=4).hash(PASSWORD),
        Argon2Hasher(time_cost=1, memory_cost=1024, type=Type.I).hash(PASSWORD),
    ],
    ids=["bcrypt", "weak argon2i"],
)
async def test_a_legacy_hash_is_upgraded_to_argon2id_on_verify(
    hasher: PasswordHasher, legacy_hash: str
) -> None:
    valid, new_hash = await hasher.verify(PASSWORD, legacy_hash)
    assert valid
    assert new_hash is not None
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(PASSWORD, new_hash) == (True, None)


async def test_a_wrong_password_never_yields_an_upgrade(hasher: PasswordHasher) -> None:
    assert await hasher.verify("not the password", bcrypt.using(rounds=4).hash(PASSWORD)) == (False, None)


async def test_the_dummy_verify_for_a_missing_account_is_always_false(hasher: PasswordHasher) -> None:
    assert await hasher.verify(PASSWORD, None) == (False, None)
    # Even the dummy hash's own password must not log anyone in.
    dummy = PasswordHasher()
    dummy._dummy_hash = await dummy.hash(PASSWORD)
    assert await dummy.verify(PASSWORD, None) == (False, None)
