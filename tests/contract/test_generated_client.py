"""The SDK (packages/client, ``todo_client``) drives the whole flow against the live service.
Its typed layer is generated from the committed spec: if the spec lies, the generated code
fails here first; and it is what the generator makes of the committed spec (drift check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools.mailed_token import mailed_token_at

from platform_common.db.provision import ProvisionedDatabase
from todo_client import TodoClient
from todo_client.generated import AuthenticatedClient, Client
from todo_client.generated.api.auth import (
    auth_logout,
    auth_password_reset,
    auth_password_reset_confirm,
    auth_refresh,
    auth_signup,
    auth_signup_verify,
    auth_switch,
    auth_token,
)
from todo_client.generated.api.tasks import tasks_delete, tasks_delta, tasks_get, tasks_stats, tasks_update
from todo_client.generated.api.tenants import (
    tenants_current_deletion_cancel,
    tenants_current_deletion_get,
    tenants_current_deletion_request,
)
from todo_client.generated.api.users import (
    tokens_create,
    tokens_delete,
    tokens_list,
    users_me_delete,
    users_me_export,
    users_me_get,
    users_me_memberships,
)
from todo_client.generated.api.webhooks import (
    webhooks_create,
    webhooks_delete,
    webhooks_deliveries,
    webhooks_get,
    webhooks_list,
    webhooks_ping,
    webhooks_redeliver,
    webhooks_rotate_secret,
    webhooks_update,
)
from todo_client.generated.models import (
    AccountDeletion,
    BodyAuthToken,
    DeliveryRead,
    ErrorEnvelope,
    ExportDocument,
    LogoutRequest,
    MembershipRead,
    OAuthErrorEnvelope,
    PageDeliveryRead,
    PageWebhookRead,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    PersonalTokenCreate,
    PersonalTokenCreated,
    PersonalTokenRead,
    RefreshRequest,
    SignupAccepted,
    SignupRequest,
    SignupVerified,
    SignupVerify,
    SwitchRequest,
    TaskCreate,
    TaskDelta,
    TaskRead,
    TaskUpdate,
    TenantDeletionRead,
    TenantDeletionRequest,
    TokenPair,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecret,
    WebhookUpdate,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def test_the_generated_code_is_what_the_generator_makes_of_the_committed_spec() -> None:
    check = subprocess.run(  # our own script
        [sys.executable, "tools/generate_client.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def _sign_up(anonymous: Client, database: ProvisionedDatabase, body: SignupRequest) -> SignupVerified:
    """Sign-up, then its verification with the token of the queued e-mail."""
    accepted = auth_signup.sync_detailed(client=anonymous, body=body)
    assert accepted.status_code == 202
    assert isinstance(accepted.parsed, SignupAccepted)
    token = mailed_token_at(database.app_url, body.email)
    verified = auth_signup_verify.sync(client=anonymous, body=SignupVerify(token=token))
    assert isinstance(verified, SignupVerified)
    assert verified.user.email == body.email
    return verified


def test_full_flow_with_the_sdk(live_api: str, contract_database: ProvisionedDatabase) -> None:
    anonymous = Client(base_url=live_api)
    email = "client@generated.example.com"
    signed_up = _sign_up(
        anonymous,
        contract_database,
        SignupRequest(tenant_name="Generated", tenant_slug="generated", email=email, password=PASSWORD),
    )
    assert signed_up.token_type == "bearer"
    refused = auth_token.sync_detailed(
        client=anonymous, body=BodyAuthToken(username=email, password="wrong!")
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, OAuthErrorEnvelope)
    assert refused.parsed.error == "invalid_grant"

    with TodoClient.login(live_api, email, PASSWORD) as sdk:
        task = sdk.create_task(TaskCreate(title="Ship it", priority="high"))
        assert isinstance(task, TaskRead)
        assert [t.id for t in sdk.iter_tasks()] == [task.id]

        full_sync = tasks_delta.sync(client=sdk.api)
        assert isinstance(full_sync, TaskDelta)
        assert ([t.id for t in full_sync.items], full_sync.has_more) == ([task.id], False)
        read = tasks_get.sync_detailed(task.id, client=sdk.api)
        first_etag = read.headers["etag"]
        assert read.headers["x-request-id"]
        completed = tasks_update.sync_detailed(
            task.id, client=sdk.api, body=TaskUpdate(completed=True), if_match=first_etag
        )
        assert completed.status_code == 200
        assert isinstance(completed.parsed, TaskRead)
        assert completed.parsed.completed_at is not None
        stale = tasks_update.sync_detailed(
            task.id, client=sdk.api, body=TaskUpdate(title="Too late"), if_match=first_etag
        )
        assert stale.status_code == 412
        assert isinstance(stale.parsed, ErrorEnvelope)
        assert stale.parsed.errors[0].code == "precondition_failed"
        deleted = tasks_delete.sync_detailed(task.id, client=sdk.api, if_match=completed.headers["etag"])
        assert deleted.status_code == 204
        assert tasks_get.sync_detailed(task.id, client=sdk.api).status_code == 404
        changes = tasks_delta.sync(client=sdk.api, cursor=full_sync.next_cursor, size=500)
        assert isinstance(changes, TaskDelta)
        assert (changes.items, changes.deleted) == ([], [task.id])
        altered = ("B" if full_sync.next_cursor[0] == "A" else "A") + full_sync.next_cursor[1:]
        forged = tasks_delta.sync_detailed(client=sdk.api, cursor=altered)
        assert forged.status_code == 400
        assert isinstance(forged.parsed, ErrorEnvelope)
        _webhook_flow(sdk.api)
        refresh_token = sdk.auth.tokens.refresh_token
        memberships = users_me_memberships.sync(client=sdk.api)
        assert isinstance(memberships, list)
        assert [(m.tenant.slug, m.current) for m in memberships if isinstance(m, MembershipRead)] == [
            ("generated", True)
        ]
        switched = auth_switch.sync(client=sdk.api, body=SwitchRequest(tenant="generated"))
        assert isinstance(switched, TokenPair)
        elsewhere = auth_switch.sync_detailed(client=sdk.api, body=SwitchRequest(tenant="nowhere"))
        assert elsewhere.status_code == 404
        assert isinstance(elsewhere.parsed, ErrorEnvelope)

    rotated = auth_refresh.sync(client=anonymous, body=RefreshRequest(refresh_token=refresh_token))
    assert isinstance(rotated, TokenPair)
    with Client(base_url=live_api, headers={"Authorization": f"Bearer {rotated.access_token}"}) as fresh:
        out = auth_logout.sync_detailed(client=fresh, body=LogoutRequest(refresh_token=rotated.refresh_token))
        assert out.status_code == 204
        after = users_me_get.sync_detailed(client=fresh)
    assert after.status_code == 401
    assert isinstance(after.parsed, ErrorEnvelope)


def _webhook_flow(authed: AuthenticatedClient) -> None:
    """Register, ping, list deliveries, redeliver, rotate, delete: every webhook operation.
    No dispatcher runs here, so the deliveries stay pending; a public address literal passes
    the egress rules without a DNS lookup."""
    created = webhooks_create.sync_detailed(
        client=authed,
        body=WebhookCreate(url="https://93.184.215.14/todo", events=["task.created", "task.deleted"]),
    )
    assert created.status_code == 201
    webhook = created.parsed
    assert isinstance(webhook, WebhookCreated)
    assert webhook.secret.startswith("whsec_")
    refused = webhooks_create.sync_detailed(
        client=authed, body=WebhookCreate(url="http://169.254.169.254/", events=["task.created"])
    )
    assert refused.status_code == 422
    assert isinstance(refused.parsed, ErrorEnvelope)

    listed = webhooks_list.sync(client=authed)
    assert isinstance(listed, PageWebhookRead)
    assert [item.id for item in listed.items] == [webhook.id]
    assert webhooks_get.sync(webhook.id, client=authed).url == "https://93.184.215.14/todo"
    updated = webhooks_update.sync(webhook.id, client=authed, body=WebhookUpdate(description="ci"))
    assert isinstance(updated, WebhookRead)
    assert updated.description == "ci"

    ping = webhooks_ping.sync_detailed(webhook.id, client=authed)
    assert ping.status_code == 202
    delivery = ping.parsed
    assert isinstance(delivery, DeliveryRead)
    assert (delivery.event_type, delivery.status) == ("webhook.ping", "pending")
    deliveries = webhooks_deliveries.sync(webhook.id, client=authed)
    assert isinstance(deliveries, PageDeliveryRead)
    assert [item.id for item in deliveries.items] == [delivery.id]
    again = webhooks_redeliver.sync(webhook.id, delivery.id, client=authed)
    assert isinstance(again, DeliveryRead)
    assert again.attempt == 2

    rotated = webhooks_rotate_secret.sync(webhook.id, client=authed)
    assert isinstance(rotated, WebhookSecret)
    assert rotated.secret != webhook.secret
    assert webhooks_delete.sync_detailed(webhook.id, client=authed).status_code == 204
    assert webhooks_get.sync_detailed(webhook.id, client=authed).status_code == 404


def test_password_reset_with_the_sdk(live_api: str, contract_database: ProvisionedDatabase) -> None:
    anonymous = Client(base_url=live_api)
    email = "reset@generated.example.com"
    _sign_up(
        anonymous,
        contract_database,
        SignupRequest(tenant_name="Reset", tenant_slug="generated-reset", email=email, password=PASSWORD),
    )
    accepted = auth_password_reset.sync_detailed(client=anonymous, body=PasswordResetRequest(email=email))
    assert accepted.status_code == 202
    assert isinstance(accepted.parsed, PasswordResetAccepted)
    token = mailed_token_at(contract_database.app_url, email)

    new_password = "a brand new password"
    confirm = PasswordResetConfirm(token=token, new_password=new_password)
    assert auth_password_reset_confirm.sync_detailed(client=anonymous, body=confirm).status_code == 204
    again = auth_password_reset_confirm.sync_detailed(client=anonymous, body=confirm)
    assert again.status_code == 400
    assert isinstance(again.parsed, ErrorEnvelope)
    assert again.parsed.errors[0].code == "invalid_reset_token"
    with TodoClient.login(live_api, email, new_password) as sdk:
        assert [t.id for t in sdk.iter_tasks()] == []


def test_tokens_export_and_deletions_with_the_sdk(
    live_api: str, contract_database: ProvisionedDatabase
) -> None:
    """A personal access token made, used within and outside its scopes, listed and revoked;
    the export; the account's deletion refused to the only owner; the tenant's deletion
    requested, then read and cancelled by the owner logged in anew naming the tenant."""
    anonymous = Client(base_url=live_api)
    email, slug = "data@generated.example.com", "generated-data"
    _sign_up(
        anonymous,
        contract_database,
        SignupRequest(tenant_name="Data", tenant_slug=slug, email=email, password=PASSWORD),
    )
    with TodoClient.login(live_api, email, PASSWORD) as sdk:
        sdk.create_task(TaskCreate(title="Export me"))
        created = tokens_create.sync_detailed(
            client=sdk.api, body=PersonalTokenCreate(name="ci", scopes=["tasks:read"])
        )
        assert created.status_code == 201
        token = created.parsed
        assert isinstance(token, PersonalTokenCreated)
        assert token.token.startswith("tdo_pat_")
        with AuthenticatedClient(base_url=live_api, token=token.token) as script:
            assert tasks_stats.sync_detailed(client=script).status_code == 200
            refused = tokens_list.sync_detailed(client=script)  # tokens are managed by sessions only
            assert refused.status_code == 403
            assert isinstance(refused.parsed, ErrorEnvelope)
            assert refused.parsed.errors[0].code == "session_required"
            listed = tokens_list.sync(client=sdk.api)
            assert isinstance(listed, list)
            assert [(t.id, t.scopes) for t in listed if isinstance(t, PersonalTokenRead)] == [
                (token.id, ["tasks:read"])
            ]
            assert tokens_delete.sync_detailed(token.id, client=sdk.api).status_code == 204
            assert tasks_stats.sync_detailed(client=script).status_code == 401

        exported = users_me_export.sync_detailed(client=sdk.api)
        assert exported.status_code == 200
        document = exported.parsed
        assert isinstance(document, ExportDocument)
        assert [t.title for t in document.tasks] == ["Export me"]
        assert document.tokens == []  # a revoked token is deleted

        only_owner = users_me_delete.sync_detailed(client=sdk.api, body=AccountDeletion(password=PASSWORD))
        assert only_owner.status_code == 409
        assert isinstance(only_owner.parsed, ErrorEnvelope)
        assert only_owner.parsed.errors[0].code == "last_owner"

        requested = tenants_current_deletion_request.sync_detailed(
            client=sdk.api, body=TenantDeletionRequest(confirm=slug, password=PASSWORD)
        )
        assert requested.status_code == 202
        assert isinstance(requested.parsed, TenantDeletionRead)
        assert users_me_get.sync_detailed(client=sdk.api).status_code == 404  # disabled at once

    owner = auth_token.sync(
        client=anonymous, body=BodyAuthToken(username=email, password=PASSWORD, tenant=slug)
    )
    assert isinstance(owner, TokenPair)
    with AuthenticatedClient(base_url=live_api, token=owner.access_token) as pending:
        assert isinstance(tenants_current_deletion_get.sync(client=pending), TenantDeletionRead)
        assert tenants_current_deletion_cancel.sync_detailed(client=pending).status_code == 200
    with TodoClient.login(live_api, email, PASSWORD) as sdk:
        assert [t.title for t in sdk.iter_tasks()] == ["Export me"]
