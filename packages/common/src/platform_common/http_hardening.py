"""Response headers every API answer carries, and Host-header validation in the envelope."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_common.error_handlers import envelope_response
from platform_common.errors import BadRequest


class SecurityHeadersMiddleware:
    """``nosniff``, no referrer, no framing, ``Cache-Control: no-store`` unless a route set
    its own, and HSTS when ``hsts_seconds`` > 0 (only behind TLS: the setting says so)."""

    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        self.app = app
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        }
        if hsts_seconds:
            self.headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AllowedHostsMiddleware:
    """Refuse requests for a Host we do not serve (``*`` allows any; ``*.example.com`` a
    domain's subdomains), answering 400 in the error envelope."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.exact = {h.lower() for h in allowed_hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    def _allowed(self, host: str) -> bool:
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "").rsplit(":", 1)[0].lower()
        if self._allowed(host):
            await self.app(scope, receive, send)
            return
        error = BadRequest("Invalid host header")
        await envelope_response([error.to_error_object()], error.status_code)(scope, receive, send)
