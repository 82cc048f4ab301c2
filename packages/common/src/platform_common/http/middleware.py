"""``EdgeMiddleware``: everything every request needs from the platform, in one pure ASGI layer.

For each HTTP request, in order:

1. a request id (a well-formed incoming ``X-Request-ID`` is kept), in context for logs;
2. trace ids: the current OpenTelemetry span's when an exporter is set (the FastAPI
   instrumentation, outside this layer, made it), else ids of our own that continue an
   incoming W3C ``traceparent``, so logs and ``traceresponse`` correlate either way;
3. a ``Host`` check (400 in the envelope for a host we do not serve);
4. the body limit (413 in the envelope, before anything is parsed);
5. the app, whose response gets ``X-Request-ID``, ``traceresponse`` and the security headers;
6. an unhandled exception becomes a bare 500 in the envelope (traceback on the access line);
7. the RED metrics and the canonical access line, with the final status.

Why one layer rather than six: each pure ASGI middleware costs a call, a closure and a
scan of the headers per request, and ordering several of them correctly was the fragile
part. Here the order is written once, and tested once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from contextvars import Token

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_common.error_handlers import envelope_response
from platform_common.errors import BadRequest, InternalError, PayloadTooLarge
from platform_common.http.client_ip import Network, client_ip
from platform_common.observability import http_metrics
from platform_common.observability.error_reporting import report_exception
from platform_common.observability.request_context import RequestObservation, observing
from platform_common.observability.routes import RouteTemplates, arrival
from platform_common.request_id import bind_request_id, is_well_formed, new_request_id, unbind_request_id

access_logger = structlog.get_logger("access")

_REQUEST_ID = b"x-request-id"
_TRACEPARENT = b"traceparent"


class HostPolicy:
    """Accepted ``Host`` values: ``*`` any, ``*.example.com`` a domain's subdomains."""

    def __init__(self, allowed_hosts: Sequence[str]) -> None:
        self.allow_any = "*" in allowed_hosts
        self.exact = {h.lower() for h in allowed_hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    def allows(self, host_header: bytes | None) -> bool:
        if self.allow_any:
            return True
        host = (host_header or b"").decode("latin-1").rsplit(":", 1)[0].lower()
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))


def security_headers(hsts_seconds: int) -> list[tuple[bytes, bytes]]:
    """``nosniff``, no referrer, no framing; HSTS when ``hsts_seconds`` > 0 (only behind TLS)."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]
    if hsts_seconds:
        headers.append((b"strict-transport-security", f"max-age={hsts_seconds}; includeSubDomains".encode()))
    return headers


def _parse_traceparent(value: bytes) -> tuple[int, int, int] | None:
    """``(trace_id, parent_span_id, flags)`` of a W3C ``traceparent``, or None if invalid."""
    parts = value.split(b"-")
    if len(parts) < 4 or len(parts[0]) != 2 or parts[0] == b"ff":
        return None
    version, trace_hex, span_hex, flags_hex = parts[:4]
    if version == b"00" and len(parts) != 4:
        return None
    if len(trace_hex) != 32 or len(span_hex) != 16 or len(flags_hex) != 2:
        return None
    try:
        trace_id, span_id, flags = int(trace_hex, 16), int(span_hex, 16), int(flags_hex, 16)
    except ValueError:
        return None
    if not trace_id or not span_id or not version.isalnum() or version != version.lower():
        return None
    return trace_id, span_id, flags


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: HostPolicy,
        max_body_bytes: int,
        hsts_seconds: int,
        routes: RouteTemplates,
        record_metrics: bool,
        trace_ids: bool,
        untraced_paths: Collection[str],
        trusted_proxies: Sequence[Network] = (),
        exemplars: bool = False,
    ) -> None:
        self.app = app
        self._trusted_proxies = tuple(trusted_proxies)
        self._hosts = hosts
        self._max_body = max_body_bytes
        self._headers = security_headers(hsts_seconds)
        self._routes = routes
        self._record_metrics = record_metrics
        self._trace_ids = trace_ids  # False: TRACING_ENABLED=false, no trace ids at all
        self._untraced = frozenset(untraced_paths)
        # Latency observations carry the trace id of sampled requests (only when spans are
        # exported: a trace id that reaches no backend would link to nothing).
        self._exemplars = exemplars and record_metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        arrived = arrival(scope)
        host = request_id = traceparent = length = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == _REQUEST_ID:
                request_id = value
            elif name == _TRACEPARENT:
                traceparent = value
            elif name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        incoming = request_id.decode("latin-1") if request_id is not None else None
        rid = incoming if incoming is not None and is_well_formed(incoming) else new_request_id()
        rid_token = bind_request_id(rid)
        response_headers = [(b"x-request-id", rid.encode()), *self._headers]
        trace_token = self._enter_trace(traceparent, response_headers)
        quiet: AbstractContextManager[None] = (
            suppress_instrumentation() if scope["path"] in self._untraced else nullcontext()
        )
        method = http_metrics.bounded_method(scope["method"])
        if self._record_metrics:
            http_metrics.in_progress(method).inc()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                headers.extend(response_headers)
            await send(message)

        with observing(scope) as observation:
            try:
                with quiet:
                    if not self._hosts.allows(host):
                        await _refuse(BadRequest("Invalid host header"), scope, receive, send_with_headers)
                    elif length is not None and length.isdigit() and int(length) > self._max_body:
                        await self._too_large(scope, receive, send_with_headers)
                    elif chunked:
                        await self._buffered(scope, receive, send_with_headers)
                    else:
                        await self.app(scope, receive, send_with_headers)
            except Exception as exc:
                observation.exception = exc
                route = self._routes.resolve(scope, arrived)
                report_exception(exc, observation, method=method, route=route, path=scope["path"])
                span = trace.get_current_span()
                if span.is_recording():  # the exporting instrumentation's server span never sees it
                    span.record_exception(exc)
                if response_started:  # too late for a clean answer; the server drops the connection
                    raise
                await _refuse(InternalError(), scope, receive, send_with_headers)
            finally:
                seconds = time.perf_counter() - started
                route = self._routes.resolve(scope, arrived)
                if self._record_metrics:
                    http_metrics.in_progress(method).dec()
                    trace_id = http_metrics.sampled_trace_id() if self._exemplars else None
                    http_metrics.observe_request(method, route, status, seconds, trace_id=trace_id)
                client = client_ip(scope, self._trusted_proxies) if scope.get("client") else None
                _log_access(scope, observation, method, route, status, seconds, client)
                if trace_token is not None:
                    otel_context.detach(trace_token)
                unbind_request_id(rid_token)

    def _enter_trace(
        self, traceparent: bytes | None, response_headers: list[tuple[bytes, bytes]]
    ) -> Token[Context] | None:
        """Make the request's trace context current, unless tracing is off or an exporting
        instrumentation outside this layer already did (its span is current then)."""
        if not self._trace_ids or trace.get_current_span().get_span_context().is_valid:
            return None
        parent = _parse_traceparent(traceparent) if traceparent is not None else None
        trace_id, flags = (parent[0], parent[2] & 1) if parent else (random.getrandbits(128), 0)
        span_id = random.getrandbits(64)
        context = SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(flags))
        response_headers.append((b"traceresponse", f"00-{trace_id:032x}-{span_id:016x}-{flags:02x}".encode()))
        return otel_context.attach(trace.set_span_in_context(NonRecordingSpan(context)))

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"The request body exceeds {self._max_body} bytes")
        await envelope_response([error.to_error_object()], 413, {"Connection": "close"})(scope, receive, send)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A chunked body, read up to the limit (413 past it), then replayed to the app.
        A body with a ``Content-Length`` within the limit needs none of this: the server
        delivers exactly that many bytes."""
        chunks: list[bytes] = []
        size = 0
        message: Message = {"type": "http.request", "more_body": True}
        while message["type"] == "http.request" and message.get("more_body", False):
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
        if message["type"] == "http.disconnect":
            return  # the client left before sending its whole body
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(error: BadRequest | InternalError, scope: Scope, receive: Receive, send: Send) -> None:
    await envelope_response([error.to_error_object()], error.status_code)(scope, receive, send)


def _log_access(
    scope: Scope,
    observation: RequestObservation,
    method: str,
    route: str,
    status: int,
    seconds: float,
    client: str | None,
) -> None:
    """The canonical access line. ``client`` is the address the service attributes the
    request to (``client_ip``: a trusted proxy's hop, else the peer), as its limits do."""
    fields = {
        "tenant_id": observation.tenant_id,
        "user_id": observation.user_id,
        "method": method,
        "route": route,
        "path": scope["path"],  # capped by the logging pipeline (log_safety)
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client_ip": client,
    }
    if observation.exception is not None:
        access_logger.error("http_request", exc_info=observation.exception, **fields)
    elif status >= 500:
        access_logger.error("http_request", **fields)
    else:
        access_logger.info("http_request", **fields)
