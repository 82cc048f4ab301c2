"""Properties of several replicas behind a load balancer, proven on the local stack.

The tests run in this order on one stack; the last two take Redis and PostgreSQL down and
bring them back, so they come after the ones that need a healthy stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.cluster.conftest import SUMMARY
from tests.cluster.stack import PASSWORD_CHANGE_LIMIT, ApiReplica, Cluster, abnormal_requests, dump_logs
from tests.integration.factories import PASSWORD, Account, Outbox, ServedClient, login, signup
from tests.receiver import Receiver, receiving
from tests.service_process import wait_until

TASKS = "/api/v1/tasks"
LOAD_SECONDS = 20.0
LOAD_WORKERS = 8


def client_for(url: str, outbox: Outbox | None = None) -> httpx.AsyncClient:
    """A client of the stack at ``url``; with the cluster's ``outbox`` the factories can sign up
    through it (they read the mailed link there)."""
    if outbox is None:
        return httpx.AsyncClient(base_url=url, timeout=30)
    return ServedClient(outbox, base_url=url, timeout=30)


async def test_every_replica_serves_behind_haproxy_and_exposes_its_metrics(cluster: Cluster) -> None:
    async with client_for(cluster.haproxy.url) as http:
        answers = [await http.get(TASKS) for _ in range(3 * len(cluster.apis))]
        assert {response.status_code for response in answers} == {401}
        for replica in cluster.apis:
            metrics = (await http.get(replica.metrics_url)).text
            assert 'route="/api/v1/tasks",status="401"' in metrics, (
                f"{replica.name} served none of the round robin"
            )


async def test_a_per_user_limit_holds_across_the_replicas(cluster: Cluster) -> None:
    """Wrong current passwords are limited per user (fail closed): N across all replicas
    together, not N per replica. Each guess goes to the next replica directly."""
    async with client_for(cluster.haproxy.url, cluster.outbox) as http:
        account = await signup(http, "limits")
    attempts = 3 * PASSWORD_CHANGE_LIMIT
    statuses = []
    for n in range(attempts):
        replica = cluster.apis[n % len(cluster.apis)]
        async with client_for(replica.url) as http:
            response = await http.post(
                "/api/v1/users/me/password",
                json={"current_password": "not the password", "new_password": "a brand new password"},
                headers=account.headers,
            )
        statuses.append(response.status_code)
    assert Counter(statuses) == {403: PASSWORD_CHANGE_LIMIT, 429: attempts - PASSWORD_CHANGE_LIMIT}
    SUMMARY["per-user limit"] = f"{PASSWORD_CHANGE_LIMIT} of {attempts} across {len(cluster.apis)} replicas"


async def test_one_idempotency_key_sent_to_every_replica_at_once_creates_one_task(cluster: Cluster) -> None:
    async with client_for(cluster.haproxy.url, cluster.outbox) as http:
        account = await signup(http, "idempotent")
    clients = [client_for(replica.url) for replica in cluster.apis]
    try:
        for round_ in range(5):
            key = str(uuid.uuid4())
            answers = await asyncio.gather(
                *(
                    http.post(
                        TASKS,
                        json={"title": f"once {round_}"},
                        headers={**account.headers, "Idempotency-Key": key},
                    )
                    for http in clients
                )
            )
            assert {response.status_code for response in answers} == {201}, [r.text for r in answers]
            assert len({response.json()["id"] for response in answers}) == 1
        listed = await clients[0].get(TASKS, params={"size": 100}, headers=account.headers)
        assert listed.json()["total"] == 5
    finally:
        for http in clients:
            await http.aclose()


@dataclass
class Load:
    """A bounded mixed workload: creates (each with an Idempotency-Key), reads, lists, updates."""

    accounts: list[Account]
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    acknowledged: dict[str, tuple[Account, str]] = field(default_factory=dict)  # task id -> (owner, title)

    async def run(self, url: str, stop: asyncio.Event) -> None:
        async with client_for(url) as http:
            await asyncio.gather(*(self._worker(http, n, stop) for n in range(LOAD_WORKERS)))

    async def _worker(self, http: httpx.AsyncClient, n: int, stop: asyncio.Event) -> None:
        account = self.accounts[n % len(self.accounts)]
        mine: list[str] = []
        rng = random.Random(n)  # a workload's mix, not a secret
        while not stop.is_set():
            choice = rng.random()
            if choice < 0.4 or not mine:
                title = f"load {uuid.uuid4().hex[:8]}"
                headers = {**account.headers, "Idempotency-Key": str(uuid.uuid4())}
                response = await self._send(http, "POST", TASKS, json={"title": title}, headers=headers)
                if response is not None and self._expect(response, 201):
                    mine.append(response.json()["id"])
                    self.acknowledged[response.json()["id"]] = (account, title)
            elif choice < 0.6:
                task_id = rng.choice(mine)
                title = f"renamed {uuid.uuid4().hex[:8]}"
                response = await self._send(
                    http, "PATCH", f"{TASKS}/{task_id}", json={"title": title}, headers=account.headers
                )
                if response is not None and self._expect(response, 200):
                    self.acknowledged[task_id] = (account, title)
            elif choice < 0.8:
                response = await self._send(
                    http, "GET", f"{TASKS}/{rng.choice(mine)}", headers=account.headers
                )
                if response is not None:
                    self._expect(response, 200)
            else:
                response = await self._send(http, "GET", TASKS, params={"size": 20}, headers=account.headers)
                if response is not None:
                    self._expect(response, 200)

    async def _send(
        self, http: httpx.AsyncClient, method: str, path: str, **options: Any
    ) -> httpx.Response | None:
        self.requests += 1
        try:
            return await http.request(method, path, **options)
        except httpx.HTTPError as exc:
            self.failures.append(f"{method} {path}: {type(exc).__name__} {exc}")
            return None

    def _expect(self, response: httpx.Response, status: int) -> bool:
        if response.status_code == status:
            return True
        self.failures.append(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:200]}"
        )
        return False


async def _under_load(
    cluster: Cluster, slug: str, change: Callable[[], None]
) -> tuple[Load, float, list[str]]:
    """Run the load through HAProxy while ``change`` runs (in a thread), and at least
    LOAD_SECONDS; then read every acknowledged write back. The load, its duration, the lost."""
    async with client_for(cluster.haproxy.url, cluster.outbox) as http:
        accounts = [await signup(http, f"{slug}{n}") for n in range(4)]
    load = Load(accounts)
    stop = asyncio.Event()
    started = time.monotonic()

    async def change_then_stop() -> None:
        await asyncio.sleep(2)  # under load first
        await asyncio.to_thread(change)
        await asyncio.sleep(max(LOAD_SECONDS - (time.monotonic() - started), 1.0))
        stop.set()

    try:
        await asyncio.gather(load.run(cluster.haproxy.url, stop), change_then_stop())
    except Exception:
        print(dump_logs(cluster))
        raise
    elapsed = time.monotonic() - started
    lost = []
    async with client_for(cluster.haproxy.url) as http:
        for task_id, (account, title) in load.acknowledged.items():
            response = await http.get(f"{TASKS}/{task_id}", headers=account.headers)
            if response.status_code != 200 or response.json()["title"] != title:
                lost.append(task_id)
    return load, elapsed, lost


async def test_a_rolling_restart_under_load_fails_no_request_and_loses_no_write(cluster: Cluster) -> None:
    generations = [replica.generation for replica in cluster.apis]

    def replace_every_replica() -> None:
        for replica in cluster.apis:
            cluster.restart_api(replica)

    load, elapsed, lost = await _under_load(cluster, "rolling", replace_every_replica)
    assert [replica.generation for replica in cluster.apis] == [g + 1 for g in generations]
    SUMMARY["rolling restart"] = f"{len(cluster.apis)} replicas replaced in {elapsed:.1f} s of load"
    SUMMARY["requests"] = load.requests
    SUMMARY["failed requests"] = len(load.failures)
    SUMMARY["acknowledged writes"] = len(load.acknowledged)
    SUMMARY["lost writes"] = len(lost)
    assert load.failures == [], abnormal_requests(cluster)
    assert lost == []
    assert load.requests > 100


async def test_an_unannounced_sigterm_under_load_fails_no_request(cluster: Cluster) -> None:
    """The second line of defence: a replica SIGTERMed without being drained first (a node
    going away). HAProxy's retries and health checks move the traffic: still nothing fails."""
    replica = cluster.apis[1]

    def sigterm_then_replace() -> None:
        cluster.restart_api(replica, announced=False)

    load, elapsed, lost = await _under_load(cluster, "unannounced", sigterm_then_replace)
    SUMMARY["unannounced SIGTERM"] = (
        f"{load.requests} requests in {elapsed:.1f} s, {len(load.failures)} failed, {len(lost)} writes lost"
    )
    assert load.failures == [], abnormal_requests(cluster)
    assert lost == []


def unread_bytes(port: int) -> int:
    """Bytes that connections to 127.0.0.1:``port`` hold in the kernel, not yet read by the
    process listening there (``/proc/net/tcp``: established, receive queue)."""
    total = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:
            total += int(fields[4].split(":")[1], 16)
    return total


async def test_a_write_whose_body_comes_late_is_retried_when_its_replica_resets_it(cluster: Cluster) -> None:
    """Why HAProxy buffers request bodies (stack.py's docstring), made deterministic: a POST
    whose body follows its headers reaches a replica that resets the connection before reading
    it, and is answered by another replica instead of failing. The replica is stopped
    (SIGSTOP), so the connection waits unread in its accept backlog as one does while a busy
    replica's event loop has not come round to it; once the request is there, the replica is
    killed, its listening socket closes and the kernel resets the connection, as when uvicorn
    closes its listener on SIGTERM. Without ``option http-buffer-request`` HAProxy has sent
    the headers alone, cannot retry, and closes the client's connection without an answer."""
    haproxy, victim, others = cluster.haproxy, cluster.apis[0], cluster.apis[1:]
    process = victim.process
    assert process is not None
    body = orjson.dumps({"title": "late body"})

    async def late_body() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.3)  # the headers go first, on their own
        yield body

    def reset_once_the_replica_holds_it() -> None:
        wait_until(
            lambda: unread_bytes(victim.port) > 0, timeout=10, what="the request in the replica's backlog"
        )
        for other in others:
            haproxy.command(f"set server replicas/{other.name} state ready")
        process.kill()

    async with client_for(haproxy.url, cluster.outbox) as http:
        account = await signup(http, "latebody")  # so the POST is not its connection's first request
        headers = {
            **account.headers,
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        }
        haproxy.command(f"disable health replicas/{victim.name}")  # stopped, it would be marked down
        for other in others:  # the request goes to the victim
            haproxy.command(f"set server replicas/{other.name} state drain")
        process.send_signal(signal.SIGSTOP)
        try:
            response, _ = await asyncio.gather(
                http.post(TASKS, content=late_body(), headers=headers),
                asyncio.to_thread(reset_once_the_replica_holds_it),
            )
        except httpx.TransportError as exc:
            pytest.fail(f"{type(exc).__name__}: {exc}\n{abnormal_requests(cluster)}")
        finally:
            process.kill()
            process.wait()
            for other in others:
                haproxy.command(f"set server replicas/{other.name} state ready")
            victim.start()
            haproxy.command(f"enable health replicas/{victim.name}")
            wait_until(lambda: haproxy.servers()[victim.name]["status"] == "UP", what="the replica to be UP")
    assert response.status_code == 201, response.text
    logged = [request for request in haproxy.requests() if request.request.startswith(f"POST {TASKS} ")]
    assert logged, abnormal_requests(cluster)
    retried = logged[-1]
    assert (retried.status, retried.retries) == ("201", "+1"), retried
    assert retried.server != victim.name
    SUMMARY["late body, replica reset"] = f"retried on {retried.server} ({retried.retries}): 201"


async def _register(http: httpx.AsyncClient, account: Account, url: str) -> dict[str, Any]:
    response = await http.post(
        "/api/v1/webhooks", json={"url": url, "events": ["task.created"]}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    webhook: dict[str, Any] = response.json()
    return webhook


def deliveries_in_flight(pid: int, port: int) -> int:
    """Open TCP connections from process ``pid`` to 127.0.0.1:``port`` (``/proc``): the
    deliveries it has sent and is waiting on."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                sockets.add(target.removeprefix("socket:[").removesuffix("]"))
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        established = fields[3] == "01"
        if established and int(fields[2].split(":")[1], 16) == port and fields[9] in sockets:
            count += 1
    return count


async def test_a_dispatcher_killed_mid_delivery_loses_no_event(cluster: Cluster) -> None:
    """Deliveries are held at the receiver (it does not answer yet); the dispatcher holding
    the most is SIGKILLed. Every event still arrives, and what arrives twice is exactly what
    the killed one had in flight, redone by the other (at least once)."""
    hold = threading.Event()
    events = 12
    with receiving(Receiver(hold=hold)) as receiver:
        async with client_for(cluster.haproxy.url, cluster.outbox) as http:
            account = await signup(http, "hooks")
            await _register(http, account, receiver.url)
            created = [
                (await http.post(TASKS, json={"title": f"event {n}"}, headers=account.headers)).json()["id"]
                for n in range(events)
            ]

        def in_flight() -> list[int]:
            return [deliveries_in_flight(d.process.pid, receiver.port) for d in cluster.dispatchers]

        await asyncio.to_thread(wait_until, lambda: sum(in_flight()) >= 2, what="deliveries in flight")
        await asyncio.sleep(0.5)  # let every dispatcher send what it has taken
        held = in_flight()
        victim = held.index(max(held))
        cluster.dispatchers[victim].kill()  # SIGKILL: no cleanup, no outcome recorded
        hold.set()

        def delivered() -> set[str]:
            return {orjson.loads(request.body)["data"]["id"] for request in list(receiver.requests)}

        def redone() -> int:
            ids = [request.headers["webhook-id"] for request in list(receiver.requests)]
            return len(ids) - len(set(ids))

        # The killed one's jobs are taken again once its heartbeat is missed (2 s here).
        with contextlib.suppress(TimeoutError):
            await asyncio.to_thread(
                wait_until,
                lambda: delivered() == set(created) and redone() >= held[victim],
                timeout=60,
                what="every event delivered, and what was in flight redone",
            )
        ids = [request.headers["webhook-id"] for request in receiver.requests]
    cluster.dispatchers[victim] = cluster.start_dispatcher(f"dispatcher{victim + 1}-replacement")
    duplicates = len(ids) - len(set(ids))
    SUMMARY["events / deliveries"] = (
        f"{events} / {len(ids)} ({held[victim]} in flight in the killed dispatcher)"
    )
    SUMMARY["duplicate deliveries"] = duplicates
    assert delivered() == set(created)
    assert len(set(ids)) == events
    assert 1 <= duplicates <= held[victim]


async def _status_on(replica: ApiReplica, method: str, path: str, **options: Any) -> int:
    async with client_for(replica.url) as http:
        return (await http.request(method, path, **options)).status_code


async def test_with_redis_down_every_replica_fails_open_except_logins_which_fail_closed(
    cluster: Cluster,
) -> None:
    """RATE_LIMIT_FAIL_OPEN=true (the default): authenticated routes keep serving without
    their counters; logins (and wrong-password counting) refuse with 503 rather than go
    unlimited. Back when Redis is."""
    async with client_for(cluster.haproxy.url, cluster.outbox) as http:
        account = await signup(http, "redisdown")
    cluster.redis.stop()
    try:
        for replica in cluster.apis:
            assert await _status_on(replica, "GET", TASKS, headers=account.headers) == 200
            form = {"username": account.email, "password": PASSWORD}
            assert await _status_on(replica, "POST", "/api/v1/auth/token", data=form) == 503
    finally:
        cluster.redis.start()
    async with client_for(cluster.haproxy.url) as http:
        for _ in cluster.apis:
            await login(http, account.email)
    SUMMARY["Redis down"] = "reads served (fail open), logins 503 (fail closed), on every replica"


async def test_every_replica_recovers_from_a_postgresql_restart_without_its_own(cluster: Cluster) -> None:
    async with client_for(cluster.haproxy.url, cluster.outbox) as http:
        account = await signup(http, "restart")
    pids = [replica.process.pid for replica in cluster.apis if replica.process]
    cluster.postgres.stop()
    try:
        for replica in cluster.apis:
            assert await _status_on(replica, "GET", "/readyz") == 503
    finally:
        cluster.postgres.start()
    for replica in cluster.apis:
        deadline = time.monotonic() + 30
        while await _status_on(replica, "GET", "/readyz") != 200:
            assert time.monotonic() < deadline, f"{replica.name} never recovered"
            await asyncio.sleep(0.5)
        headers = {**account.headers, "Idempotency-Key": str(uuid.uuid4())}
        assert await _status_on(replica, "POST", TASKS, json={"title": "after"}, headers=headers) == 201
    assert [replica.process.pid for replica in cluster.apis if replica.process] == pids
    for dispatcher in cluster.dispatchers:
        assert dispatcher.process.poll() is None, "a dispatcher exited when PostgreSQL restarted"
    SUMMARY["PostgreSQL restart"] = "every replica ready again without a restart of its own"


pytestmark = pytest.mark.cluster
