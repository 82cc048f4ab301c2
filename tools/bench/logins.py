"""Scenario (g)'s background load: password logins at a fixed rate from an asyncio loop.

Open loop: a login starts every 1/rate seconds whether or not earlier ones finished, as
independent users would, so a slow server shows up as latency and backlog rather than
as a quietly lower rate. Each login is an argon2 verification on the server's worker
threads, the CPU-heavy path that must not starve ordinary requests.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType

import httpx

TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105  # a path
MAX_IN_FLIGHT = 100


def login(base_url: str, email: str, password: str) -> str:
    """An access token for ``email`` (one synchronous login)."""
    response = httpx.post(base_url + TOKEN_PATH, data={"username": email, "password": password}, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"login as {email} answered {response.status_code}: {response.text[:300]}")
    token: str = response.json()["access_token"]
    return token


PERSONAL_TOKENS_PATH = "/api/v1/users/me/tokens"  # a path


def personal_token(base_url: str, session_token: str) -> tuple[str, str]:
    """A new personal access token of the session's user (any scope serves GET /users/me):
    its id (to revoke it after the scenario) and the token."""
    response = httpx.post(
        base_url + PERSONAL_TOKENS_PATH,
        json={"name": "benchmark", "scopes": ["tasks:read"]},
        headers={"Authorization": f"Bearer {session_token}"},
        timeout=30,
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"making a personal access token answered {response.status_code}: {response.text[:300]}"
        )
    created = response.json()
    return str(created["id"]), str(created["token"])


def revoke_personal_token(base_url: str, session_token: str, token_id: str) -> None:
    httpx.delete(
        f"{base_url}{PERSONAL_TOKENS_PATH}/{token_id}",
        headers={"Authorization": f"Bearer {session_token}"},
        timeout=30,
    ).raise_for_status()


@dataclass
class LoginStats:
    rate: float
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    dropped: int = 0  # not started: MAX_IN_FLIGHT logins were already waiting

    @property
    def attempted(self) -> int:
        return sum(self.statuses.values()) + self.dropped

    @property
    def failed(self) -> int:
        return self.dropped + sum(n for status, n in self.statuses.items() if status != "200")

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies_ms)
        return {
            "target_rate_per_s": self.rate,
            "achieved_rate_per_s": round(len(ordered) / self.seconds, 2) if self.seconds else 0.0,
            "attempted": self.attempted,
            "failed": self.failed,
            "statuses": dict(self.statuses),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1) if ordered else None,
        }


class LoginLoad:
    """``with LoginLoad(...) as stats:`` logins run in a background thread for the block."""

    def __init__(self, base_url: str, accounts: list[tuple[str, str]], rate: float) -> None:
        self._base_url = base_url
        self._accounts = accounts
        self._interval = 1 / rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="logins", daemon=True)
        self.stats = LoginStats(rate=rate)

    def __enter__(self) -> LoginStats:
        self._thread.start()
        return self.stats

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    async def _run(self) -> None:
        pending: set[asyncio.Task[None]] = set()
        limits = httpx.Limits(max_connections=MAX_IN_FLIGHT)
        async with httpx.AsyncClient(base_url=self._base_url, timeout=30, limits=limits) as client:
            started = time.monotonic()
            due = started
            n = 0
            while not self._stop.is_set():
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(min(delay, 0.05))
                    continue
                if len(pending) >= MAX_IN_FLIGHT:
                    self.stats.dropped += 1
                else:
                    email, password = self._accounts[n % len(self._accounts)]
                    task = asyncio.create_task(self._login(client, email, password))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
                n += 1
                due += self._interval
            if pending:
                await asyncio.gather(*pending)
            self.stats.seconds = time.monotonic() - started

    async def _login(self, client: httpx.AsyncClient, email: str, password: str) -> None:
        started = time.monotonic()
        try:
            response = await client.post(TOKEN_PATH, data={"username": email, "password": password})
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        self.stats.statuses[status] += 1
        if status == "200":
            self.stats.latencies_ms.append((time.monotonic() - started) * 1000)
