"""The SDK's hand-written layer against a live service: retries on 429 and 503 that honour
Retry-After, token refresh, automatic Idempotency-Key on create, page iterators."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from tools.mailed_token import verified_signup

from platform_common.db.provision import ProvisionedDatabase
from tests.service_process import running_service
from tests.tcp_proxy import TcpProxy, tcp_proxy
from todo_client import RetryPolicy, TodoClient, Tokens
from todo_client.generated.models import TaskCreate

PASSWORD = "correct horse battery staple"
# These services run beside the contract suite's own: a few connections each are plenty.
SMALL_POOL = {"DATABASE_POOL_SIZE": "2", "DATABASE_MAX_OVERFLOW": "2"}


@dataclass
class Exchange:
    method: str
    path: str
    request_headers: httpx.Headers
    status: int
    retry_after: str | None


@dataclass
class Recorder(httpx.BaseTransport):
    """What really went over the wire, under the SDK's retrying transport."""

    exchanges: list[Exchange] = field(default_factory=list)
    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                request.headers.copy(),
                response.status_code,
                response.headers.get("Retry-After"),
            )
        )
        return response

    def statuses(self, path: str) -> list[int]:
        return [e.status for e in self.exchanges if e.path == path]


def sign_up(base_url: str, database: ProvisionedDatabase) -> str:
    suffix = uuid.uuid4().hex[:8]
    email = f"sdk-{suffix}@sdk.example.com"
    body = {"tenant_name": "SDK", "tenant_slug": f"sdk-{suffix}", "email": email, "password": PASSWORD}
    verified_signup(base_url, database.app_url, body)
    return email


@pytest.fixture(scope="module")
def limited_api(
    contract_database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Two authenticated requests per second per user: a burst meets 429 with Retry-After: 1."""
    env = {"RATE_LIMIT_AUTHENTICATED": "2/second", **SMALL_POOL}
    with running_service(
        contract_database.app_url, tmp_path_factory.mktemp("sdk-limited"), env=env
    ) as service:
        yield service.api_url


@dataclass
class Proxied:
    api_url: str
    proxy: TcpProxy


@pytest.fixture(scope="module")
def proxied_api(
    contract_database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxied]:
    """The service reaching PostgreSQL through a proxy the test can cut (a database outage: 503)."""
    url = urlsplit(contract_database.app_url)
    query = dict(parse_qsl(url.query))
    socket_dir = query.pop("host", "")
    port = url.port or 5432
    # The embedded PostgreSQL listens on a Unix socket (``?host=<dir>``), CI's on TCP.
    target = (f"{socket_dir}/.s.PGSQL.{port}", 0) if socket_dir.startswith("/") else (url.hostname, port)
    with tcp_proxy(target[0] or "127.0.0.1", target[1]) as proxy:
        netloc = f"{url.netloc.rsplit('@', 1)[0]}@127.0.0.1:{proxy.port}"
        database_url = urlunsplit(url._replace(netloc=netloc, query=urlencode(query)))
        with running_service(
            database_url,
            tmp_path_factory.mktemp("sdk-proxied"),
            env={"RATE_LIMIT_ENABLED": "false", **SMALL_POOL},
        ) as service:
            yield Proxied(service.api_url, proxy)


def test_429_is_retried_after_the_servers_retry_after(
    limited_api: str, contract_database: ProvisionedDatabase
) -> None:
    email = sign_up(limited_api, contract_database)
    slept: list[float] = []
    recorder = Recorder()

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    with TodoClient.login(
        limited_api, email, PASSWORD, retry=RetryPolicy(sleep=sleep), transport=recorder
    ) as sdk:
        for _ in range(5):
            assert list(sdk.iter_tasks()) == []
    refused = [e for e in recorder.exchanges if e.status == 429]
    assert refused, "the burst met the limit"
    assert recorder.statuses("/api/v1/tasks").count(200) == 5
    assert slept == [float(e.retry_after or "nan") for e in refused]  # each wait is the server's


def test_503_is_retried_after_retry_after_when_the_request_is_repeatable(
    proxied_api: Proxied, contract_database: ProvisionedDatabase
) -> None:
    email = sign_up(proxied_api.api_url, contract_database)
    slept: list[float] = []
    recorder = Recorder()

    def sleep(seconds: float) -> None:
        """Record the wait and end the outage; no real wait (the point is which wait is chosen)."""
        slept.append(seconds)
        proxied_api.proxy.restore()

    policy = RetryPolicy(sleep=sleep, attempts=6)
    with TodoClient.login(proxied_api.api_url, email, PASSWORD, retry=policy, transport=recorder) as sdk:
        proxied_api.proxy.cut()
        assert list(sdk.iter_tasks()) == []  # GET: retried until the database is back
        unavailable = [e for e in recorder.exchanges if e.status == 503]
        assert unavailable
        assert slept == [float(e.retry_after or "nan") for e in unavailable]

        proxied_api.proxy.cut()
        slept.clear()
        plain = sdk.http.post("/api/v1/tasks", json={"title": "no key"})  # not repeatable: no retry
        assert plain.status_code == 503
        assert slept == []

        created = sdk.create_task(TaskCreate(title="with a key of its own"))  # the proxy is still cut
        assert slept, "the create was retried"
        assert [t.id for t in sdk.iter_tasks()] == [created.id]  # and made exactly one task
    proxied_api.proxy.restore()


def test_the_access_token_refreshes_itself_with_the_refresh_grant(
    limited_api: str, contract_database: ProvisionedDatabase
) -> None:
    email = sign_up(limited_api, contract_database)
    refreshed: list[Tokens] = []
    recorder = Recorder()
    with TodoClient.login(
        limited_api, email, PASSWORD, transport=recorder, on_refresh=refreshed.append
    ) as sdk:
        first = sdk.auth.tokens
        sdk.auth.tokens = Tokens(first.access_token, first.refresh_token, expires_at=0)  # about to expire
        assert list(sdk.iter_tasks()) == []
        assert len(refreshed) == 1
        assert refreshed[0].refresh_token != first.refresh_token  # rotated
        second = sdk.auth.tokens
        sdk.auth.tokens = Tokens("not-a-token", second.refresh_token, second.expires_at)  # refused: 401
        assert list(sdk.iter_tasks()) == []
        assert len(refreshed) == 2
    grants = [e for e in recorder.exchanges if e.path == "/api/v1/auth/token"]
    assert [e.status for e in grants] == [200, 200, 200]  # the login, then two refresh grants
    assert 401 in recorder.statuses("/api/v1/tasks")


def test_create_sends_an_idempotency_key_of_its_own(
    limited_api: str, contract_database: ProvisionedDatabase
) -> None:
    email = sign_up(limited_api, contract_database)
    recorder = Recorder()
    with TodoClient.login(limited_api, email, PASSWORD, transport=recorder) as sdk:
        first = sdk.create_task(TaskCreate(title="one"))
        second = sdk.create_task(TaskCreate(title="one"))
        assert first.id != second.id  # a key per call: two calls, two tasks
        again = sdk.create_task(TaskCreate(title="two"), idempotency_key="fixed-key")
        repeated = sdk.create_task(TaskCreate(title="two"), idempotency_key="fixed-key")
        assert again.id == repeated.id
    keys = [
        e.request_headers.get("Idempotency-Key")
        for e in recorder.exchanges
        if e.method == "POST" and e.path == "/api/v1/tasks" and e.status == 201
    ]
    assert len(keys) == 4
    assert all(keys)
    assert len({keys[0], keys[1]}) == 2
    uuid.UUID(str(keys[0]))


def test_page_iterators_follow_the_link_header(
    limited_api: str, contract_database: ProvisionedDatabase
) -> None:
    email = sign_up(limited_api, contract_database)
    with TodoClient.login(limited_api, email, PASSWORD, retry=RetryPolicy(attempts=10)) as sdk:
        made = {sdk.create_task(TaskCreate(title=f"t{i}")).id for i in range(5)}
        assert {t.id for t in sdk.iter_tasks(size=2)} == made
        assert [u.email for u in sdk.iter_users(size=1)] == [email]
