"""A request carrying every kind of secret, logged every way we can think of: none leaks."""

from __future__ import annotations

import pytest
import structlog
from fastapi import Request

from platform_common.db.provision import ProvisionedDatabase
from platform_common.logging import configure_logging
from tests.integration.platform_common.observability.conftest import ObservedApp

ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
PASSWORD = "correct-horse-battery-staple"
REFRESH_TOKEN = "rt_5Kq9ZpX2mW7vB4nL8dF3hJ6"
SESSION_COOKIE = "sess_Vb8Nq3Xz7Lp2Rt6Wm4Kd"
SECRETS = (ACCESS_TOKEN, PASSWORD, REFRESH_TOKEN, SESSION_COOKIE)

logger = structlog.get_logger("auth")


@pytest.mark.parametrize("json_output", [True, False], ids=["json", "console"])
async def test_no_secret_reaches_the_logs(
    capsys: pytest.CaptureFixture[str], database: ProvisionedDatabase, json_output: bool
) -> None:
    configure_logging("DEBUG", json_output=json_output)
    observed = ObservedApp(capsys, database.app_url)

    @observed.router.post("/api/v1/auth/refresh")
    async def refresh(request: Request) -> None:
        body = await request.json()
        logger.info(
            "refresh_attempt",
            headers=dict(request.headers),
            raw_headers=request.scope["headers"],
            cookies=request.cookies,
            body=body,
        )
        logger.warning(f"login for {body['email']} with password={body['password']}")  # careless f-string
        password = body["password"]  # a local variable holding the secret, for the traceback
        raise RuntimeError(f"token store refused Authorization: Bearer {ACCESS_TOKEN} ({len(password)})")

    async with observed.serve(log_format="json" if json_output else "console", log_level="DEBUG") as client:
        response = await client.post(
            "/api/v1/auth/refresh",
            headers={"Authorization": f"Bearer {ACCESS_TOKEN}", "Cookie": f"session={SESSION_COOKIE}"},
            json={"email": "ada@example.com", "password": PASSWORD, "refresh_token": REFRESH_TOKEN},
        )
    assert response.status_code == 500
    output = observed.output()
    for written in ("refresh_attempt", "password=", "token store refused", "ada@example.com"):
        assert written in output  # the lines and the traceback were logged; non-secrets stay readable
    leaked = [secret for secret in SECRETS if secret in output]
    assert leaked == [], output
