"""A live todo-api (uvicorn subprocess) on a fresh database, and a signed-up user's token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.database import drop, fresh_database
from tests.service_process import running_service
from todo_api.db.provision import ProvisionedDatabase

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
async def contract_database(postgres_admin_url: str) -> AsyncIterator[ProvisionedDatabase]:
    provisioned = await fresh_database(postgres_admin_url)
    yield provisioned
    await drop(postgres_admin_url, provisioned)


@pytest.fixture(scope="session")
def live_api(
    contract_database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Rate limits off: the fuzzer sends thousands of requests from one address and one account,
    and 429 would hide every other answer (429 itself is documented and tested elsewhere)."""
    workdir: Path = tmp_path_factory.mktemp("contract-service")
    with running_service(contract_database.app_url, workdir, env={"RATE_LIMIT_ENABLED": "false"}) as service:
        yield service.api_url


@pytest.fixture(scope="session")
def bearer(live_api: str) -> dict[str, str]:
    email = "fuzz-owner@contract.example.com"
    body = {"tenant_name": "Contract", "tenant_slug": "contract", "email": email, "password": PASSWORD}
    assert httpx.post(f"{live_api}/api/v1/auth/signup", json=body).status_code == 201
    token = httpx.post(f"{live_api}/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
