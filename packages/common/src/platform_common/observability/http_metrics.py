"""RED metrics of the HTTP server. Labels are bounded by construction.

``route`` is a route template or ``unmatched`` (see ``routes``), ``method`` one of the
standard methods or ``other``, ``status`` a three-digit code: never a raw path, an id or a
tenant. In multi-process mode the in-progress gauge is summed over live workers.
"""

from __future__ import annotations

from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

# 5 ms .. 10 s; 0.3 s is a bucket boundary because the latency SLO is p99 < 300 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered, by route template.", ["method", "route", "status"]
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from request arrival to the last byte of the response.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
IN_PROGRESS = Gauge(
    "http_requests_in_progress", "HTTP requests being handled.", ["method"], multiprocess_mode="livesum"
)


def bounded_method(method: str) -> str:
    return method if method in _METHODS else "other"


# Children by label values: ``labels()`` takes a lock and builds a key on every call, and
# the label sets are bounded (methods x route templates x statuses), so keep them.
_requests: dict[tuple[str, str, int], Counter] = {}
_durations: dict[tuple[str, str], Histogram] = {}
_in_progress: dict[str, Gauge] = {}


def in_progress(method: str) -> Gauge:
    child = _in_progress.get(method)
    if child is None:
        child = _in_progress[method] = IN_PROGRESS.labels(method)
    return child


def sampled_trace_id() -> str | None:
    """The current trace's id when it is sampled (so its spans are exported), else None."""
    context = trace.get_current_span().get_span_context()
    return (
        trace.format_trace_id(context.trace_id) if context.is_valid and context.trace_flags.sampled else None
    )


def observe_request(
    method: str, route: str, status: int, seconds: float, *, trace_id: str | None = None
) -> None:
    """Count the request and observe its latency; with ``trace_id``, the observation carries it
    as an exemplar (served in the OpenMetrics format, which Prometheus asks for when it stores
    exemplars), so a latency panel links to the trace of a slow request."""
    counter = _requests.get((method, route, status))
    if counter is None:
        counter = _requests[(method, route, status)] = REQUESTS.labels(method, route, str(status))
    counter.inc()
    histogram = _durations.get((method, route))
    if histogram is None:
        histogram = _durations[(method, route)] = DURATION.labels(method, route)
    histogram.observe(seconds, exemplar={"trace_id": trace_id} if trace_id else None)
