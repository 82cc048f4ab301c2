"""Finished spans of this test process, from the SDK's in-memory exporter.

OpenTelemetry allows one global tracer provider per process: the first app set up (or
this helper) installs it, and this helper adds one in-memory exporter to it, once.
"""

from __future__ import annotations

from functools import cache

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased
from opentelemetry.trace import SpanKind

from platform_common.observability.tracing import RecordWhenExported, export_to, install_tracer_provider


@cache
def _exporter() -> InMemorySpanExporter:
    provider = install_tracer_provider(Resource.create({"service.name": "tests"}), sample_ratio=1.0)
    # Another test's app may have installed the process's provider first, with its own ratio:
    # the tests look at every trace.
    if isinstance(provider.sampler, RecordWhenExported):
        provider.sampler.configured = ParentBased(ALWAYS_ON)
    exporter = InMemorySpanExporter()
    export_to(provider, SimpleSpanProcessor(exporter))
    return exporter


def recorded_spans() -> InMemorySpanExporter:
    """The exporter, emptied: call it at the start of a test, read it at the end."""
    exporter = _exporter()
    exporter.clear()
    return exporter


def server_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind is SpanKind.SERVER]


def children_of(exporter: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    """Spans below ``parent`` at any depth."""
    spans = exporter.get_finished_spans()
    below = {parent.context.span_id}
    found: list[ReadableSpan] = []
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        if span.parent is not None and span.parent.span_id in below:
            below.add(span.context.span_id)
            found.append(span)
    return found
