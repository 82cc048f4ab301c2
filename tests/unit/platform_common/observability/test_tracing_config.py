"""Export is configured by the standard OTEL_* variables only; nothing leaves without an endpoint,
and nothing is recorded until something exports."""

from __future__ import annotations

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON

from platform_common.observability.tracing import (
    RecordWhenExported,
    export_to,
    otlp_exporter,
    service_resource,
)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"},
    ],
)
def test_nothing_is_exported_without_a_trace_endpoint(environ: dict[str, str]) -> None:
    assert otlp_exporter(environ) is None


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        {
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces",
            "OTEL_TRACES_EXPORTER": "otlp",
        },
    ],
)
def test_an_endpoint_turns_on_otlp_over_http(environ: dict[str, str]) -> None:
    assert isinstance(otlp_exporter(environ), OTLPSpanExporter)


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "zipkin"},
    ],
)
def test_unsupported_export_fails_at_start(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="not supported"):
        otlp_exporter(environ)


def test_resource_names_the_service_version_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    attributes = service_resource(
        service_name="todo-api", service_version="1.2.3", environment="production"
    ).attributes
    assert attributes["service.name"] == "todo-api"
    assert attributes["service.version"] == "1.2.3"
    assert attributes["deployment.environment"] == "production"
    assert attributes["deployment.environment.name"] == "production"


def test_standard_variables_override_the_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "todo-api-canary")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "k8s.namespace.name=prod,deployment.environment=staging")
    attributes = service_resource(
        service_name="todo-api", service_version="1", environment="production"
    ).attributes
    assert attributes["service.name"] == "todo-api-canary"
    assert attributes["k8s.namespace.name"] == "prod"
    assert attributes["deployment.environment"] == "staging"


def test_spans_are_not_recorded_until_something_exports_them_but_keep_their_ids() -> None:
    provider, exporter = TracerProvider(sampler=RecordWhenExported(ALWAYS_ON)), InMemorySpanExporter()
    with provider.get_tracer("t").start_as_current_span("unexported") as span:
        assert not span.is_recording()
        assert span.get_span_context().is_valid  # logs and traceresponse still carry the ids
    export_to(provider, SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("exported") as span:
        assert span.is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["exported"]


def test_once_exporting_the_configured_sampler_decides() -> None:
    provider, exporter = TracerProvider(sampler=RecordWhenExported(ALWAYS_OFF)), InMemorySpanExporter()
    export_to(provider, SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("sampled out") as span:
        assert not span.is_recording()
    assert exporter.get_finished_spans() == ()
