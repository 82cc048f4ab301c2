"""/metrics on its own port; several processes share it and answer with the same aggregate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_common.observability.metrics_server import MetricsServer, forget_dead_workers
from tests.integration.platform_common.observability.conftest import ObservedApp
from tests.metrics import scrape
from tests.service_process import ROOT, free_port


async def test_metrics_are_served_on_their_own_port_only(observed: ObservedApp) -> None:
    async with observed.serve() as client:
        await client.get("/nowhere")
        public = await client.get("/metrics")
        metrics = scrape(observed.app.state.metrics_server.port)
    assert public.status_code == 404
    assert (
        metrics[("http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] >= 2
    )
    assert not [name for name, _ in metrics if name.endswith("_created")]


async def test_the_port_is_released_on_shutdown(observed: ObservedApp) -> None:
    async with observed.serve():
        port = observed.app.state.metrics_server.port
    MetricsServer("127.0.0.1", port).close()  # binds again: nothing left listening


def test_a_port_in_use_fails_loudly_naming_the_settings_to_change() -> None:
    """Whatever holds the port (a second worker, a developer's own server), the message says
    which variables chose the address, since those are what the reader can change."""
    first = MetricsServer("127.0.0.1", 0)
    try:
        with pytest.raises(RuntimeError) as refused:
            MetricsServer("127.0.0.1", first.port)
    finally:
        first.close()
    message = str(refused.value)
    assert message.startswith(f"cannot serve metrics on METRICS_HOST=127.0.0.1 METRICS_PORT={first.port}: ")
    assert "set METRICS_PORT to a free port (0 picks one)" in message
    assert "PROMETHEUS_MULTIPROC_DIR" in message  # the other cause: several workers


WORKER = """
import sys
from platform_common.observability import http_metrics
from platform_common.observability.metrics_server import MetricsServer

port, requests = int(sys.argv[1]), int(sys.argv[2])
for _ in range(requests):
    http_metrics.observe_request("GET", "/items/{item_id}", 200, 0.01)
http_metrics.IN_PROGRESS.labels("GET").inc()
server = MetricsServer("127.0.0.1", port)
print("ready", flush=True)
sys.stdin.read()
server.close()
"""


def test_workers_share_the_port_and_every_scrape_sums_all_of_them(tmp_path: Path) -> None:
    """What uvicorn --workers N does: N processes, one PROMETHEUS_MULTIPROC_DIR, one port."""
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, str(port), str(requests)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for requests in (3, 4)
    ]  # fmt: skip
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        requests = (
            "http_requests_total",
            (("method", "GET"), ("route", "/items/{item_id}"), ("status", "200")),
        )
        in_progress = ("http_requests_in_progress", (("method", "GET"),))
        for _ in range(10):  # whichever process the kernel picks answers the same
            metrics = scrape(port)
            assert (metrics[requests], metrics[in_progress]) == (7, 2)
        workers[1].communicate(input="")  # the second worker shuts down cleanly
        metrics = scrape(port)
        assert (metrics[requests], metrics[in_progress]) == (7, 1)  # counters stay; its gauge goes
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()


def test_live_gauges_of_crashed_workers_are_forgotten(tmp_path: Path) -> None:
    exited = subprocess.Popen(["true"])  # noqa: S607 - any process that has exited
    exited.wait()
    files = {
        f"gauge_livesum_{exited.pid}.db": False,  # a dead worker's live gauge: dropped
        f"gauge_livesum_{os.getpid()}.db": True,  # a live worker's: kept
        f"counter_{exited.pid}.db": True,  # counters of dead workers keep counting
    }
    for name in files:
        (tmp_path / name).write_bytes(b"")
    forget_dead_workers(str(tmp_path))
    assert {name: (tmp_path / name).exists() for name in files} == files
