"""Optional error reporting to Sentry (``sentry-sdk``), on when ``SENTRY_DSN`` is set.

An unhandled exception of a request (the one the edge middleware turns into a bare 500) is
reported once, tagged with the request id, the trace id, the tenant and user ids, the route
and method, and the release (``<service>@<version>``), in the deployment's environment.

What leaves the process is held to the same rule as the logs: every event passes through
``platform_common.observability.redaction.redact`` (bearer tokens, JWTs, URL passwords,
``password=``/``token=`` values, sensitive keys) before it is sent, and nothing of the request
is attached but its method, route and path: no headers, cookies, query string or body. The
SDK's automatic integrations (logging, frameworks, local variables of frames, source lines)
are off, so this module decides what is sent; sending happens on the SDK's own thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from opentelemetry import trace

from platform_common.observability.redaction import redact
from platform_common.observability.request_context import RequestObservation
from platform_common.request_id import current_request_id

if TYPE_CHECKING:
    from sentry_sdk._types import Event

_enabled = False


def configure_error_reporting(
    dsn: str | None, *, service_name: str, service_version: str, environment: str
) -> bool:
    """Start (or stop) reporting for this process; True when a DSN is set."""
    global _enabled  # one SDK client per process, as sentry_sdk itself keeps it
    if not dsn:
        if _enabled:
            sentry_sdk.get_client().close()
            sentry_sdk.get_global_scope().set_client(None)
        _enabled = False
        return False
    sentry_sdk.init(
        dsn=dsn,
        release=f"{service_name}@{service_version}",
        environment=environment,
        server_name=service_name,
        default_integrations=False,
        auto_enabling_integrations=False,
        # No personal data: send_default_pii's default (now deprecated, so left unset) is off.
        include_local_variables=False,
        include_source_context=False,
        max_request_body_size="never",
        traces_sample_rate=None,
        before_send=scrub_event,
        before_breadcrumb=lambda crumb, hint: None,  # the logs hold the story; no breadcrumbs
    )
    _enabled = True
    return True


def scrub_event(event: Event, hint: dict[str, Any]) -> Event:
    """The event as the logs would hold it: no request data, every value redacted."""
    event.pop("request", None)
    event.pop("user", None)
    scrubbed = redact(event)
    if not isinstance(scrubbed, dict):  # pragma: no cover - redact keeps a mapping a mapping
        raise TypeError(type(scrubbed))
    return cast("Event", scrubbed)


def report_exception(
    exc: BaseException, observation: RequestObservation, *, method: str, route: str, path: str
) -> None:
    """Report a request's unhandled exception, if reporting is on (a cheap check otherwise)."""
    if not _enabled:
        return
    context = trace.get_current_span().get_span_context()
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("request_id", current_request_id())
        if context.is_valid:
            scope.set_tag("trace_id", trace.format_trace_id(context.trace_id))
            scope.set_context("trace", {"trace_id": trace.format_trace_id(context.trace_id)})
        scope.set_tag("tenant_id", observation.tenant_id)
        scope.set_tag("user_id", observation.user_id)
        scope.set_tag("route", route)
        scope.set_tag("http.method", method)
        scope.set_context("http", {"method": method, "route": route, "path": path})
        scope.capture_exception(exc)
