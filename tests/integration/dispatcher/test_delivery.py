"""The dispatcher end to end: the API commits, the dispatcher (a real subprocess) delivers to a
real receiver on 127.0.0.1, and the receiver verifies the signature with the standardwebhooks
package, as any receiver would."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from standardwebhooks.webhooks import Webhook

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.settings import DatabaseSettings
from platform_common.events.outbox import Event
from tests.dispatcher_process import DispatcherProcess, running_dispatcher
from tests.integration.dispatcher.conftest import LOOPBACK_ALLOWED
from tests.integration.factories import Account, add_member, signup
from tests.integration.todo_api.webhooks.conftest import Names
from tests.receiver import Receiver, receiving

WEBHOOKS = "/api/v1/webhooks"
TASKS = "/api/v1/tasks"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def register(
    client: httpx.AsyncClient, account: Account, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    body = {
        "url": url,
        "events": events or ["task.created", "task.updated", "task.completed", "task.deleted"],
    }
    response = await client.post(WEBHOOKS, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    webhook: dict[str, Any] = response.json()
    return webhook


async def create_task(
    client: httpx.AsyncClient, account: Account, title: str, **headers: str
) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": title}, headers={**account.headers, **headers})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def deliveries(
    client: httpx.AsyncClient, account: Account, webhook: dict[str, Any]
) -> list[dict[str, Any]]:
    response = await client.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return sorted(items, key=lambda item: item["attempt"])


async def eventually(check: Callable[[], Any], *, within: float = 30.0) -> Any:
    """``await check()`` until it returns something truthy (else ``TimeoutError``)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise TimeoutError("the condition never held")


def payload_of(body: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = orjson.loads(body)
    return decoded


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


async def test_a_delivery_is_signed_per_standard_webhooks_and_continues_the_requests_trace(
    client: httpx.AsyncClient, owner: Account, dispatcher: DispatcherProcess
) -> None:
    with receiving() as receiver:
        webhook = await register(client, owner, receiver.url)
        traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
        task = await create_task(client, owner, "Signed", traceparent=traceparent)
        [request] = receiver.wait_for(1)

    payload = Webhook(webhook["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "task.created"
    assert payload["data"] == task
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert request.headers["webhook-id"] == payload["id"]
    assert request.headers["content-type"] == "application/json"
    # The delivery's own span, in the trace of the request that caused the event.
    version, trace_id, span_id, _ = request.headers["traceparent"].split("-")
    assert (version, trace_id) == ("00", TRACE_ID)
    assert span_id != "00f067aa0ba902b7"

    [delivery] = await eventually(
        lambda: _when(deliveries(client, owner, webhook), lambda d: d and d[0]["status"] == "succeeded")
    )
    assert (delivery["attempt"], delivery["status_code"], delivery["event_type"]) == (1, 200, "task.created")


async def _when(rows_coroutine: Any, predicate: Callable[[Any], bool]) -> Any:
    rows = await rows_coroutine
    return rows if predicate(rows) else None


async def test_a_5xx_is_retried_until_it_succeeds(
    client: httpx.AsyncClient, owner: Account, dispatcher: DispatcherProcess
) -> None:
    with receiving(Receiver(script=[500, 503])) as receiver:
        webhook = await register(client, owner, receiver.url)
        await create_task(client, owner, "Retried")
        requests = receiver.wait_for(3)
    assert len({request.headers["webhook-id"] for request in requests}) == 1  # one message, three attempts
    for request in requests:
        Webhook(webhook["secret"]).verify(request.body, request.headers)

    attempts = await eventually(
        lambda: _when(
            deliveries(client, owner, webhook), lambda d: len(d) == 3 and d[2]["status"] == "succeeded"
        )
    )
    assert [(a["attempt"], a["status"], a["status_code"]) for a in attempts] == [
        (1, "failed", 500),
        (2, "failed", 503),
        (3, "succeeded", 200),
    ]
    assert attempts[0]["next_retry_at"] is not None
    assert attempts[0]["error"] == "the receiver answered 500"


async def test_a_410_disables_the_webhook_and_its_owner_sees_why(
    client: httpx.AsyncClient, owner: Account, dispatcher: DispatcherProcess
) -> None:
    with receiving(Receiver(default=410)) as receiver:
        webhook = await register(client, owner, receiver.url)
        await create_task(client, owner, "Gone")
        receiver.wait_for(1)
        path = f"{WEBHOOKS}/{webhook['id']}"
        disabled = await eventually(
            lambda: _when(client.get(path, headers=owner.headers), lambda r: not r.json()["enabled"])
        )
        assert disabled.json()["disabled_reason"] == "the receiver answered 410 Gone"
        [attempt] = await deliveries(client, owner, webhook)
        assert (attempt["status"], attempt["status_code"], attempt["next_retry_at"]) == ("failed", 410, None)

        # Disabled: later events are not delivered (nothing is even scheduled for it).
        await create_task(client, owner, "Unheard")
        marker = await register(client, owner, f"http://127.0.0.1:{receiver.port}/marker")
        await client.patch(
            f"{WEBHOOKS}/{marker['id']}", json={"events": ["task.deleted"]}, headers=owner.headers
        )
        receiver.default = 200
        task = await create_task(client, owner, "Marker")
        await client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)
        receiver.wait_for(2)
    assert [request.path for request in receiver.requests] == ["/hook", "/marker"]
    assert len(await deliveries(client, owner, webhook)) == 1


class RolledBack(Exception):
    pass


async def test_no_event_from_a_rolled_back_transaction(
    client: httpx.AsyncClient, owner: Account, dispatcher: DispatcherProcess, database: ProvisionedDatabase
) -> None:
    """An event emitted in a unit of work that then fails is never delivered; the next one,
    committed, is (so the dispatcher was listening all along)."""
    runtime = Database(DatabaseSettings(database_url=database.app_url), application_name="rollback-test")
    await runtime.connect()
    tenant, user = uuid.UUID(owner.tenant_id), uuid.UUID(owner.user_id)

    async def unit_of_work(title: str, *, fail: bool) -> None:
        async with runtime.transaction(tenant) as transaction:
            await transaction.emit(Event("task.created", {"title": title}, owner_id=user))
            if fail:
                raise RolledBack

    try:
        with receiving() as receiver:
            await register(client, owner, receiver.url)
            with pytest.raises(RolledBack):
                await unit_of_work("rolled back", fail=True)
            await unit_of_work("committed", fail=False)
            receiver.wait_for(1)
            await asyncio.sleep(2)  # time enough for a second delivery, were there one
    finally:
        await runtime.close()
    assert [payload_of(r.body)["data"]["title"] for r in receiver.requests] == ["committed"]


async def test_one_users_webhook_never_receives_another_users_events(
    client: httpx.AsyncClient,
    owner: Account,
    database: ProvisionedDatabase,
    workdir: Path,
    clean_database: None,
) -> None:
    # Joined before the dispatcher starts: their tokens are read from e-mail still queued.
    colleague = await add_member(client, owner, "bob")  # same tenant
    stranger = await signup(client, "globex")  # another tenant
    accounts = {"owner": owner, "colleague": colleague, "stranger": stranger}
    with receiving() as receiver, running_dispatcher(database.app_url, workdir, env=LOOPBACK_ALLOWED):
        for name, account in accounts.items():
            await register(client, account, f"http://127.0.0.1:{receiver.port}/{name}")
        for name, account in accounts.items():
            await create_task(client, account, f"task of {name}")
        receiver.wait_for(3)
        # A fourth would be a leak: give it the time the three took, and more.
        await asyncio.sleep(2)
    heard = sorted((r.path, payload_of(r.body)["data"]["title"]) for r in receiver.requests)
    assert heard == [(f"/{name}", f"task of {name}") for name in sorted(accounts)]


async def test_nothing_is_lost_when_the_dispatcher_is_killed_mid_delivery(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase, workdir: Path
) -> None:
    hold = threading.Event()
    with receiving(Receiver(hold=hold)) as receiver:
        webhook = await register(client, owner, receiver.url)
        with running_dispatcher(database.app_url, workdir, env=LOOPBACK_ALLOWED, name="first") as first:
            await create_task(client, owner, "Survives")
            [in_flight] = receiver.wait_for(1)  # sent, and held unanswered: mid-delivery
            first.kill()  # SIGKILL: no cleanup, no outcome recorded
        hold.set()
        with running_dispatcher(database.app_url, workdir, env=LOOPBACK_ALLOWED, name="second"):
            first_try, second_try = receiver.wait_for(2)
            [attempt] = await eventually(
                lambda: _when(
                    deliveries(client, owner, webhook), lambda d: d and d[0]["status"] == "succeeded"
                )
            )
    assert first_try is in_flight
    assert second_try.headers["webhook-id"] == in_flight.headers["webhook-id"]  # the same message, again
    Webhook(webhook["secret"]).verify(second_try.body, second_try.headers)
    assert attempt["attempt"] == 1  # the attempt was never recorded as failed: it was simply redone


async def test_sigterm_lets_a_delivery_in_flight_finish_and_records_it(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase, workdir: Path
) -> None:
    hold = threading.Event()
    with receiving(Receiver(hold=hold)) as receiver:
        webhook = await register(client, owner, receiver.url)
        with running_dispatcher(database.app_url, workdir, env=LOOPBACK_ALLOWED) as process:
            await create_task(client, owner, "Drained")
            receiver.wait_for(1)
            process.process.send_signal(signal.SIGTERM)  # while the receiver holds the request
            threading.Timer(1.0, hold.set).start()
            assert process.process.wait(timeout=30) == 0
            assert process.events("dispatcher_draining")
    [attempt] = await deliveries(client, owner, webhook)
    assert (attempt["status"], attempt["status_code"]) == ("succeeded", 200)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_dispatcher_refuses_internal_targets_at_delivery_time(
    client: httpx.AsyncClient,
    owner: Account,
    database: ProvisionedDatabase,
    workdir: Path,
    names: Names,
    host: str,
) -> None:
    """Registered while the API allowed loopback (as a name could resolve to a public address
    then and to 127.0.0.1 at delivery): the dispatcher, with the default rules and the system's
    resolver, checks again."""
    names.answers["localhost"] = ["127.0.0.1"]
    with receiving() as receiver:
        webhook = await register(client, owner, f"http://{host}:{receiver.port}/hook")
        with running_dispatcher(database.app_url, workdir):
            await create_task(client, owner, "Refused")
            [attempt, *_] = await eventually(
                lambda: _when(deliveries(client, owner, webhook), lambda d: d and d[0]["status"] == "failed")
            )
    assert "is a loopback address" in attempt["error"]
    assert attempt["error"].startswith(f"refused: the host {host} is refused")
    assert receiver.requests == []


async def test_an_endpoint_failing_for_longer_than_the_limit_is_disabled(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase, workdir: Path
) -> None:
    limit = {
        **LOOPBACK_ALLOWED,
        "WEBHOOK_DISABLE_AFTER_SECONDS": "0.5",
        "WEBHOOK_RETRY_SCHEDULE_SECONDS": "[0.4, 0.4, 0.4]",
    }
    with receiving(Receiver(default=503)) as receiver:
        webhook = await register(client, owner, receiver.url)
        with running_dispatcher(database.app_url, workdir, env=limit):
            await create_task(client, owner, "Failing")
            disabled = await eventually(
                lambda: _when(
                    client.get(f"{WEBHOOKS}/{webhook['id']}", headers=owner.headers),
                    lambda r: not r.json()["enabled"],
                )
            )
    assert disabled.json()["disabled_reason"] == "deliveries have failed for more than 0.5 s"
    attempts = await deliveries(client, owner, webhook)
    assert attempts[-1]["next_retry_at"] is None
    assert 2 <= len(receiver.requests) == len(attempts) <= 4
