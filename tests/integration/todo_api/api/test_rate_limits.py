"""Rate limits: who is counted, by which key, what the client sees, and where counters live."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
import redis
from prometheus_client import REGISTRY

from platform_common.errors import TooManyRequests
from platform_common.observability.security_metrics import RateLimitScope
from platform_common.ratelimit.counters import counters_for
from platform_common.ratelimit.limiter import Policy, RateLimiter
from tests.integration.apps import serving
from tests.integration.factories import PASSWORD, add_member, signup
from todo_api.core.config import Settings
from todo_api.main import create_app

REDIS_URL = "redis://127.0.0.1:6379/15"
TASKS = "/api/v1/tasks"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


requires_redis = pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")


def running(settings: Settings, peer: str = "127.0.0.1") -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app, called from ``peer``."""
    return serving(create_app(settings), client=(peer, 50000))


@pytest.fixture
def limited(settings: Settings, clean_database: None) -> Callable[..., Settings]:
    """Settings with some limits changed; a fresh key prefix keeps shared storage isolated."""

    def make(**limits: object) -> Settings:
        return settings.model_copy(update={"service_name": f"test-{uuid.uuid4().hex[:8]}", **limits})

    return make


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_authenticated_routes_carry_headers_and_429_in_the_envelope(
    limited: Callable[..., Settings],
) -> None:
    async with running(limited(rate_limit_authenticated="3/minute")) as client:
        account = await signup(client, "acme")
        ok = await client.get(TASKS, headers=account.headers)
        assert ok.status_code == 200
        assert ok.headers["x-ratelimit-limit"] == "3"
        assert ok.headers["x-ratelimit-remaining"] == "2"
        assert 0 < int(ok.headers["x-ratelimit-reset"]) <= 60
        me = await client.get("/api/v1/users/me", headers=account.headers)  # a plain-model route
        assert me.headers["x-ratelimit-remaining"] == "1"
        await client.get(TASKS, headers=account.headers)
        before = _metric("rate_limit_rejections_total", scope="user")
        refused = await client.get(TASKS, headers=account.headers)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["code"] == "rate_limited"
        assert refused.json()["meta"]["request_id"] == refused.headers["x-request-id"]
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert _metric("rate_limit_rejections_total", scope="user") == before + 1


async def test_users_have_their_own_budget_under_a_shared_tenant_ceiling(
    limited: Callable[..., Settings],
) -> None:
    async with running(limited(rate_limit_authenticated="2/minute", rate_limit_tenant="3/minute")) as client:
        owner = await signup(client, "acme")
        member = await add_member(client, owner, "bob")  # the owner's first counted request
        assert (await client.get(TASKS, headers=owner.headers)).status_code == 200
        assert (await client.get(TASKS, headers=owner.headers)).status_code == 429  # the user's own limit
        other = await signup(client, "globex")
        assert (await client.get(TASKS, headers=other.headers)).status_code == 200  # another tenant
        # acme has spent 2 of its 3: its member gets the last one, then the tenant is full.
        assert (await client.get(TASKS, headers=member.headers)).status_code == 200
        assert (await client.get(TASKS, headers=member.headers)).status_code == 429


async def test_anonymous_routes_are_limited_per_client_ip(limited: Callable[..., Settings]) -> None:
    settings = limited(rate_limit_anonymous="2/minute")
    body = {"refresh_token": "not-a-real-token"}
    async with running(settings, peer="10.0.0.1") as first:
        assert [(await first.post("/api/v1/auth/refresh", json=body)).status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]


async def test_signup_is_limited_per_ip(limited: Callable[..., Settings]) -> None:
    async with running(limited(rate_limit_signup="1/hour")) as client:
        await signup(client, "acme")
        body = {
            "tenant_name": "B",
            "tenant_slug": "beta",
            "email": "b@beta.example.com",
            "password": PASSWORD,
        }
        assert (await client.post("/api/v1/auth/signup", json=body)).status_code == 429


async def test_login_is_limited_per_account_across_ips(limited: Callable[..., Settings]) -> None:
    settings = limited(rate_limit_login_account="3/minute", trusted_proxies=["127.0.0.1"])
    async with running(settings) as client:
        account = await signup(client, "acme")  # one login already counted for this account
        statuses = []
        for i in range(3):
            response = await client.post(
                "/api/v1/auth/token",
                data={"username": account.email.upper(), "password": "wrong password!!"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            statuses.append(response.status_code)
        assert statuses == [401, 401, 429]
        other = await client.post(
            "/api/v1/auth/token", data={"username": "x@acme.example.com", "password": PASSWORD}
        )
        assert other.status_code == 401  # another account still has its budget


async def test_login_is_limited_per_ip(limited: Callable[..., Settings]) -> None:
    async with running(limited(rate_limit_login_ip="2/minute")) as client:
        statuses = [
            (
                await client.post(
                    "/api/v1/auth/token", data={"username": f"u{i}@x.example.com", "password": PASSWORD}
                )
            ).status_code
            for i in range(3)
        ]
        assert statuses == [401, 401, 429]


@pytest.mark.parametrize(("trusted", "expect_blocked"), [([], True), (["127.0.0.1/32"], False)])
async def test_forwarded_for_counts_only_from_trusted_proxies(
    limited: Callable[..., Settings], trusted: list[str], expect_blocked: bool
) -> None:
    """A spoofed X-Forwarded-For from an untrusted peer changes nothing."""
    settings = limited(rate_limit_anonymous="1/minute", trusted_proxies=trusted)
    body = {"refresh_token": "not-a-real-token"}
    async with running(settings) as client:
        await client.post("/api/v1/auth/refresh", json=body, headers={"X-Forwarded-For": "203.0.113.1"})
        second = await client.post(
            "/api/v1/auth/refresh", json=body, headers={"X-Forwarded-For": "203.0.113.2"}
        )
    assert (second.status_code == 429) is expect_blocked


async def test_health_probes_are_never_limited(limited: Callable[..., Settings]) -> None:
    async with running(
        limited(rate_limit_anonymous="1/minute", rate_limit_authenticated="1/minute")
    ) as client:
        for path in ("/healthz", "/readyz") * 5:
            response = await client.get(path)
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


async def test_limiting_can_be_turned_off(limited: Callable[..., Settings]) -> None:
    async with running(limited(rate_limit_enabled=False, rate_limit_authenticated="1/minute")) as client:
        account = await signup(client, "acme")
        for _ in range(3):
            response = await client.get(TASKS, headers=account.headers)
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


@requires_redis
async def test_two_instances_share_one_budget_through_redis(limited: Callable[..., Settings]) -> None:
    settings = limited(rate_limit_storage_uri=REDIS_URL, rate_limit_authenticated="3/minute")
    async with running(settings) as first, running(settings) as second:
        account = await signup(first, "acme")
        statuses = [
            (await client.get(TASKS, headers=account.headers)).status_code
            for client in (first, second, first, second)
        ]
    assert statuses == [200, 200, 200, 429]


@requires_redis
async def test_services_sharing_redis_keep_separate_counters() -> None:
    policy = Policy.of("user", "1/minute", RateLimitScope.USER)
    first, second = (
        RateLimiter(counters=counters_for(REDIS_URL), key_prefix=f"svc-{uuid.uuid4().hex[:8]}")
        for _ in range(2)
    )
    await first.check(None, (policy, "same-key"))
    await second.check(None, (policy, "same-key"))  # its own budget, not the first service's
    with pytest.raises(TooManyRequests):
        await first.check(None, (policy, "same-key"))


async def test_storage_outage_fails_open_except_login(limited: Callable[..., Settings]) -> None:
    healthy = limited()
    async with running(healthy) as client:
        account = await signup(client, "acme")
    down = healthy.model_copy(update={"rate_limit_storage_uri": "redis://127.0.0.1:1/0"})
    before = _metric("rate_limit_storage_errors_total")
    async with running(down) as client:
        served = await client.get(TASKS, headers=account.headers)
        assert served.status_code == 200
        login = await client.post(
            "/api/v1/auth/token", data={"username": account.email, "password": PASSWORD}
        )
        assert login.status_code == 503
        assert login.json()["errors"][0]["code"] == "service_unavailable"
        assert login.headers["retry-after"]
    assert _metric("rate_limit_storage_errors_total") > before


async def test_storage_outage_can_fail_closed(limited: Callable[..., Settings]) -> None:
    healthy = limited()
    async with running(healthy) as client:
        account = await signup(client, "acme")
    down = healthy.model_copy(
        update={"rate_limit_storage_uri": "redis://127.0.0.1:1/0", "rate_limit_fail_open": False}
    )
    async with running(down) as client:
        assert (await client.get(TASKS, headers=account.headers)).status_code == 503
