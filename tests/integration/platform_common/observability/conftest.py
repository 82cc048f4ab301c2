"""A small service built by the platform's app factory: the observability it gets, in isolation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware

from platform_common.app import ServiceRuntime, ServiceSettings, create_service_app
from platform_common.db.provision import ProvisionedDatabase
from platform_common.logging import configure_logging
from tests.integration.apps import serving

CLIENT_IP = "203.0.113.9"


class ObservedApp:
    """Add routes to ``router`` (and inner ``middleware``), then ``serve()`` it and read the logs."""

    def __init__(self, capsys: pytest.CaptureFixture[str], database_url: str) -> None:
        self.router = APIRouter()
        self.middleware: list[Middleware] = []
        self.app: FastAPI | Any = None
        self._database_url = database_url
        self._capsys = capsys
        self._output = ""

    @asynccontextmanager
    async def serve(self, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        defaults = {"service_name": "probe", "metrics_port": 0, "environment": "test", "log_format": "json"}
        configured = ServiceSettings(database_url=self._database_url, **{**defaults, **settings})
        self.app = create_service_app(
            ServiceRuntime(configured, tenant_tables={}),
            title="probe",
            version="0.0.1",
            summary="A service of the tests",
            routers=[self.router],
            middleware=self.middleware,
        )
        async with serving(self.app, raise_app_exceptions=False, client=(CLIENT_IP, 4711)) as client:
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
def observed(capsys: pytest.CaptureFixture[str], database: ProvisionedDatabase) -> ObservedApp:
    configure_logging("INFO", json_output=True)
    return ObservedApp(capsys, database.app_url)
