"""The webhooks API: a user's own subscriptions, secrets shown once and encrypted at rest,
targets checked at registration, pings and redeliveries scheduled with the request."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import orjson
import pytest

from platform_common.webhooks.secrets import SecretBox
from tests.integration.factories import Account, add_member, signup
from tests.integration.todo_api.webhooks.conftest import WEBHOOKS, Names, as_tenant
from todo_api.core.config import Settings

BODY = {"url": "https://hooks.example.com/todo", "events": ["task.created", "task.completed"]}


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


async def create(client: httpx.AsyncClient, account: Account, **fields: object) -> dict[str, object]:
    response = await client.post(WEBHOOKS, json={**BODY, **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_create_shows_the_secret_once_and_stores_it_encrypted(
    client: httpx.AsyncClient,
    owner: Account,
    owner_connection: asyncpg.Connection,
    webhook_settings: Settings,
) -> None:
    response = await client.post(WEBHOOKS, json={**BODY, "description": "bot"}, headers=owner.headers)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"{WEBHOOKS}/{created['id']}"
    assert created["secret"].startswith("whsec_")
    assert {key: created[key] for key in ("url", "events", "description", "enabled")} == {
        **BODY,
        "description": "bot",
        "enabled": True,
    }
    read = (await client.get(f"{WEBHOOKS}/{created['id']}", headers=owner.headers)).json()
    assert "secret" not in read
    assert read == {key: value for key, value in created.items() if key != "secret"}

    [row] = await as_tenant(owner_connection, owner.tenant_id, "SELECT secret FROM webhook_endpoint")
    assert created["secret"].encode() not in row["secret"]
    assert webhook_settings.secret_box().open(row["secret"]) == created["secret"]
    with pytest.raises(Exception, match="no configured key"):
        SecretBox("another-key-" + uuid.uuid4().hex).open(row["secret"])


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({**BODY, "events": ["task.exploded"]}, "/events/0"),
        ({**BODY, "events": []}, "/events"),
        ({**BODY, "events": ["webhook.ping"]}, "/events/0"),
        ({**BODY, "url": "ftp://hooks.example.com/"}, "/url"),
        ({**BODY, "secret": "whsec_mine"}, "/secret"),
    ],
)
async def test_invalid_bodies_are_422(
    client: httpx.AsyncClient, owner: Account, body: dict[str, object], pointer: str
) -> None:
    response = await client.post(WEBHOOKS, json=body, headers=owner.headers)
    assert response.status_code == 422
    assert pointer in [error["source"]["pointer"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local (cloud metadata) address",
        ),
        ("http://[::1]:8080/hook", "::1 is a loopback address"),
        ("https://internal.example.com/hook", "10.1.2.3 is a private address"),
        ("https://nowhere.example.com/hook", "does not resolve"),
        ("https://user:pw@hooks.example.com/hook", "may not carry credentials"),
    ],
)
async def test_targets_the_egress_rules_refuse_are_422_at_registration_and_update(
    client: httpx.AsyncClient, owner: Account, names: Names, url: str, detail: str
) -> None:
    names.answers["internal.example.com"] = ["10.1.2.3"]
    response = await client.post(WEBHOOKS, json={**BODY, "url": url}, headers=owner.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["source"]["pointer"], detail in error["detail"]) == ("/url", True)

    webhook = await create(client, owner)
    patched = await client.patch(f"{WEBHOOKS}/{webhook['id']}", json={"url": url}, headers=owner.headers)
    assert patched.status_code == 422
    assert detail in patched.json()["errors"][0]["detail"]


async def test_loopback_is_refused_unless_allowed(client: httpx.AsyncClient, owner: Account) -> None:
    """The fixture allows 127.0.0.0/8 (the receivers' network); 127.0.0.1 passes, and only it."""
    assert (
        await client.post(WEBHOOKS, json={**BODY, "url": "http://127.0.0.1:9/"}, headers=owner.headers)
    ).status_code == 201
    refused = await client.post(WEBHOOKS, json={**BODY, "url": "http://[::1]:9/"}, headers=owner.headers)
    assert refused.status_code == 422


async def test_a_user_has_at_most_max_webhooks(client: httpx.AsyncClient, owner: Account) -> None:
    for _ in range(3):
        await create(client, owner)
    response = await client.post(WEBHOOKS, json=BODY, headers=owner.headers)
    assert response.status_code == 409
    assert "maximum of 3" in response.json()["errors"][0]["detail"]
    listed = (await client.get(WEBHOOKS, headers=owner.headers)).json()
    assert listed["total"] == 3


async def test_another_users_webhook_is_404_everywhere(client: httpx.AsyncClient, owner: Account) -> None:
    webhook = await create(client, owner)
    colleague = await add_member(client, owner, "bob", role="admin")
    stranger = await signup(client, "globex")
    path = f"{WEBHOOKS}/{webhook['id']}"
    for other in (colleague, stranger):
        assert (await client.get(WEBHOOKS, headers=other.headers)).json()["total"] == 0
        for method, url in [
            ("GET", path),
            ("PATCH", path),
            ("DELETE", path),
            ("POST", f"{path}/rotate-secret"),
            ("POST", f"{path}/ping"),
            ("GET", f"{path}/deliveries"),
        ]:
            body = {"description": "mine now"} if method == "PATCH" else None
            response = await client.request(method, url, json=body, headers=other.headers)
            assert response.status_code == 404, (method, url)
    assert (await client.get(path, headers=owner.headers)).json()["description"] == ""


async def test_rotation_returns_a_new_secret_and_keeps_the_old_one_for_a_day(
    client: httpx.AsyncClient,
    owner: Account,
    owner_connection: asyncpg.Connection,
    webhook_settings: Settings,
) -> None:
    webhook = await create(client, owner)
    response = await client.post(f"{WEBHOOKS}/{webhook['id']}/rotate-secret", headers=owner.headers)
    assert response.status_code == 200
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    assert secret != webhook["secret"]
    [row] = await as_tenant(
        owner_connection,
        owner.tenant_id,
        "SELECT secret, previous_secret, previous_secret_expires_at - now() AS overlap FROM webhook_endpoint",
    )
    box = webhook_settings.secret_box()
    assert (box.open(row["secret"]), box.open(row["previous_secret"])) == (secret, webhook["secret"])
    assert 23.9 * 3600 < row["overlap"].total_seconds() <= 24 * 3600


async def test_ping_schedules_a_delivery_in_the_request(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    webhook = await create(client, owner)
    response = await client.post(f"{WEBHOOKS}/{webhook['id']}/ping", headers=owner.headers)
    assert response.status_code == 202
    delivery = response.json()
    assert (delivery["event_type"], delivery["attempt"], delivery["status"]) == ("webhook.ping", 1, "pending")
    [event] = await as_tenant(owner_connection, owner.tenant_id, "SELECT * FROM outbox_event")
    assert (event["id"], event["type"]) == (uuid.UUID(delivery["event_id"]), "webhook.ping")
    [job] = await owner_connection.fetch("SELECT entrypoint, payload FROM pgqueuer")
    assert job["entrypoint"] == "webhook.delivery"
    assert orjson.loads(job["payload"]) == {"tenant_id": owner.tenant_id, "id": delivery["id"]}

    listed = (await client.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", headers=owner.headers)).json()
    assert [item["id"] for item in listed["items"]] == [delivery["id"]]

    again = await client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{delivery['id']}/redeliver", headers=owner.headers
    )
    assert again.status_code == 202
    assert (again.json()["event_id"], again.json()["attempt"]) == (delivery["event_id"], 2)


async def test_a_disabled_webhook_is_not_pinged_until_re_enabled(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    webhook = await create(client, owner)
    await as_tenant(
        owner_connection,
        owner.tenant_id,
        "UPDATE webhook_endpoint SET enabled = false, disabled_reason = 'the receiver answered 410 Gone' "
        "RETURNING id",
    )
    path = f"{WEBHOOKS}/{webhook['id']}"
    refused = await client.post(f"{path}/ping", headers=owner.headers)
    assert refused.status_code == 409
    assert "410 Gone" in refused.json()["errors"][0]["detail"]
    assert (await client.get(path, headers=owner.headers)).json()[
        "disabled_reason"
    ] == "the receiver answered 410 Gone"
    enabled = await client.patch(path, json={"enabled": True}, headers=owner.headers)
    assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)
    assert (await client.post(f"{path}/ping", headers=owner.headers)).status_code == 202


async def test_task_changes_emit_events_owned_by_the_caller_in_the_same_unit_of_work(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    created = (await client.post("/api/v1/tasks", json={"title": "t"}, headers=owner.headers)).json()
    path = f"/api/v1/tasks/{created['id']}"
    updated = (await client.patch(path, json={"title": "u"}, headers=owner.headers)).json()
    completed = (await client.patch(path, json={"completed": True}, headers=owner.headers)).json()
    stale = await client.patch(path, json={"title": "v"}, headers={**owner.headers, "If-Match": '"1"'})
    assert stale.status_code == 412  # rolled back: no event
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    [trashed] = (await client.get("/api/v1/trash/tasks", headers=owner.headers)).json()["items"]
    assert trashed["deleted_at"] is not None

    events = await as_tenant(
        owner_connection, owner.tenant_id, "SELECT type, data, owner_id FROM outbox_event ORDER BY created_at"
    )
    assert [(event["type"], orjson.loads(event["data"])) for event in events] == [
        ("task.created", created),
        ("task.updated", updated),
        ("task.completed", completed),
        ("task.deleted", trashed),  # to the trash: the task as it is there
    ]
    assert {str(event["owner_id"]) for event in events} == {owner.user_id}
    assert (
        await owner_connection.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'outbox.event'")
        == 4
    )
