"""Logs, traces and metrics for any service of this platform, installed by one call.

``setup.setup_observability(app, settings, ...)`` wires everything; the modules stay small:

- ``settings``: ``ObservabilitySettings`` (METRICS_*, TRACING_ENABLED) for the service's ``Settings``.
- ``request_context``: the per-request holder; ``bind_identity`` for the current-user dependency.
- ``middleware``: one canonical access line and the RED metrics of every request.
- ``log_processors``, ``redaction``: trace ids and identity on every line; secrets never.
- ``routes``: the route *template* of a request (bounded metric labels).
- ``http_metrics``, ``security_metrics``, ``pool_metrics``: the Prometheus series.
- ``metrics_server``: ``/metrics`` on its own port, single- or multi-process.
- ``tracing``: the OpenTelemetry provider, OTLP export from ``OTEL_*`` only, instrumentation.

This package imports nothing at package level, so ``security_metrics`` stays cheap to import.
"""
