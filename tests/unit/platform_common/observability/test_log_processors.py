from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from platform_common.observability.log_processors import add_request_identity, add_trace_context
from platform_common.observability.request_context import bind_identity, observing


def test_trace_context_is_lower_case_hex_of_the_current_span() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        event = add_trace_context(None, "info", {"event": "x"})
    context = span.get_span_context()
    assert event["trace_id"] == f"{context.trace_id:032x}"
    assert event["span_id"] == f"{context.span_id:016x}"
    assert event["trace_flags"] == f"{context.trace_flags:02x}"  # 01 sampled, 03 also "random" (W3C level 2)


def test_no_span_no_trace_keys() -> None:
    assert trace.get_current_span().get_span_context().is_valid is False
    assert add_trace_context(None, "info", {"event": "x"}) == {"event": "x"}


def test_identity_appears_once_bound() -> None:
    scope: dict[str, object] = {"type": "http"}
    with observing(scope):
        assert add_request_identity(None, "info", {"event": "before"}) == {"event": "before"}
        bind_identity(scope, tenant_id="t-1", user_id=7)
        assert add_request_identity(None, "info", {"event": "after"}) == {
            "event": "after",
            "tenant_id": "t-1",
            "user_id": "7",
        }
    assert add_request_identity(None, "info", {"event": "later"}) == {"event": "later"}


def test_binding_outside_an_observed_request_is_harmless() -> None:
    bind_identity({"type": "http"}, tenant_id="t", user_id="u")
