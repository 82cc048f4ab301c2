"""OpenTelemetry traces: one SDK provider per process, export configured by ``OTEL_*`` only.

Zero cost when nothing exports: the FastAPI and asyncpg instrumentations are installed only
when the process has somewhere to send spans. Without an exporter the edge middleware
(``platform_common.http.middleware``) still gives every request trace ids of its own,
continuing an incoming ``traceparent``, so logs and ``traceresponse`` correlate as before.
With an exporter, new traces are sampled at ``TRACING_SAMPLE_RATIO`` (parent-based: a
caller's sampling decision is followed), unless ``OTEL_TRACES_SAMPLER`` names another sampler.

- Server spans from ``opentelemetry-instrumentation-fastapi`` (named ``GET /api/v1/tasks/{task_id}``,
  ``http.route`` set). It works with the locked FastAPI 0.165: the instrumentation resolves
  templates of included routers through ``fastapi.routing.iter_route_contexts``. FastAPI's own
  native telemetry steps aside when it finds this middleware in the stack, so there is one
  server span per request (a test checks both).
- Database spans from ``opentelemetry-instrumentation-asyncpg``: it patches asyncpg once per
  process, so every engine (including one recreated per lifespan, or per test) is covered.
  The SQLAlchemy instrumentor is not used as well: it binds to one engine per process and
  would nest a second span around each statement.
- W3C ``traceparent`` in (continued), and out: the global propagator (``OTEL_PROPAGATORS``,
  default tracecontext + baggage) serves outgoing calls, and every response carries a
  ``traceresponse`` header naming the server span.
- Export: OTLP over HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set (the exporter reads headers, timeout and
  certificates from ``OTEL_*`` itself), unless ``OTEL_TRACES_EXPORTER=none``. Sampling
  comes from ``OTEL_TRACES_SAMPLER`` as the SDK reads it, but only once something exports
  (``RecordWhenExported``): until then spans still get ids (logs and ``traceresponse`` carry
  them) and are not recorded, which in the benchmark saved about a quarter of the CPU
  of a request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.propagators import TraceResponsePropagator, set_global_response_propagator
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import Decision, ParentBased, Sampler, SamplingResult, TraceIdRatioBased
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes


class RecordWhenExported(Sampler):
    """Defers to the configured sampler once spans have somewhere to go; until then drops.

    A dropped span is not recorded (no attributes, events or timing kept) but still has a
    trace id and a span id, so logs and the ``traceresponse`` header correlate exactly as
    before. Recording spans that no processor will ever receive is pure cost.
    """

    def __init__(self, configured: Sampler) -> None:
        self.configured = configured
        self.exporting = False

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if not self.exporting:
            parent = trace.get_current_span(parent_context).get_span_context()
            return SamplingResult(Decision.DROP, None, parent.trace_state if parent.is_valid else None)
        return self.configured.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"RecordWhenExported{{{self.configured.get_description()}}}"


def export_to(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Hand finished spans to ``processor``, and from now on record them."""
    provider.add_span_processor(processor)
    if isinstance(provider.sampler, RecordWhenExported):
        provider.sampler.exporting = True


def otlp_exporter(environ: Mapping[str, str] = os.environ) -> SpanExporter | None:
    """The span exporter the environment asks for, or None. Unsupported choices fail at start."""
    exporter = environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower()
    if exporter == "none":
        return None
    endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return None
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if exporter != "otlp" or protocol != "http/protobuf":
        raise ValueError(
            f"OTEL_TRACES_EXPORTER={exporter} with protocol {protocol} is not supported; "
            "use otlp over http/protobuf, or none"
        )
    return OTLPSpanExporter()


def service_resource(*, service_name: str, service_version: str, environment: str) -> Resource:
    """Our attributes, under whatever ``OTEL_RESOURCE_ATTRIBUTES``/``OTEL_SERVICE_NAME`` set."""
    ours = Resource.create(
        {
            "service.name": service_name,
            "service.version": service_version,
            "deployment.environment": environment,
            "deployment.environment.name": environment,  # the current semantic-convention name
        }
    )
    return ours.merge(OTELResourceDetector().detect())


def is_exporting(provider: TracerProvider | None) -> bool:
    """Whether finished spans go anywhere (an exporter or processor was attached)."""
    return (
        provider is not None
        and isinstance(provider.sampler, RecordWhenExported)
        and provider.sampler.exporting
    )


def default_sampler(sample_ratio: float, environ: Mapping[str, str] = os.environ) -> Sampler | None:
    """Parent-based ratio sampling, unless ``OTEL_TRACES_SAMPLER`` chooses (None: the SDK reads it)."""
    if environ.get("OTEL_TRACES_SAMPLER"):
        return None
    return ParentBased(TraceIdRatioBased(sample_ratio))


def install_tracer_provider(resource: Resource, *, sample_ratio: float = 1.0) -> TracerProvider:
    """Set the global SDK provider, once per process; later calls get the first one back.

    OpenTelemetry allows one global provider per process, and instrumentations find it
    there. One service per process, so the first resource is the right one.
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=resource, sampler=default_sampler(sample_ratio))
    provider.sampler = RecordWhenExported(provider.sampler)
    exporter = otlp_exporter()
    if exporter is not None:
        export_to(provider, BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def instrument(app: FastAPI, *, untraced_paths: Collection[str]) -> None:
    """Server spans for ``app``; database spans and ``traceresponse`` for the process."""
    excluded = ",".join(f"^[a-z]+://[^/]+{re.escape(path)}$" for path in untraced_paths)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded, exclude_spans=["receive", "send"])
    asyncpg = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if not asyncpg.is_instrumented_by_opentelemetry:
        asyncpg.instrument()
    set_global_response_propagator(TraceResponsePropagator())  # type: ignore[no-untyped-call]


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span (the request's, recorded or not), or None
    outside any trace: what a later piece of work (an event's delivery) continues from."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
