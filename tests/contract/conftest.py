"""A live todo-api (uvicorn subprocess) on a fresh database, and a signed-up user's token."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tools.mailed_token import verified_signup

from platform_common.db.provision import ProvisionedDatabase
from tests.database import empty_tables, provisioned_database
from tests.service_process import running_service


@pytest.fixture(scope="session")
async def contract_database(postgres_admin_url: str) -> AsyncIterator[ProvisionedDatabase]:
    async with provisioned_database(postgres_admin_url) as provisioned:
        yield provisioned


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
def fresh_bearer(live_api: str, contract_database: ProvisionedDatabase) -> Callable[[], dict[str, str]]:
    """Headers with a new access token per call. The fuzzer legitimately ends its own access:
    logout revokes the token it carries, and as owner it may promote a member and then demote
    or deactivate itself. So each call logs in afresh, and signs up a new owner when the
    current one can no longer log in. Passwords are random, not the spec's example."""
    account: dict[str, str] = {}

    def sign_up() -> None:
        suffix = secrets.token_hex(4)
        account.update(email=f"fuzz-{suffix}@contract.example.com", password=secrets.token_urlsafe(24))
        body = {"tenant_name": "Contract", "tenant_slug": f"contract-{suffix}", **account}
        verified_signup(live_api, contract_database.app_url, body)

    def login() -> httpx.Response:
        form = {"username": account["email"], "password": account["password"]}
        return httpx.post(f"{live_api}/api/v1/auth/token", data=form)

    def headers() -> dict[str, str]:
        tokens = login()
        if tokens.status_code == 400:  # invalid_grant: the account is gone or inactive
            sign_up()
            tokens = login()
        assert tokens.status_code == 200, tokens.text
        return {"Authorization": f"Bearer {tokens.json()['access_token']}"}

    sign_up()
    return headers


@pytest.fixture(scope="session")
def tables_emptier(contract_database: ProvisionedDatabase) -> Callable[[], None]:
    """Empty every table of the live service's database (as the owner), so a stateful scenario
    starts from the same state each time it is run: Hypothesis replays scenarios, and a
    replay that meets leftovers of the first run (a tenant slug already taken, say) goes
    another way, which it reports as flaky data generation."""

    return lambda: asyncio.run(empty_tables(contract_database.owner_url))
