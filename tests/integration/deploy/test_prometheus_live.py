"""The dashboard and the alert rules against a real Prometheus scraping the real service.

A uvicorn subprocess (two workers, multi-process metrics, the test database), a dispatcher
subprocess, and a ``prometheus`` server scraping both metrics ports every second (jobs
``todo-api`` and ``todo-api-dispatcher``, as the chart's ServiceMonitors name them) with the
alert rules loaded; ``generate_traffic`` drives requests, and webhook deliveries to a real
receiver, across several scrapes. Then every PromQL expression
of the dashboard and the rules must parse, every rule must evaluate without error, and
every dashboard query must return data.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import yaml
from tools.processes import stop

from platform_common.db.provision import ProvisionedDatabase
from platform_common.webhooks.settings import WebhookSettings
from tests.deploy.artifacts import JOB, RULES, Query, dashboard_queries, grafana_to_promql, rule_queries
from tests.dispatcher_process import running_dispatcher
from tests.integration.factories import Account, Outbox, ServedClient, signup
from tests.receiver import receiving
from tests.service_process import answers, free_port, running_service, wait_until

PROMETHEUS = shutil.which("prometheus")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PROMETHEUS is None, reason="prometheus not installed (Debian: apt-get install -y prometheus)"
    ),
]
SCRAPE_SECONDS = 1


@dataclass(frozen=True)
class Stack:
    prometheus_url: str

    def query(self, expr: str) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.prometheus_url}/api/v1/query", params={"query": expr}).json()
        return body

    def wait_for_scrapes(self, count: int) -> None:
        """Until ``count`` more scrapes of the service have been stored."""
        samples = f'count_over_time(up{{job="{JOB}"}}[1h])'

        def scraped() -> float:
            result = self.query(samples)["data"]["result"]
            return float(result[0]["value"][1]) if result else 0.0

        target = scraped() + count
        wait_until(lambda: scraped() >= target, what=f"{count} scrapes")


@contextmanager
def running_prometheus(
    workdir: Path, metrics_port: int, dispatcher_metrics_port: int | None = None, features: Sequence[str] = ()
) -> Iterator[str]:
    """Prometheus scraping the API (job ``todo-api``) and, when given, its dispatcher."""
    port = free_port()
    jobs = {JOB: metrics_port}
    if dispatcher_metrics_port is not None:
        jobs[f"{JOB}-dispatcher"] = dispatcher_metrics_port
    config = {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{target}"]}]}
            for job, target in jobs.items()
        ],
    }
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
    assert PROMETHEUS is not None
    command = [
        PROMETHEUS,
        f"--config.file={workdir / 'prometheus.yml'}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        *(f"--enable-feature={feature}" for feature in features),
    ]
    with (workdir / "prometheus.log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{url}/-/ready"), what="prometheus to be ready")
        yield url
    finally:
        stop(process, timeout=15)


async def generate_traffic(api: httpx.AsyncClient, account: Account) -> None:
    """One round of the requests the dashboard shows: add new routes here."""
    for path in ("/healthz", "/readyz", "/openapi.json", f"/no/such/{uuid.uuid4()}"):
        await api.get(path)
    await api.post("/healthz")  # 405
    await api.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})  # 401, auth failure
    created = []
    for title in ("write the runbook", "rotate the keys"):
        response = await api.post("/api/v1/tasks", json={"title": title}, headers=account.headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    assert (await api.get("/api/v1/tasks", headers=account.headers)).status_code == 200
    assert (await api.get("/api/v1/tasks/stats", headers=account.headers)).status_code == 200
    first, second = created
    task_url = f"/api/v1/tasks/{first['id']}"
    assert (await api.get(task_url, headers=account.headers)).status_code == 200
    done = await api.patch(task_url, json={"completed": True}, headers={**account.headers, "If-Match": "*"})
    assert done.status_code == 200, done.text
    await api.get(f"/api/v1/tasks/{uuid.uuid4()}", headers=account.headers)  # 404 on a known route
    deleted = await api.delete(f"/api/v1/tasks/{second['id']}", headers={**account.headers, "If-Match": "*"})
    assert deleted.status_code == 204, deleted.text


async def exceed_the_login_limit(api: httpx.AsyncClient) -> None:
    """Wrong passwords until the per-IP login limit answers 429: auth failures and rejections."""
    for _ in range(40):
        response = await api.post(
            "/api/v1/auth/token", data={"username": "nobody@x.example.com", "password": "x"}
        )
        if response.status_code == 429:
            return
    raise AssertionError("the login limit never answered 429")


@pytest.fixture(scope="module")
async def stack(
    database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    workdir = tmp_path_factory.mktemp("prometheus-live")
    multiproc = workdir / "multiproc"
    multiproc.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(multiproc), "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}
    dispatcher_port = free_port()
    dispatcher_env = {"METRICS_HOST": "127.0.0.1", "METRICS_PORT": str(dispatcher_port), **env}
    with (
        running_service(database.app_url, workdir, workers=2, env=env) as service,
        running_prometheus(workdir, service.metrics_port, dispatcher_port) as prometheus_url,
        receiving() as receiver,
    ):
        live = Stack(prometheus_url)
        await anyio.to_thread.run_sync(lambda: live.wait_for_scrapes(2))
        outbox = Outbox(database.app_url, WebhookSettings().secret_box())  # the test key it runs with
        async with ServedClient(outbox, base_url=service.api_url, timeout=10) as api:
            # Before the dispatcher starts: the sign-up's link is read from its queued e-mail.
            account = await signup(api, f"live-{uuid.uuid4().hex[:8]}")
            with running_dispatcher(database.app_url, workdir, env=dispatcher_env):
                webhook = {"url": receiver.url, "events": ["task.created", "task.completed", "task.deleted"]}
                assert (
                    await api.post("/api/v1/webhooks", json=webhook, headers=account.headers)
                ).status_code == 201
                await exceed_the_login_limit(api)
                for _ in range(4):  # spread over several scrapes, so rates and quantiles have points
                    await generate_traffic(api, account)
                    await anyio.sleep(SCRAPE_SECONDS)
                await anyio.to_thread.run_sync(lambda: live.wait_for_scrapes(3))
                yield live  # the dispatcher up: its gauges stay fresh while the tests query


def test_every_rule_is_loaded_and_evaluates_cleanly(stack: Stack) -> None:
    groups = httpx.get(f"{stack.prometheus_url}/api/v1/rules").json()["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(rules) == len(rule_queries())
    assert [(rule["name"], rule["lastError"]) for rule in rules if rule["health"] != "ok"] == []


ALL_QUERIES = dashboard_queries() + rule_queries()


@pytest.mark.parametrize("query", ALL_QUERIES, ids=[query.where for query in ALL_QUERIES])
def test_every_expression_parses(stack: Stack, query: Query) -> None:
    answer = stack.query(grafana_to_promql(query.expr))
    assert answer["status"] == "success", answer


@pytest.mark.parametrize("query", dashboard_queries(), ids=[query.where for query in dashboard_queries()])
def test_every_dashboard_query_returns_data(stack: Stack, query: Query) -> None:
    result = stack.query(grafana_to_promql(query.expr))["data"]["result"]
    values = [float(sample["value"][1]) for sample in result]
    assert [value for value in values if math.isfinite(value)], (query.expr, result)


class _OtlpSink(BaseHTTPRequestHandler):
    """Accepts OTLP/HTTP exports and drops them: the service needs a collector to export to."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def otlp_sink() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtlpSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_latency_exemplars_carry_the_trace_ids_of_exported_requests(
    database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What the latency panels' trace links read: with spans exported, Prometheus (exemplar
    storage on) stores each sampled request's trace id on the latency histogram."""
    workdir = tmp_path_factory.mktemp("prometheus-exemplars")
    with otlp_sink() as collector:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector, "TRACING_SAMPLE_RATIO": "1"}
        with (
            running_service(database.app_url, workdir, env=env) as service,
            running_prometheus(
                workdir, service.metrics_port, features=["exemplar-storage"]
            ) as prometheus_url,
        ):
            live = Stack(prometheus_url)
            trace_ids = set()
            async with httpx.AsyncClient(base_url=service.api_url, timeout=10) as api:
                for _ in range(3):
                    response = await api.get("/openapi.json")
                    trace_ids.add(response.headers["traceresponse"].split("-")[1])
            await anyio.to_thread.run_sync(lambda: live.wait_for_scrapes(2))
            async with httpx.AsyncClient(base_url=prometheus_url) as prometheus:
                found = await prometheus.get(
                    "/api/v1/query_exemplars",
                    params={
                        "query": 'http_request_duration_seconds_bucket{route="/openapi.json"}',
                        "start": "0",
                        "end": "9999999999",
                    },
                )
            answer = found.json()
    assert answer["status"] == "success", answer
    stored = {e["labels"]["trace_id"] for series in answer["data"] for e in series["exemplars"]}
    assert stored, answer
    assert stored <= trace_ids
