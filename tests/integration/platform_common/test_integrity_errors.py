"""A violated database constraint is a 4xx in the envelope, never a 500, wherever it is raised.

Validation keeps bad values from reaching the database, so the real app cannot be made to
violate a constraint on demand: these routes are added for the test, and each breaks a real
constraint of the real schema, as the runtime role, in a tenant's unit of work (as a route's
repository would, had validation missed something).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import nullcontext

import httpx
import pytest
from fastapi import Request

from platform_common.app import runtime_of
from platform_common.db.errors import constraints_mapped
from platform_common.errors import Conflict
from tests.integration.platform_common.test_error_envelope import assert_envelope
from todo_api.core.config import Settings
from todo_api.core.runtime import TodoRuntime
from todo_api.main import create_app

# Each breaks one constraint class; the values are markers that must never reach the client.
_TENANT = "INSERT INTO tenant (id, slug, name) VALUES ($1, 'leak-marker', 'n')"
_USER = "INSERT INTO \"user\" (tenant_id, email, hashed_password, full_name) VALUES ($1, 'leak@marker.example', 'x', '')"
VIOLATIONS = {
    # CHECK ck_tenant_slug_format (23514): the slug with a final newline of the sign-up finding.
    "check": ("INSERT INTO tenant (id, slug, name) VALUES ($1, E'leak-marker\\n', 'n')",),
    # NOT NULL (23502): a tenant without a name.
    "not_null": ("INSERT INTO tenant (id, slug, name) VALUES ($1, 'leak-marker', NULL)",),
    # FOREIGN KEY (23503): a task whose tenant, owner and list do not exist.
    "foreign_key": (
        "INSERT INTO task (tenant_id, owner_id, list_id, position, title, description)"
        " VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'a0', 'leak-marker', '')",
    ),
    # UNIQUE uq_user_email (23505): two users with one e-mail address.
    "unique": (_TENANT, _USER, _USER),
}


@pytest.fixture
async def violating_client(settings: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)

    async def violate(request: Request, kind: str, mapped: bool) -> None:
        tenant_id = uuid.uuid4()
        database = runtime_of(request, TodoRuntime).database
        async with database.transaction(tenant_id) as transaction:
            named = {"uq_user_email": lambda: Conflict("Mapped by name")}
            with constraints_mapped(named) if mapped else nullcontext():
                for statement in VIOLATIONS[kind]:
                    await transaction.connection.execute(statement, tenant_id)

    @app.post("/violate/{kind}", status_code=204)
    async def violate_unmapped(request: Request, kind: str) -> None:
        await violate(request, kind, mapped=False)

    @app.post("/violate/{kind}/mapped", status_code=204)
    async def violate_mapped(request: Request, kind: str) -> None:
        await violate(request, kind, mapped=True)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("check", 422, "validation_error"),
        ("not_null", 422, "validation_error"),
        ("foreign_key", 409, "conflict"),
        ("unique", 409, "conflict"),
    ],
)
@pytest.mark.parametrize("mapped", [False, True], ids=["raised-anywhere", "inside-constraints_mapped"])
async def test_a_violated_constraint_is_a_4xx_in_the_envelope(
    violating_client: httpx.AsyncClient, kind: str, status: int, code: str, mapped: bool
) -> None:
    response = await violating_client.post(f"/violate/{kind}" + ("/mapped" if mapped else ""))
    errors = assert_envelope(response, status, code)
    for leak in ("leak", "marker", "tenant", "task", "slug", "user", "INSERT", "violates"):
        assert leak not in str(errors)


async def test_a_constraint_the_service_names_gets_its_own_error(violating_client: httpx.AsyncClient) -> None:
    response = await violating_client.post("/violate/unique/mapped")
    [error] = assert_envelope(response, 409, "conflict")
    assert error["detail"] == "Mapped by name"
