"""Graceful failure against real parts: a database that is down, too slow or saturated is a 503
envelope with ``Retry-After`` (and the same process recovers when it returns), and SIGTERM
lets the in-flight request finish while new connections are refused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pgserver
import pytest
from fastapi import FastAPI, Request
from tools.image.serve import uvicorn_command

from platform_common.app import ServiceRuntime, runtime_of
from platform_common.db.provision import ProvisionedDatabase
from tests.database import fresh_database
from tests.integration import apps
from tests.integration.factories import PASSWORD, signup
from tests.integration.platform_common.test_error_envelope import assert_envelope
from tests.service_process import ROOT, free_port
from todo_api.main import create_app

TASKS = "/api/v1/tasks"
GRACE_SECONDS = 10


def serving(app: FastAPI) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app in-process; an unhandled error becomes a 500 response, as a server sends it."""
    return apps.serving(app, raise_app_exceptions=False)


def with_sleep_probe(app: FastAPI) -> FastAPI:
    """A test-only route that keeps a unit of work, and its pooled connection, in pg_sleep."""

    @app.get("/probe/sleep")
    async def sleep(request: Request, seconds: float) -> dict[str, str]:
        async with runtime_of(request, ServiceRuntime).database.transaction() as transaction:
            await transaction.connection.execute("SELECT pg_sleep($1)", seconds)
        return {"status": "slept"}

    return app


def assert_unavailable(response: httpx.Response, *secrets: str) -> None:
    """A 503 envelope that tells the client when to retry and nothing about the internals."""
    assert_envelope(response, 503, "service_unavailable")
    assert int(response.headers["retry-after"]) > 0
    body = response.text.lower()
    for leak in ("traceback", "select", "asyncpg", "sqlalchemy", "postgres", ".py", *secrets):
        assert leak.lower() not in body, f"{leak!r} leaked into {response.text}"


async def eventually(condition: Callable[[], Awaitable[bool]], *, within: float) -> None:
    """Poll ``condition`` (state owned by a pool or another process) until it holds."""
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110  # nothing to wait on but the state itself
            await asyncio.sleep(0.02)


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


class PrivatePostgres:
    """An embedded PostgreSQL of the test's own (not the suite's), stoppable and restartable.

    pgserver stops the server (``pg_ctl -w stop``, fast mode) when the last handle of every
    process cleans up; ``get_server`` on the same data dir afterwards starts it again.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.start()

    def start(self) -> None:
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")

    def stop(self) -> None:
        self._server.cleanup()
        assert not (self.data_dir / "postmaster.pid").exists(), "PostgreSQL is still running"

    @property
    def admin_url(self) -> str:
        uri: str = self._server.get_uri()
        return uri


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    with tempfile.TemporaryDirectory(prefix="todo-outage-pg-") as parent:
        server = PrivatePostgres(Path(parent) / "data")
        try:
            yield server
        finally:
            server.stop()  # a no-op when the test left it stopped


async def test_database_outage_is_a_503_and_the_same_app_recovers(private_postgres: PrivatePostgres) -> None:
    database = await fresh_database(private_postgres.admin_url)
    app = create_app(apps.settings_for(database.app_url, database_connect_timeout=1, database_pool_timeout=1))
    async with serving(app) as client:
        account = await signup(client, "outage")
        task = {"title": "survive the outage"}
        created = await client.post(TASKS, json=task, headers=account.headers)
        assert created.status_code == 201, created.text
        database_runtime = app.state.runtime.database

        await asyncio.to_thread(private_postgres.stop)
        requests = [
            client.get("/readyz"),
            client.get(TASKS, headers=account.headers),
            client.post(TASKS, json={"title": "while down"}, headers=account.headers),
        ]
        for request in requests:
            response, elapsed = await timed(request)
            assert_unavailable(response, str(private_postgres.data_dir), "todo_app")
            assert elapsed < 3
        assert (await client.get("/healthz")).status_code == 200

        await asyncio.to_thread(private_postgres.start)
        assert app.state.runtime.database is database_runtime
        assert (await client.get("/readyz")).status_code == 200
        listed = await client.get(TASKS, headers=account.headers)
        assert listed.status_code == 200, listed.text
        assert [item["title"] for item in listed.json()["items"]] == [task["title"]]


async def test_statement_timeout_is_a_503_and_the_app_carries_on(
    database: ProvisionedDatabase, clean_database: None
) -> None:
    app = with_sleep_probe(create_app(apps.settings_for(database.app_url, database_statement_timeout_ms=200)))
    async with serving(app) as client:
        response, elapsed = await timed(client.get("/probe/sleep", params={"seconds": 2}))
        assert_unavailable(response)
        assert elapsed < 1
        await signup(client, "timeout")  # the next ordinary request, on the same pool


async def test_exhausted_pool_is_a_503(database: ProvisionedDatabase, clean_database: None) -> None:
    settings = apps.settings_for(
        database.app_url, database_pool_size=1, database_max_overflow=0, database_pool_timeout=0.5
    )
    app = with_sleep_probe(create_app(settings))
    async with serving(app) as client:
        account = await signup(client, "saturated")
        holder = asyncio.create_task(client.get("/probe/sleep", params={"seconds": 1.5}))
        runtime: ServiceRuntime = app.state.runtime

        async def connection_held() -> bool:
            return runtime.database.stats().checked_out == 1

        await eventually(connection_held, within=5)

        starved, elapsed = await timed(client.get(TASKS, headers=account.headers))
        assert_unavailable(starved)
        assert 0.4 < elapsed < 1.4  # waited for the pool, gave up before the holder finished
        assert (await holder).status_code == 200
        assert (await client.get(TASKS, headers=account.headers)).status_code == 200


@asynccontextmanager
async def uvicorn_process(
    database_url: str, port: int, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The image's uvicorn command, with a shorter drain, until /healthz answers."""
    command = uvicorn_command({"HOST": "127.0.0.1", "PORT": str(port)})
    command += ["--timeout-graceful-shutdown", str(GRACE_SECONDS)]  # the last value counts
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(free_port()),
    }
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=output, stderr=asyncio.subprocess.STDOUT
        )

    async def healthy() -> bool:
        if process.returncode is not None:
            raise AssertionError(await asyncio.to_thread(log.read_text))
        return await healthz_status(f"http://127.0.0.1:{port}") == 200

    try:
        await eventually(healthy, within=30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def healthz_status(base_url: str) -> int | None:
    """/healthz's status over a new connection; None when it is refused, or accepted in the
    instant the listener closes and then dropped unanswered (both: not served)."""
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=1) as fresh:
            return (await fresh.get("/healthz")).status_code
    except (httpx.ConnectError, httpx.RemoteProtocolError):
        return None


async def test_sigterm_drains_the_in_flight_request_then_exits(
    database: ProvisionedDatabase, clean_database: None, tmp_path: Path
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "uvicorn.log"
    body = json.dumps(
        {
            "tenant_name": "Draining",
            "tenant_slug": "draining",
            "email": "owner@draining.example.com",
            "password": PASSWORD,
        }
    ).encode()
    head_sent, release_last_chunk = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        """The body in small chunks; the last one only after the test saw new connections
        refused. SIGTERM waits for all but the last chunk: by then the server has long read the
        headers, so the request is in flight (a connection whose request the server has not
        yet begun to read is idle, and shutdown may close it)."""
        head, tail = body[:-8], body[-8:]
        for start in range(0, len(head), 8):
            yield head[start : start + 8]
            await asyncio.sleep(0.02)
        head_sent.set()
        await release_last_chunk.wait()
        yield tail

    async def refused() -> bool:
        return await healthz_status(base_url) is None

    async with uvicorn_process(database.app_url, port, log) as process:
        async with httpx.AsyncClient(base_url=base_url, timeout=GRACE_SECONDS) as client:
            headers = {"content-type": "application/json"}
            in_flight = asyncio.create_task(
                client.post("/api/v1/auth/signup", content=slow_body(), headers=headers)
            )
            await asyncio.wait_for(head_sent.wait(), 5)
            process.send_signal(signal.SIGTERM)
            try:
                await eventually(refused, within=3)
            finally:
                release_last_chunk.set()
            response = await asyncio.wait_for(in_flight, GRACE_SECONDS)
        assert response.status_code == 202, response.text
        returncode = await asyncio.wait_for(process.wait(), GRACE_SECONDS)

    output = await asyncio.to_thread(log.read_text)
    assert "Application shutdown complete." in output, output
    assert "timeout graceful shutdown exceeded" not in output, output
    # uvicorn (>= 0.29) re-raises the SIGTERM it handled once shutdown is complete, so the
    # status is "terminated by SIGTERM" (shell: 143). As a container's PID 1 (tools/image/serve.py
    # execs uvicorn) the kernel ignores that default-action signal and the exit status is 0.
    assert returncode == -signal.SIGTERM, output
