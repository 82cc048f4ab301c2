"""A Python client generated from the committed spec drives a full flow against the live
service. No hand-written HTTP: if the spec lies, the generated code fails here first."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
PACKAGE = "todo_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    target = tmp_path_factory.mktemp("client")
    config = target / "client-config.yaml"
    # Literal types for enums: IANA zone names such as Etc/GMT+0 and Etc/GMT-0 would collide
    # as enum member names.
    config.write_text("literal_enums: true\n")
    bin_dir = str(Path(sys.executable).parent)  # its post-generation hook runs ruff from here
    subprocess.run(  # noqa: S603  # a fixed command on our own spec
        [
            str(Path(bin_dir) / "openapi-python-client"),
            "generate",
            "--path",
            str(ROOT / "openapi.json"),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(target / PACKAGE),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    sys.path.insert(0, str(target))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def test_full_flow_with_the_generated_client(generated: ModuleType, live_api: str) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    auth, tasks = _api("auth"), _api("tasks")
    auth_signup, auth_token, auth_refresh, auth_logout = (
        importlib.import_module(f"{auth.__name__}.{op}")
        for op in ("auth_signup", "auth_token", "auth_refresh", "auth_logout")
    )
    tasks_create, tasks_list, tasks_update, tasks_delete, tasks_get = (
        importlib.import_module(f"{tasks.__name__}.{op}")
        for op in ("tasks_create", "tasks_list", "tasks_update", "tasks_delete", "tasks_get")
    )
    users_me_get = importlib.import_module(f"{PACKAGE}.api.users.users_me_get")
    anonymous = generated.Client(base_url=live_api)
    email = "client@generated.example.com"

    signed_up = auth_signup.sync(
        client=anonymous,
        body=models.SignupRequest(
            tenant_name="Generated", tenant_slug="generated", email=email, password=PASSWORD
        ),
    )
    assert isinstance(signed_up, models.SignupResponse)
    pair = auth_token.sync(client=anonymous, body=models.BodyAuthToken(username=email, password=PASSWORD))
    assert isinstance(pair, models.TokenPair)
    authed = generated.AuthenticatedClient(base_url=live_api, token=pair.access_token)

    created = tasks_create.sync_detailed(
        client=authed, body=models.TaskCreate(title="Ship it", priority="high")
    )
    assert created.status_code == 201
    task = created.parsed
    assert isinstance(task, models.TaskRead)
    first_etag = created.headers["etag"]

    page = tasks_list.sync(client=authed)
    assert isinstance(page, models.PageTaskRead)
    assert [t.id for t in page.items] == [task.id]

    completed = tasks_update.sync_detailed(
        task.id, client=authed, body=models.TaskUpdate(completed=True), if_match=first_etag
    )
    assert completed.status_code == 200
    assert isinstance(completed.parsed, models.TaskRead)
    assert completed.parsed.completed_at is not None
    stale = tasks_update.sync_detailed(
        task.id, client=authed, body=models.TaskUpdate(title="Too late"), if_match=first_etag
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.ErrorEnvelope)
    assert stale.parsed.errors[0].code == "precondition_failed"

    deleted = tasks_delete.sync_detailed(task.id, client=authed, if_match=completed.headers["etag"])
    assert deleted.status_code == 204
    assert tasks_get.sync_detailed(task.id, client=authed).status_code == 404

    _webhook_flow(models, authed)

    rotated = auth_refresh.sync(
        client=anonymous, body=models.RefreshRequest(refresh_token=pair.refresh_token)
    )
    assert isinstance(rotated, models.TokenPair)
    fresh = generated.AuthenticatedClient(base_url=live_api, token=rotated.access_token)
    out = auth_logout.sync_detailed(
        client=fresh, body=models.LogoutRequest(refresh_token=rotated.refresh_token)
    )
    assert out.status_code == 204
    after = users_me_get.sync_detailed(client=fresh)
    assert after.status_code == 401
    assert isinstance(after.parsed, models.ErrorEnvelope)


def _webhook_flow(models: ModuleType, authed: object) -> None:
    """Register, ping, list deliveries, redeliver, rotate, delete: every webhook operation.
    No dispatcher runs here, so the deliveries stay pending; a public address literal passes
    the egress rules without a DNS lookup."""
    ops = {
        op: importlib.import_module(f"{PACKAGE}.api.webhooks.{op}")
        for op in (
            "webhooks_create",
            "webhooks_list",
            "webhooks_get",
            "webhooks_update",
            "webhooks_ping",
            "webhooks_deliveries",
            "webhooks_redeliver",
            "webhooks_rotate_secret",
            "webhooks_delete",
        )
    }
    created = ops["webhooks_create"].sync_detailed(
        client=authed,
        body=models.WebhookCreate(url="https://93.184.215.14/todo", events=["task.created", "task.deleted"]),
    )
    assert created.status_code == 201
    webhook = created.parsed
    assert isinstance(webhook, models.WebhookCreated)
    assert webhook.secret.startswith("whsec_")
    refused = ops["webhooks_create"].sync_detailed(
        client=authed, body=models.WebhookCreate(url="http://169.254.169.254/", events=["task.created"])
    )
    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.ErrorEnvelope)

    listed = ops["webhooks_list"].sync(client=authed)
    assert isinstance(listed, models.PageWebhookRead)
    assert [item.id for item in listed.items] == [webhook.id]
    assert ops["webhooks_get"].sync(webhook.id, client=authed).url == "https://93.184.215.14/todo"
    updated = ops["webhooks_update"].sync(
        webhook.id, client=authed, body=models.WebhookUpdate(description="ci")
    )
    assert isinstance(updated, models.WebhookRead)
    assert updated.description == "ci"

    ping = ops["webhooks_ping"].sync_detailed(webhook.id, client=authed)
    assert ping.status_code == 202
    delivery = ping.parsed
    assert isinstance(delivery, models.DeliveryRead)
    assert (delivery.event_type, delivery.status) == ("webhook.ping", "pending")
    deliveries = ops["webhooks_deliveries"].sync(webhook.id, client=authed)
    assert isinstance(deliveries, models.PageDeliveryRead)
    assert [item.id for item in deliveries.items] == [delivery.id]
    again = ops["webhooks_redeliver"].sync(webhook.id, delivery.id, client=authed)
    assert isinstance(again, models.DeliveryRead)
    assert again.attempt == 2

    rotated = ops["webhooks_rotate_secret"].sync(webhook.id, client=authed)
    assert isinstance(rotated, models.WebhookSecret)
    assert rotated.secret != webhook.secret
    assert ops["webhooks_delete"].sync_detailed(webhook.id, client=authed).status_code == 204
    assert ops["webhooks_get"].sync_detailed(webhook.id, client=authed).status_code == 404
