"""Refuse request bodies over a size limit with a 413 in the error envelope, before parsing.

Starlette's own limiter answers in plain text; this one speaks the envelope. A declared
``Content-Length`` over the limit is refused before anything is read; a chunked body is
read up to the limit and refused the moment it passes it. Accepted bodies are replayed to
the app unchanged (they are at most ``max_bytes``, so buffering is bounded).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_common.error_handlers import envelope_response
from platform_common.errors import PayloadTooLarge


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        message: Message = {"type": "http.request", "body": b"", "more_body": True}
        while message["type"] == "http.request" and message.get("more_body", False):
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
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

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"The request body exceeds {self.max_bytes} bytes")
        response = envelope_response([error.to_error_object()], error.status_code, {"Connection": "close"})
        await response(scope, receive, send)
