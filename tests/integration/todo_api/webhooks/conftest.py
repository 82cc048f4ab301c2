"""The app as webhook tests need it: names resolved by a table the test controls, and the
loopback network (where the test receivers listen) allowed as a target."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from todo_api.core.config import Settings
from todo_api.main import create_app

WEBHOOKS = "/api/v1/webhooks"


class Names:
    """A resolver for the app: ``answers[name]`` or 'does not resolve'."""

    def __init__(self) -> None:
        self.answers: dict[str, Sequence[str]] = {"hooks.example.com": ["93.184.215.14"]}

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        if host not in self.answers:
            raise OSError("Name or service not known")
        return self.answers[host]


@pytest.fixture
def names() -> Names:
    return Names()


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhook_allowed_targets": ["127.0.0.0/8"], "max_webhooks_per_user": 3}
    )


@pytest.fixture
async def client(
    webhook_settings: Settings, names: Names, clean_database: None
) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(webhook_settings)
    application.state.runtime.resolver = names
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
async def owner_connection(database: ProvisionedDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


async def as_tenant(
    connection: asyncpg.Connection, tenant_id: str, query: str, *args: object
) -> list[asyncpg.Record]:
    """``query`` as the schema owner inside ``tenant_id`` (RLS binds the owner too)."""
    async with connection.transaction():
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        return await connection.fetch(query, *args)
