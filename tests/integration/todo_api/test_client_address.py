"""Who a request is attributed to, end to end: the service under the image's uvicorn command
(tools/image/serve.py), as production runs it. TRUSTED_PROXIES is the only list that lets a
peer speak for someone else, for the per-IP limits and the access log alike."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.integration.factories import PASSWORD
from tests.service_process import ServiceProcess, running_service

pytestmark = pytest.mark.slow


def log_in(client: httpx.Client, email: str, forwarded_for: str) -> int:
    data = {"username": email, "password": "not the password"}
    response = client.post("/api/v1/auth/token", data=data, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def sign_up(client: httpx.Client, slug: str, forwarded_for: str) -> int:
    body = {
        "tenant_name": slug,
        "tenant_slug": slug,
        "email": f"owner@{slug}.example.com",
        "password": PASSWORD,
    }
    response = client.post("/api/v1/auth/signup", json=body, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def access_log_ips(service: ServiceProcess, route: str) -> list[str]:
    lines = [line for line in service.log_lines() if line.get("event") == "http_request"]
    return [line["client_ip"] for line in lines if line["route"] == route]


def test_a_forged_forwarded_for_from_loopback_is_ignored_without_trusted_proxies(
    database: ProvisionedDatabase, clean_database: None, tmp_path: Path
) -> None:
    """uvicorn's own default would believe 127.0.0.1: a new forged address per request then
    escaped every per-IP limit. Here each request counts against the socket peer."""
    env = {"TRUSTED_PROXIES": "[]", "RATE_LIMIT_LOGIN_IP": "3/hour", "RATE_LIMIT_SIGNUP": "2/hour"}
    with (
        running_service(database.app_url, tmp_path, env=env) as service,
        httpx.Client(base_url=service.api_url) as client,
    ):
        logins = [log_in(client, f"u{i}@forged.example.com", f"198.51.100.{i}") for i in range(5)]
        signups = [sign_up(client, f"forged-{i}", f"203.0.113.{i}") for i in range(3)]
    assert logins == [400, 400, 400, 429, 429]  # wrong credentials: invalid_grant (RFC 6749 §5.2)
    assert signups == [202, 202, 429]
    assert set(access_log_ips(service, "/api/v1/auth/token")) == {"127.0.0.1"}
    assert set(access_log_ips(service, "/api/v1/auth/signup")) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(
    database: ProvisionedDatabase, tmp_path: Path
) -> None:
    """The proxy (here 127.0.0.1) appends the address it saw; whatever the client wrote to the
    left of it is the client's own claim and counts for nothing."""
    env = {"TRUSTED_PROXIES": '["127.0.0.1"]', "RATE_LIMIT_LOGIN_IP": "2/hour"}
    with (
        running_service(database.app_url, tmp_path, env=env) as service,
        httpx.Client(base_url=service.api_url) as client,
    ):
        same_client = [
            log_in(client, f"u{i}@proxied.example.com", f"192.0.2.{i}, 203.0.113.7") for i in range(3)
        ]
        other_client = log_in(client, "u9@proxied.example.com", "203.0.113.7, 198.51.100.8")
    assert same_client == [400, 400, 429]  # wrong credentials: invalid_grant
    assert other_client == 400
    assert access_log_ips(service, "/api/v1/auth/token") == ["203.0.113.7"] * 3 + ["198.51.100.8"]
