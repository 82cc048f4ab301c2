"""The start-up posture check: only a role that row-level security binds may serve production."""

from __future__ import annotations

import secrets
import uuid

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from platform_common.db.posture import posture_problems
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import append_only_tables, tenant_tables
from platform_common.settings import Environment
from tests.database import connected
from tests.integration.apps import settings_for
from todo_api.core.config import Settings
from todo_api.main import create_app
from todo_api.models import metadata

TENANT_TABLES = tenant_tables(metadata)
APPEND_ONLY = append_only_tables(metadata)


def on_test_database(url: str, database: ProvisionedDatabase) -> str:
    """``url``'s login, connected to the provisioned test database."""
    name = make_url(database.owner_url).database
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def problems_as(url: str) -> list[str]:
    async with connected(url) as connection:
        return await posture_problems(connection, TENANT_TABLES, APPEND_ONLY)


async def test_the_runtime_role_is_safe(database: ProvisionedDatabase) -> None:
    assert await problems_as(database.app_url) == []


async def test_the_owner_role_owns_every_table_and_passes_the_definer_policies(
    database: ProvisionedDatabase,
) -> None:
    problems = await problems_as(database.owner_url)
    owned = "the database role owns table "
    assert {problem.removeprefix(owned) for problem in problems if problem.startswith(owned)} >= {
        *TENANT_TABLES,
        "alembic_version",
    }
    # The pre-tenant lookups' and the purges' policies bind the owner, who runs the SECURITY
    # DEFINER functions (the runtime role passes: test_the_runtime_role_is_safe); and the owner
    # may rewrite the audit trail, which only its purge function does (and the account
    # deletion's, which strips a deleted member's request addresses, in the tenant only).
    # The tenant deletion's purge has one on every tenant table (migration d7a3b5c9e2f1).
    deleted_tenants = [("purge_deleted_tenants", table) for table in TENANT_TABLES]
    assert sorted(problem for problem in problems if not problem.startswith(owned)) == [
        f"policy definer_{function} on table {table} admits the database role"
        for function, table in sorted(
            [
                *deleted_tenants,
                ("account_forget_member", "user"),
                ("auth_invitation_token", "invitation"),
                ("auth_login_account", "user"),
                ("auth_login_person", "tenant"),
                ("auth_login_person", "user"),
                ("auth_member_memberships", "tenant"),
                ("auth_member_memberships", "user"),
                ("auth_member_person", "user"),
                ("auth_password_reset_token", "password_reset_token"),
                ("auth_pending_signup", "pending_signup"),
                ("auth_refresh_token_tenant", "refresh_token"),
                ("auth_revoke_person_tokens", "personal_access_token"),
                ("auth_revoke_person_tokens", "user"),
                ("auth_set_member_password", "auth_session"),
                ("auth_set_member_password", "password_reset_token"),
                ("auth_set_member_password", "refresh_token"),
                ("auth_set_member_password", "user"),
                ("person_password_to_users", "user"),
                ("purge_audit_events", "audit_event"),
                ("purge_expired_idempotency_keys", "idempotency_key"),
                ("purge_expired_invitations", "invitation"),
                ("purge_expired_password_reset_tokens", "password_reset_token"),
                ("purge_expired_pending_signups", "pending_signup"),
                ("purge_expired_refresh_tokens", "refresh_token"),
                ("purge_expired_revoked_access_tokens", "revoked_access_token"),
                ("purge_expired_sessions", "auth_session"),
                ("purge_expired_tombstones", "sync_state"),
                ("purge_expired_tombstones", "task_tombstone"),
                ("purge_finished_events", "outbox_event"),
                ("purge_finished_events", "webhook_delivery"),
                ("purge_mail_messages", "mail_message"),
                ("purge_trashed_tasks", "sync_state"),
                ("purge_trashed_tasks", "task"),
                ("purge_trashed_tasks", "task_tombstone"),
            ]
        )
    ] + ["the database role may update or delete rows of append-only table audit_event"]


@pytest.mark.parametrize("privilege", ["UPDATE", "DELETE", "TRUNCATE"])
async def test_a_runtime_role_that_may_rewrite_the_audit_trail_is_unsafe(
    database: ProvisionedDatabase, privilege: str
) -> None:
    """What a later migration's careless grant would do: reported, so production refuses it."""
    assert APPEND_ONLY == ["audit_event"]
    async with connected(database.owner_url) as owner:
        await owner.execute(f'GRANT {privilege} ON audit_event TO "{database.app_role}"')
        try:
            assert await problems_as(database.app_url) == [
                "the database role may update or delete rows of append-only table audit_event"
            ]
        finally:
            await owner.execute(f'REVOKE {privilege} ON audit_event FROM "{database.app_role}"')
    assert await problems_as(database.app_url) == []


async def test_a_superuser_is_unsafe(database: ProvisionedDatabase, postgres_admin_url: str) -> None:
    assert "the database role is a superuser" in await problems_as(
        on_test_database(postgres_admin_url, database)
    )


async def test_a_role_with_bypassrls_is_unsafe(
    database: ProvisionedDatabase, postgres_admin_url: str
) -> None:
    role = f"todo_test_bypass_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(make_url(postgres_admin_url).render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER BYPASSRLS')
        url = make_url(on_test_database(database.app_url, database)).set(username=role)
        assert await problems_as(url.render_as_string(hide_password=False)) == [
            "the database role has BYPASSRLS"
        ]
    finally:
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_tables_without_forced_security_or_missing_are_reported(database: ProvisionedDatabase) -> None:
    async with connected(database.app_url) as connection:
        problems = await posture_problems(
            connection, {"alembic_version": "version_num", "no_such_table": "x"}
        )
    assert problems == [
        "table alembic_version lacks forced row-level security",
        "table no_such_table is missing",
        "table alembic_version lacks the tenant_isolation policy on version_num",
        "table no_such_table lacks the tenant_isolation policy on x",
    ]


def production(database_url: str) -> Settings:
    return settings_for(
        database_url,
        environment=Environment.PRODUCTION,
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        data_encryption_key=SecretStr(secrets.token_urlsafe(32)),
        trusted_hosts=["api.example.com"],
        public_base_url="https://todo.example.com",
        log_format="console",  # leave the process-wide logging setup as the other tests expect it
    )


@pytest.mark.parametrize("login", ["owner", "superuser"])
async def test_production_refuses_to_start_with_an_unsafe_role(
    database: ProvisionedDatabase, postgres_admin_url: str, login: str
) -> None:
    url = {"owner": database.owner_url, "superuser": on_test_database(postgres_admin_url, database)}[login]
    app = create_app(production(url))
    with pytest.raises(RuntimeError, match="unsafe database posture"):
        async with app.router.lifespan_context(app):
            pytest.fail("the app started")


async def test_production_starts_with_the_runtime_role(database: ProvisionedDatabase) -> None:
    app = create_app(production(database.app_url))
    async with app.router.lifespan_context(app):
        pass
