"""Logs, traces and metrics for any process of this platform.

``platform_common.app.create_service_app`` wires them for an HTTP service (the access line
and RED metrics come from ``platform_common.http.middleware``); a worker wraps its loop in
``setup.worker_observability``. The modules stay small:

- ``settings``: ``ObservabilitySettings`` (METRICS_*, TRACING_ENABLED) for the service's ``Settings``.
- ``setup``: logging and the tracer provider per process; the metrics listener while it serves.
- ``request_context``: the per-request holder; ``bind_identity`` for the current-user dependency.
- ``log_processors``, ``redaction``, ``log_safety``: trace ids and identity on every line; secrets never.
- ``routes``: the route *template* of a request (bounded metric labels).
- ``http_metrics``, ``security_metrics``, ``pool_metrics``: the Prometheus series.
- ``metrics_server``: ``/metrics`` on its own port, single- or multi-process.
- ``tracing``: the OpenTelemetry provider, OTLP export from ``OTEL_*`` only, instrumentation.

This package imports nothing at package level, so ``security_metrics`` stays cheap to import.
"""
