"""Observability settings: a ``PlatformSettings`` base that services put in place of it."""

from __future__ import annotations

from pydantic import Field

from platform_common.settings import PlatformSettings


class ObservabilitySettings(PlatformSettings):
    """METRICS_ENABLED, METRICS_HOST, METRICS_PORT, TRACING_ENABLED, SENTRY_DSN.

    It extends ``PlatformSettings`` (rather than being a bare mixin) so pydantic merges one
    model config: a bare ``BaseSettings`` mixin listed after ``PlatformSettings`` would bring
    back the library defaults (mutable, ``extra="forbid"``) over the platform's.

    Tracing is further configured only through the standard ``OTEL_*`` variables
    (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_TRACES_SAMPLER``, ``OTEL_RESOURCE_ATTRIBUTES``, ...);
    nothing is exported unless an OTLP endpoint is set.
    """

    metrics_enabled: bool = Field(default=True, description="Record RED metrics and serve /metrics.")
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Interface of the metrics listener; 0.0.0.0 in a pod so Prometheus can scrape it.",
    )
    metrics_port: int = Field(
        default=9100,
        ge=0,
        le=65535,
        description="Port of the metrics listener, never the public one; 0 picks a free port (tests).",
    )
    tracing_enabled: bool = Field(
        default=True, description="Trace ids in logs and traceresponse; spans exported if OTEL_* says where."
    )
    sentry_dsn: str | None = Field(
        default=None,
        description="Report unhandled errors to Sentry (scrubbed like the logs); unset: nothing is sent.",
    )
    tracing_sample_ratio: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="Share of new traces recorded once an exporter is set (parent-based; "
        "OTEL_TRACES_SAMPLER overrides).",
    )
