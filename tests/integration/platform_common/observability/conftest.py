"""A small FastAPI app set up like a service: error handlers, observability, request ids."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from platform_common.error_handlers import install_error_handlers
from platform_common.logging import configure_logging
from platform_common.observability.settings import ObservabilitySettings
from platform_common.observability.setup import setup_observability
from platform_common.request_id import request_id_middleware

CLIENT_IP = "203.0.113.9"


class ObservedApp:
    """Add routes (and inner middleware) to ``app``, then ``serve()`` it and read the logs."""

    def __init__(self, capsys: pytest.CaptureFixture[str], *, error_handlers: bool = True) -> None:
        self.app = FastAPI()
        if error_handlers:
            install_error_handlers(self.app)
        self._capsys = capsys
        self._output = ""

    @asynccontextmanager
    async def serve(self, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        setup_observability(
            self.app,
            ObservabilitySettings(metrics_port=0, environment="test", **settings),
            service_name="probe",
            service_version="0.0.1",
        )
        self.app.add_middleware(request_id_middleware)
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False, client=(CLIENT_IP, 4711))
        async with (
            self.app.router.lifespan_context(self.app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield client

    def output(self) -> str:
        """Everything logged so far, as written."""
        self._output += self._capsys.readouterr().err
        return self._output

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.output().splitlines() if line.startswith("{")]

    def access_lines(self) -> list[dict[str, Any]]:
        return [line for line in self.log_lines() if line.get("logger") == "access"]


@pytest.fixture
def observed(capsys: pytest.CaptureFixture[str]) -> ObservedApp:
    configure_logging("INFO", json_output=True)
    return ObservedApp(capsys)
