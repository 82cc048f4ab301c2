"""Rate limits: who is counted, by which key, what the client sees, and where counters live."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable

import httpx
import pytest
import redis
from prometheus_client import REGISTRY

from platform_common.errors import TooManyRequests
from platform_common.observability.security_metrics import RateLimitScope
from platform_common.ratelimit.counters import counters_for
from platform_common.ratelimit.limiter import Policy, RateLimiter
from tests.integration.apps import serve
from tests.integration.factories import PASSWORD, add_member, signup
from todo_api.core.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"
TASKS = "/api/v1/tasks"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


requires_redis = pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")


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
    async with serve(limited(rate_limit_authenticated="3/hour")) as client:
        account = await signup(client, "acme")
        ok = await client.get(TASKS, headers=account.headers)
        assert ok.status_code == 200
        assert ok.headers["x-ratelimit-limit"] == "3"
        assert ok.headers["x-ratelimit-remaining"] == "2"
        assert 0 < int(ok.headers["x-ratelimit-reset"]) <= 3600
        me = await client.get("/api/v1/users/me", headers=account.headers)  # a plain-model route
        assert me.headers["x-ratelimit-remaining"] == "1"
        await client.get(TASKS, headers=account.headers)
        before = _metric("rate_limit_rejections_total", scope="user")
        refused = await client.get(TASKS, headers=account.headers)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["code"] == "rate_limited"
        assert refused.json()["meta"]["request_id"] == refused.headers["x-request-id"]
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        assert _metric("rate_limit_rejections_total", scope="user") == before + 1


async def test_users_have_their_own_budget_under_a_shared_tenant_ceiling(
    limited: Callable[..., Settings],
) -> None:
    async with serve(limited(rate_limit_authenticated="2/hour", rate_limit_tenant="3/hour")) as client:
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
    settings = limited(rate_limit_anonymous="2/hour")
    body = {"refresh_token": "not-a-real-token"}
    async with serve(settings, peer="10.0.0.1") as first:
        assert [(await first.post("/api/v1/auth/refresh", json=body)).status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]


async def test_signup_is_limited_per_ip(limited: Callable[..., Settings]) -> None:
    async with serve(limited(rate_limit_signup="1/hour")) as client:
        await signup(client, "acme")
        body = {
            "tenant_name": "B",
            "tenant_slug": "beta",
            "email": "b@beta.example.com",
            "password": PASSWORD,
        }
        assert (await client.post("/api/v1/auth/signup", json=body)).status_code == 429


# ------------------------------------------------------------------------------ failed logins
# Distinct client IPs arrive through a trusted proxy (127.0.0.1, the test client's peer).

WRONG = "wrong password!!"


async def log_in(client: httpx.AsyncClient, email: str, password: str, ip: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"username": email, "password": password},
        headers={"X-Forwarded-For": ip},
    )


def fingerprint(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


async def test_failed_logins_are_limited_per_account_and_client_ip(
    limited: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = limited(rate_limit_login_failures_account_ip="3/hour", trusted_proxies=["127.0.0.1"])
    async with serve(settings) as client:
        account = await signup(client, "acme")
        guesses = [await log_in(client, account.email.upper(), WRONG, "198.51.100.1") for _ in range(3)]
        assert [r.status_code for r in guesses] == [400, 400, 400]  # invalid_grant (RFC 6749 §5.2)
        before = _metric("rate_limit_rejections_total", scope="account_ip")
        refused = await log_in(client, account.email, PASSWORD, "198.51.100.1")  # even the right one
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["code"] == "rate_limited"
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        assert _metric("rate_limit_rejections_total", scope="account_ip") == before + 1
        # The owner, elsewhere, is not locked out by the guesses from that address.
        assert (await log_in(client, account.email, PASSWORD, "203.0.113.7")).status_code == 200
        # Nor is another account at that address.
        assert (await log_in(client, "x@acme.example.com", WRONG, "198.51.100.1")).status_code == 400
    logged = capsys.readouterr().err
    assert "login_throttled" in logged
    assert fingerprint(account.email) in logged
    assert account.email not in logged  # named only by its fingerprint


async def test_failed_logins_are_limited_per_account_across_client_ips(
    limited: Callable[..., Settings],
) -> None:
    settings = limited(rate_limit_login_failures_account="3/hour", trusted_proxies=["127.0.0.1"])
    async with serve(settings) as client:
        account = await signup(client, "acme")
        guesses = [await log_in(client, account.email, WRONG, f"198.51.100.{i}") for i in range(3)]
        assert [r.status_code for r in guesses] == [400, 400, 400]  # invalid_grant (RFC 6749 §5.2)
        before = _metric("rate_limit_rejections_total", scope="account")
        refused = await log_in(client, account.email, PASSWORD, "203.0.113.7")
        assert refused.status_code == 429  # past the account's ceiling, from any address
        assert int(refused.headers["retry-after"]) > 0
        assert _metric("rate_limit_rejections_total", scope="account") == before + 1
        other = await log_in(client, "x@acme.example.com", WRONG, "203.0.113.7")
        assert other.status_code == 400  # another account still has its budget


async def test_successful_logins_are_not_counted_as_failures(limited: Callable[..., Settings]) -> None:
    settings = limited(
        rate_limit_login_failures_account_ip="2/hour",
        rate_limit_login_failures_account="2/hour",
        trusted_proxies=["127.0.0.1"],
    )
    async with serve(settings) as client:
        account = await signup(client, "acme")
        for _ in range(4):
            assert (await log_in(client, account.email, PASSWORD, "198.51.100.1")).status_code == 200
        guesses = [await log_in(client, account.email, WRONG, "198.51.100.1") for _ in range(3)]
        assert [r.status_code for r in guesses] == [400, 400, 429]  # invalid_grant, then the limit


async def test_parallel_guesses_cannot_all_slip_past_before_the_first_failure_counts(
    limited: Callable[..., Settings],
) -> None:
    """Each guess takes a slot before its password is checked, so at most the limit's number
    are checked at once, however many arrive together."""
    settings = limited(rate_limit_login_failures_account_ip="3/hour", trusted_proxies=["127.0.0.1"])
    async with serve(settings) as client:
        account = await signup(client, "acme")
        checked_before = _metric("auth_failures_total", reason="invalid_credentials")
        guesses = await asyncio.gather(
            *[log_in(client, account.email, WRONG, "198.51.100.1") for _ in range(10)]
        )
    assert sorted(r.status_code for r in guesses) == [400] * 3 + [429] * 7
    # Refused before the check, not after it: only three passwords were ever verified.
    assert _metric("auth_failures_total", reason="invalid_credentials") == checked_before + 3


async def test_login_is_limited_per_ip(limited: Callable[..., Settings]) -> None:
    async with serve(limited(rate_limit_login_ip="2/hour")) as client:
        statuses = [
            (
                await client.post(
                    "/api/v1/auth/token", data={"username": f"u{i}@x.example.com", "password": PASSWORD}
                )
            ).status_code
            for i in range(3)
        ]
        assert statuses == [400, 400, 429]


@pytest.mark.parametrize(("trusted", "expect_blocked"), [([], True), (["127.0.0.1/32"], False)])
async def test_forwarded_for_counts_only_from_trusted_proxies(
    limited: Callable[..., Settings], trusted: list[str], expect_blocked: bool
) -> None:
    """A spoofed X-Forwarded-For from an untrusted peer changes nothing."""
    settings = limited(rate_limit_anonymous="1/hour", trusted_proxies=trusted)
    body = {"refresh_token": "not-a-real-token"}
    async with serve(settings) as client:
        await client.post("/api/v1/auth/refresh", json=body, headers={"X-Forwarded-For": "203.0.113.1"})
        second = await client.post(
            "/api/v1/auth/refresh", json=body, headers={"X-Forwarded-For": "203.0.113.2"}
        )
    assert (second.status_code == 429) is expect_blocked


async def test_health_probes_are_never_limited(limited: Callable[..., Settings]) -> None:
    async with serve(limited(rate_limit_anonymous="1/hour", rate_limit_authenticated="1/hour")) as client:
        for path in ("/healthz", "/readyz") * 5:
            response = await client.get(path)
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


async def test_limiting_can_be_turned_off(limited: Callable[..., Settings]) -> None:
    async with serve(limited(rate_limit_enabled=False, rate_limit_authenticated="1/hour")) as client:
        account = await signup(client, "acme")
        for _ in range(3):
            response = await client.get(TASKS, headers=account.headers)
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


@requires_redis
async def test_two_instances_share_one_budget_through_redis(limited: Callable[..., Settings]) -> None:
    settings = limited(rate_limit_storage_uri=REDIS_URL, rate_limit_authenticated="3/hour")
    async with serve(settings) as first, serve(settings) as second:
        account = await signup(first, "acme")
        statuses = [
            (await client.get(TASKS, headers=account.headers)).status_code
            for client in (first, second, first, second)
        ]
    assert statuses == [200, 200, 200, 429]


@requires_redis
async def test_services_sharing_redis_keep_separate_counters() -> None:
    policy = Policy.of("user", "1/hour", RateLimitScope.USER)
    first, second = (
        RateLimiter(counters=counters_for(REDIS_URL), key_prefix=f"svc-{uuid.uuid4().hex[:8]}")
        for _ in range(2)
    )
    await first.check(None, (policy, "same-key"))
    await second.check(None, (policy, "same-key"))  # its own budget, not the first service's
    with pytest.raises(TooManyRequests):
        await first.check(None, (policy, "same-key"))


async def test_storage_outage_fails_open_except_password_checks(limited: Callable[..., Settings]) -> None:
    healthy = limited()
    async with serve(healthy) as client:
        account = await signup(client, "acme")
    down = healthy.model_copy(update={"rate_limit_storage_uri": "redis://127.0.0.1:1/0"})
    before = _metric("rate_limit_storage_errors_total")
    async with serve(down) as client:
        served = await client.get(TASKS, headers=account.headers)
        assert served.status_code == 200
        login = await client.post(
            "/api/v1/auth/token", data={"username": account.email, "password": PASSWORD}
        )
        assert login.status_code == 503
        assert login.json()["errors"][0]["code"] == "service_unavailable"
        assert login.headers["retry-after"]
        change = {"current_password": PASSWORD, "new_password": "a brand new password"}
        password = await client.post("/api/v1/users/me/password", json=change, headers=account.headers)
        assert password.status_code == 503  # a password check fails closed too
    assert _metric("rate_limit_storage_errors_total") > before


async def test_storage_outage_can_fail_closed(limited: Callable[..., Settings]) -> None:
    healthy = limited()
    async with serve(healthy) as client:
        account = await signup(client, "acme")
    down = healthy.model_copy(
        update={"rate_limit_storage_uri": "redis://127.0.0.1:1/0", "rate_limit_fail_open": False}
    )
    async with serve(down) as client:
        assert (await client.get(TASKS, headers=account.headers)).status_code == 503
