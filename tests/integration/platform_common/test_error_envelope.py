"""Every non-2xx response of the real app is the JSON:API error envelope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends
from pydantic import BaseModel, Field

from platform_common.pagination import Page, PageQuery, make_page
from todo_api.core.config import Settings
from todo_api.main import create_app


class Probe(BaseModel):
    title: str = Field(min_length=1)
    count: int


@pytest.fixture
async def probe_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app plus a few routes that exercise each failure path."""
    app = create_app(settings)

    @app.post("/probe", status_code=201)
    async def create_probe(probe: Probe) -> Probe:
        return probe

    @app.get("/probe/{probe_id}")
    async def get_probe(probe_id: uuid.UUID) -> dict[str, str]:
        return {"id": str(probe_id)}

    @app.get("/probes")
    async def list_probes(query: Annotated[PageQuery, Depends(PageQuery.from_request)]) -> Page[int]:
        return make_page(list(range(query.offset, min(query.offset + query.size, 45))), total=45, query=query)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT password FROM secrets -- at /srv/app.py line 3")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_envelope(response: httpx.Response, status: int, code: str) -> list[dict[str, object]]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors", "meta"}
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    for error in body["errors"]:
        assert error["status"] == str(status)
        assert error["code"] == code
        assert error["title"]
    errors: list[dict[str, object]] = body["errors"]
    return errors


async def test_unknown_route_is_404_in_the_envelope(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.get("/nope"), 404, "not_found")


async def test_incoming_request_id_is_echoed_in_header_and_body(client: httpx.AsyncClient) -> None:
    request_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    response = await client.get("/nope", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id
    assert response.json()["meta"]["request_id"] == request_id


async def test_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["x-request-id"] != "bad id <script>"
    assert len(response.headers["x-request-id"]) >= 8


async def test_wrong_method_is_405_with_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_two_bad_fields_give_two_errors_with_pointers(probe_client: httpx.AsyncClient) -> None:
    errors = assert_envelope(
        await probe_client.post("/probe", json={"title": "", "count": "many"}), 422, "validation_error"
    )
    assert sorted(e["source"]["pointer"] for e in errors) == ["/count", "/title"]  # type: ignore[index]


async def test_malformed_json_body_is_422_in_the_envelope(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post(
        "/probe", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_envelope(response, 422, "validation_error")


async def test_bad_path_parameter_points_at_the_parameter(probe_client: httpx.AsyncClient) -> None:
    errors = assert_envelope(await probe_client.get("/probe/not-a-uuid"), 422, "validation_error")
    assert errors[0]["source"] == {"parameter": "probe_id"}


@pytest.mark.parametrize("query", ["page=0", "size=0", "size=101", "page=abc", "page=99999999999999999999"])
async def test_out_of_range_pagination_is_422_never_500(probe_client: httpx.AsyncClient, query: str) -> None:
    errors = assert_envelope(await probe_client.get(f"/probes?{query}"), 422, "validation_error")
    assert errors[0]["source"] == {"parameter": query.split("=")[0]}


async def test_pages_report_their_arithmetic(probe_client: httpx.AsyncClient) -> None:
    default = (await probe_client.get("/probes")).json()
    assert (default["total"], default["page"], default["size"], default["pages"]) == (45, 1, 20, 3)
    last = (await probe_client.get("/probes?page=3")).json()
    assert last["items"] == list(range(40, 45))
    past = (await probe_client.get("/probes?page=4")).json()
    assert (past["items"], past["total"]) == ([], 45)


async def test_unhandled_exception_is_a_bare_500(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.get("/boom")
    errors = assert_envelope(response, 500, "internal_error")
    assert "detail" not in errors[0]
    for leak in ("SELECT", "secrets", "app.py", "RuntimeError", "Traceback"):
        assert leak not in response.text


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_body_is_413_in_the_envelope(probe_client: httpx.AsyncClient, chunked: bool) -> None:
    payload = b'{"title": "' + b"x" * (1024 * 1024 + 1) + b'", "count": 1}'

    async def stream() -> AsyncIterator[bytes]:
        yield payload

    response = await probe_client.post(
        "/probe", content=stream() if chunked else payload, headers={"content-type": "application/json"}
    )
    assert_envelope(response, 413, "payload_too_large")


# The envelope, and its extension with RFC 6749 §5.2's members (the OAuth token endpoint).
ENVELOPES = {"#/components/schemas/ErrorEnvelope", "#/components/schemas/OAuthErrorEnvelope"}


async def test_openapi_documents_every_error_with_the_envelope(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"] in ENVELOPES, (path, method, status)
    oauth = spec["components"]["schemas"]["OAuthErrorEnvelope"]["properties"]
    assert oauth.keys() >= spec["components"]["schemas"]["ErrorEnvelope"]["properties"].keys()
