"""structlog processors that tie every log line to its trace and its caller.

Trace context follows OpenTelemetry's "Trace Context in non-OTLP Log Formats": top-level
``trace_id`` (32 lower-case hex), ``span_id`` (16) and ``trace_flags`` (2), only when a
valid span is current.
"""

from __future__ import annotations

from opentelemetry import trace
from structlog.types import EventDict, WrappedLogger

from platform_common.observability.request_context import current_observation


def add_trace_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", trace.format_trace_id(context.trace_id))
        event_dict.setdefault("span_id", trace.format_span_id(context.span_id))
        event_dict.setdefault("trace_flags", f"{context.trace_flags:02x}")
    return event_dict


def add_request_identity(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """``tenant_id``/``user_id`` on every line logged after ``bind_identity`` in a request."""
    observation = current_observation()
    if observation is not None and (observation.tenant_id or observation.user_id):
        event_dict.setdefault("tenant_id", observation.tenant_id)
        event_dict.setdefault("user_id", observation.user_id)
    return event_dict
