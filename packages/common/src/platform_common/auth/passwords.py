"""Password hashing with passlib's API (the maintained ``libpass`` fork), off the event loop.

argon2id with OWASP's minimum parameters is the default; bcrypt hashes still verify
and are upgraded on the next successful login. Hashing is CPU-bound, so it runs in
worker threads behind a limiter: a burst of logins queues there, not on the loop.
"""

from __future__ import annotations

import anyio
from passlib.context import CryptContext

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128  # bcrypt reads 72 bytes at most; length is checked before hashing


class PasswordHasher:
    def __init__(self, *, concurrency: int = 2) -> None:
        self._context = CryptContext(
            schemes=["argon2", "bcrypt"],
            deprecated="auto",
            argon2__type="ID",
            argon2__memory_cost=19456,
            argon2__time_cost=2,
            argon2__parallelism=1,
        )
        self._limiter = anyio.CapacityLimiter(concurrency)
        # Verified against when the account does not exist, so a miss costs what a hit costs.
        self._dummy_hash = self._context.hash("dummy password for timing equality")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._context.hash, password, limiter=self._limiter)

    async def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """``(valid, new_hash)``; ``new_hash`` is set when the stored hash should be upgraded.

        With ``hashed=None`` (no such account) a dummy hash is verified and the answer is False.
        """
        target = hashed if hashed is not None else self._dummy_hash
        valid, new_hash = await anyio.to_thread.run_sync(
            self._context.verify_and_update, password, target, limiter=self._limiter
        )
        return (bool(valid) and hashed is not None), (new_hash if hashed is not None else None)
