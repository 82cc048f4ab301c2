"""Server spans from the contrib instrumentation on FastAPI 0.165; W3C trace context in and out."""

from __future__ import annotations

from fastapi import APIRouter
from opentelemetry import propagate

from tests.integration.platform_common.observability.conftest import ObservedApp
from tests.spans import recorded_spans, server_spans

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


def add_routes(observed: ObservedApp) -> dict[str, str]:
    outgoing: dict[str, str] = {}
    router = APIRouter(prefix="/api/v1/things")

    @router.get("/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        propagate.inject(outgoing)  # what an instrumented HTTP client sends downstream
        return {"id": thing_id}

    api = APIRouter()
    api.include_router(router)
    observed.router.include_router(api)

    @observed.router.get("/healthz")
    async def healthz() -> None:
        return None

    return outgoing


async def test_one_server_span_named_after_the_route_template(observed: ObservedApp) -> None:
    add_routes(observed)
    spans = recorded_spans()
    async with observed.serve() as client:
        await client.get("/api/v1/things/12")
    [server] = server_spans(spans)
    assert server.name == "GET /api/v1/things/{thing_id}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/v1/things/{thing_id}"
    # One server span, the contrib instrumentation's: FastAPI's native telemetry is off.
    scopes = {
        span.instrumentation_scope.name for span in spans.get_finished_spans() if span.instrumentation_scope
    }
    assert "opentelemetry.instrumentation.fastapi" in scopes
    assert scopes <= {"opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.asyncpg"}


async def test_incoming_traceparent_is_continued_and_propagated_out(observed: ObservedApp) -> None:
    outgoing = add_routes(observed)
    spans = recorded_spans()
    async with observed.serve() as client:
        response = await client.get("/api/v1/things/1", headers={"traceparent": TRACEPARENT})
    [server] = server_spans(spans)
    assert f"{server.context.trace_id:032x}" == TRACE_ID
    assert server.parent is not None
    assert f"{server.parent.span_id:016x}" == PARENT_ID
    server_id = f"{server.context.span_id:016x}"
    assert response.headers["traceresponse"] == f"00-{TRACE_ID}-{server_id}-01"
    assert outgoing["traceparent"] == f"00-{TRACE_ID}-{server_id}-01"
    [line] = observed.access_lines()
    assert (line["trace_id"], line["span_id"]) == (TRACE_ID, server_id)


async def test_health_probes_are_not_traced(observed: ObservedApp) -> None:
    add_routes(observed)
    spans = recorded_spans()
    async with observed.serve() as client:
        spans.clear()  # the start-up's own queries (the pool, the posture check) are traced
        await client.get("/healthz")
        await client.get("/healthz?verbose=1")
        await client.get("/readyz")  # a probe's query gets no span either
    assert spans.get_finished_spans() == ()
    assert len(observed.access_lines()) == 3  # still logged and counted


async def test_tracing_can_be_turned_off(observed: ObservedApp) -> None:
    add_routes(observed)
    spans = recorded_spans()
    async with observed.serve(tracing_enabled=False) as client:
        response = await client.get("/api/v1/things/1", headers={"traceparent": TRACEPARENT})
    assert "traceresponse" not in response.headers
    # No span of ours. (This test process has a global provider, so FastAPI's native telemetry
    # may trace; a service started with TRACING_ENABLED=false installs none.)
    scopes = {
        span.instrumentation_scope.name for span in spans.get_finished_spans() if span.instrumentation_scope
    }
    assert "opentelemetry.instrumentation.fastapi" not in scopes
