"""Headers on every response, CORS, allowed hosts, and what production exposes."""

from __future__ import annotations

import json
import re
import secrets
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest

from tests.integration.apps import serving
from todo_api.core.config import Settings
from todo_api.main import create_app

# What production needs besides the database: its own key and the host names it serves.
PRODUCTION = {
    "environment": "production",
    "secret_key": secrets.token_hex(32),
    "data_encryption_key": secrets.token_hex(32),
    "trusted_hosts": ["api.example.com"],
    "public_base_url": "https://todo.example.com",
}


def client_for(settings: Settings) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    return serving(create_app(settings), base_url="http://api.example.com")


@pytest.mark.parametrize("path", ["/healthz", "/nope", "/api/v1/tasks"])
async def test_security_headers_on_every_response(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


async def test_hsts_when_configured(settings: Settings, clean_database: None) -> None:
    async with client_for(settings.model_copy(update={"hsts_seconds": 31536000})) as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_cors_allows_only_configured_origins(settings: Settings, clean_database: None) -> None:
    configured = settings.model_copy(update={"cors_origins": ["https://app.example.com"]})
    async with client_for(configured) as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        }
        allowed = await client.options(
            "/api/v1/tasks", headers={"Origin": "https://app.example.com", **preflight}
        )
        denied = await client.options(
            "/api/v1/tasks", headers={"Origin": "https://evil.example.com", **preflight}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in denied.headers


def test_wildcard_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="not accepted"):
        Settings(database_url="postgresql://x@localhost/x", cors_origins=["*"])


async def test_unknown_host_is_400_in_the_envelope(settings: Settings, clean_database: None) -> None:
    configured = settings.model_copy(update={"trusted_hosts": ["api.example.com", "*.internal.example.com"]})
    async with client_for(configured) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (
            await client.get("/healthz", headers={"Host": "pod.internal.example.com:8000"})
        ).status_code == 200
        refused = await client.get("/healthz", headers={"Host": "evil.example.com"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "bad_request"


async def test_production_hides_docs_but_serves_the_spec_where_configured(
    settings: Settings, clean_database: None
) -> None:
    production = Settings.model_validate(
        settings.model_dump() | PRODUCTION | {"openapi_url": "/internal/openapi.json"}
    )
    async with client_for(production) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/docs/assets/swagger-ui-bundle.js")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 404
        assert (await client.get("/internal/openapi.json")).status_code == 200


async def test_docs_can_be_enabled_in_production(settings: Settings, clean_database: None) -> None:
    production = Settings.model_validate(settings.model_dump() | PRODUCTION | {"docs_enabled": True})
    async with client_for(production) as client:
        assert (await client.get("/docs")).status_code == 200


async def test_docs_are_served_in_development(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200


ROOT = Path(__file__).resolve().parents[3]
_OPERATIONS = sorted(
    (method.upper(), re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path))
    for path, operations in json.loads((ROOT / "openapi.json").read_text())["paths"].items()
    for method in operations
)


async def test_a_trailing_slash_is_404_in_the_envelope_never_a_redirect(client: httpx.AsyncClient) -> None:
    """No redirect built from the Host header (which any client chooses while TRUSTED_HOSTS
    is "*"): every route with a slash appended is simply not a route."""
    answers = {}
    for method, path in [*_OPERATIONS, ("GET", "/openapi.json"), ("GET", "/docs")]:
        response = await client.request(method, path + "/", headers={"Host": "evil.example.com"})
        code = response.json()["errors"][0]["code"] if response.status_code >= 400 else None
        answers[f"{method} {path}/"] = (response.status_code, code, response.headers.get("location"))
    assert len(answers) > 20
    assert set(answers.values()) == {(404, "not_found", None)}, answers
