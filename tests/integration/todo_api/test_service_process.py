"""The service under uvicorn, as deployed: several workers, JSON logs, OTLP export by environment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families

from platform_common.db.provision import ProvisionedDatabase
from tests.service_process import running_service, wait_until
from todo_api import __version__

pytestmark = pytest.mark.slow

TRACE_ID = "5b8efff798038103d269b633813fc60c"


def requests_to(metrics_url: str, route: str) -> float:
    families = text_string_to_metric_families(httpx.get(metrics_url).text)
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels["route"] == route
    )


def test_two_workers_share_one_metrics_port_and_log_one_json_line_per_request(
    database: ProvisionedDatabase, tmp_path: Path
) -> None:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with running_service(database.app_url, tmp_path, workers=2, env=env) as service:

        def get(_: int) -> int:
            with httpx.Client(base_url=service.api_url) as client:  # a new connection each time
                return client.get("/openapi.json").status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            assert set(pool.map(get, range(200))) == {200}
        pids = {path.stem.rsplit("_", 1)[1] for path in multiproc.glob("counter_*.db")}
        assert len(pids) == 2  # both workers counted something
        for _ in range(10):  # whichever worker answers the scrape, it reports both
            assert requests_to(service.metrics_url, "/openapi.json") == 200
        lines = [line for line in service.log_lines() if line.get("event") == "http_request"]
        assert len([line for line in lines if line["route"] == "/openapi.json"]) == 200
        assert "HTTP/1.1" not in service.stderr.read_text()  # uvicorn's own access lines are gone


class _Collector(BaseHTTPRequestHandler):
    received: list[ExportTraceServiceRequest]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            self.received.append(ExportTraceServiceRequest.FromString(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """A stand-in OTLP/HTTP collector on a free loopback port."""
    received: list[ExportTraceServiceRequest] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_spans_go_to_the_collector_named_by_otel_environment_variables(
    database: ProvisionedDatabase, tmp_path: Path, collector: tuple[str, list[ExportTraceServiceRequest]]
) -> None:
    endpoint, received = collector
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with running_service(database.app_url, tmp_path, env=env) as service:
        traceparent = f"00-{TRACE_ID}-a3ce929d0e0e4736-01"
        assert httpx.get(f"{service.api_url}/openapi.json", headers={"traceparent": traceparent}).is_success

        def exported() -> bool:
            return any(span.trace_id.hex() == TRACE_ID for span in _spans(received))

        wait_until(exported, timeout=10, what="the span at the collector")
    request = next(r for r in received if any(s.trace_id.hex() == TRACE_ID for s in _spans([r])))
    resource = {a.key: a.value.string_value for a in request.resource_spans[0].resource.attributes}
    assert resource["service.name"] == "todo-api"
    assert resource["service.version"] == __version__
    assert resource["deployment.environment"] == "test"
    [span] = [s for s in _spans([request]) if s.trace_id.hex() == TRACE_ID]
    assert span.name == "GET /openapi.json"


def _spans(requests: list[ExportTraceServiceRequest]) -> Iterator[object]:
    for request in requests:
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                yield from scope_spans.spans
