"""Tenant deletion (expand: two nullable columns, an index, a function, policies bound to the
owner; the login lookup returns two columns more; nothing the previous release reads changes).

- ``tenant.deletion_requested_at`` / ``tenant.purge_after``: set when the owner asks for the
  tenant's deletion (the tenant is disabled at once), cleared by a cancellation; the purge
  removes the tenant once ``purge_after`` has passed.
- ``purge_deleted_tenants(p_batch, p_table, p_due_before)``: deletes at most ``p_batch`` rows
  of ``p_table`` that belong to a tenant due for purge (``purge_after <= LEAST(p_due_before,
  now())``), and says how many. ``python -m todo_api.purge`` calls it table by table, children
  first, each call one short transaction, the table list derived from the models' tenant
  tables (``platform_common.db.tables.tenant_tables``), then the queue's jobs of those
  tenants (``pgqueuer``, by the payload's ``tenant_id``), and last ``tenant`` itself. Tasks
  go leaves first (a subtask never by its parent's cascade, so a batch stays a batch). For
  ``user`` it first deletes the *people* whose every membership is in a due tenant (their
  membership goes with them), then the remaining memberships: a person with a membership
  elsewhere keeps their account. Due tenants are locked ``FOR SHARE SKIP LOCKED``: a
  cancellation in progress is never purged under. The function is the one cross-tenant
  write it grants: it can only remove rows of tenants whose owner asked for their deletion
  and whose grace period is over; a table it has no policy on is refused.
- The owner's policy for it on every tenant table (those with the ``tenant_isolation``
  policy now) and on ``person``. A tenant table added later gets one in its own migration
  (``rls.let_purge_write("purge_deleted_tenants", table)``); a test checks every tenant
  table of the models has it.
- ``auth_login_person`` also returns each membership's ``role`` and its tenant's
  ``purge_after``: a login never picks a tenant pending deletion by itself, and into one only
  its owner may log in (to cancel). The previous release reads its columns by name.

Revision ID: d7a3b5c9e2f1
Revises: b81d4f2a6c93
Create Date: 2026-12-01 09:20:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "d7a3b5c9e2f1"
down_revision: str | Sequence[str] | None = "b81d4f2a6c93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURGE = "purge_deleted_tenants"
POLICY = f"definer_{PURGE}"
SETTING = f"app.definer_{PURGE}"

# The function's own SQL (identifiers of the dynamic branch are quoted by format's %I, and
# the table must carry this function's policy: a table the migrations did not hand it is refused).
PURGE_FUNCTION = f"""
CREATE FUNCTION {PURGE}(p_batch integer, p_table text, p_due_before timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    due uuid[];
    deleted integer := 0;
    more integer := 0;
BEGIN
    -- person: only through the 'user' step (a person with no other membership).
    IF p_table = 'person' OR p_table <> 'pgqueuer' AND NOT EXISTS (
        SELECT 1 FROM pg_policies AS p
        WHERE p.schemaname = 'public' AND p.tablename = p_table AND p.policyname = '{POLICY}'
    ) THEN
        RAISE EXCEPTION '{PURGE}: % is not a table it purges', p_table;
    END IF;
    PERFORM set_config('{SETTING}', 'on', true);
    due := ARRAY(
        SELECT t.id FROM tenant AS t
        WHERE t.purge_after <= LEAST(p_due_before, now())
        ORDER BY t.id
        FOR SHARE SKIP LOCKED
    );
    IF cardinality(due) > 0 THEN
        IF p_table = 'tenant' THEN
            DELETE FROM tenant WHERE id = ANY (due[1:p_batch]);
            GET DIAGNOSTICS deleted = ROW_COUNT;
        ELSIF p_table = 'pgqueuer' THEN
            DELETE FROM pgqueuer WHERE id = ANY (ARRAY(
                SELECT j.id FROM pgqueuer AS j
                WHERE j.payload IS NOT NULL
                  AND convert_from(j.payload, 'UTF8')::jsonb ->> 'tenant_id' = ANY (due::text[])
                LIMIT p_batch
            ));
            GET DIAGNOSTICS deleted = ROW_COUNT;
        ELSIF p_table = 'task' THEN
            -- Leaves first, level after level, so no subtask goes by its parent's cascade
            -- (a parent may have any number): at most p_batch rows in all.
            LOOP
                DELETE FROM task WHERE ctid = ANY (ARRAY(
                    SELECT t.ctid FROM task AS t
                    WHERE t.tenant_id = ANY (due)
                      AND NOT EXISTS (
                          SELECT 1 FROM task AS c WHERE c.tenant_id = t.tenant_id AND c.parent_id = t.id
                      )
                    LIMIT p_batch - deleted
                ));
                GET DIAGNOSTICS more = ROW_COUNT;
                deleted := deleted + more;
                EXIT WHEN more = 0 OR deleted >= p_batch;
            END LOOP;
        ELSIF p_table = 'user' THEN
            DELETE FROM person WHERE id = ANY (ARRAY(
                SELECT DISTINCT u.person_id FROM "user" AS u
                WHERE u.tenant_id = ANY (due)
                  AND NOT EXISTS (
                      SELECT 1 FROM "user" AS o
                      WHERE o.person_id = u.person_id AND o.tenant_id <> ALL (due)
                  )
                LIMIT p_batch
            ));
            GET DIAGNOSTICS deleted = ROW_COUNT;
            IF deleted < p_batch THEN
                DELETE FROM "user" WHERE ctid = ANY (ARRAY(
                    SELECT u.ctid FROM "user" AS u WHERE u.tenant_id = ANY (due) LIMIT p_batch - deleted
                ));
                GET DIAGNOSTICS more = ROW_COUNT;
                deleted := deleted + more;
            END IF;
        ELSE
            EXECUTE format(
                'DELETE FROM %I WHERE ctid = ANY (ARRAY('
                'SELECT t.ctid FROM %I AS t WHERE t.tenant_id = ANY ($1) LIMIT $2))',
                p_table, p_table
            ) USING due, p_batch;
            GET DIAGNOSTICS deleted = ROW_COUNT;
        END IF;
    END IF;
    PERFORM set_config('{SETTING}', '', true);
    RETURN deleted;
END
$$
"""  # noqa: S608  # the migration's own constants; the one dynamic name goes through %I

LOGIN_PERSON_ARGUMENTS = "p_email text"
LOGIN_PERSON_TABLES = ("person", "user", "tenant")
OLD_LOGIN_PERSON = (
    "TABLE (person_id uuid, hashed_password text, user_id uuid, tenant_id uuid, tenant_slug text, "
    "is_active boolean)",
    """RETURN QUERY
        SELECT p.id, p.hashed_password::text, u.id, u.tenant_id, t.slug::text, u.is_active
        FROM person AS p
        LEFT JOIN "user" AS u ON u.person_id = p.id
        LEFT JOIN tenant AS t ON t.id = u.tenant_id
        WHERE p.email = p_email
        ORDER BY u.last_used_at DESC NULLS LAST, u.created_at DESC;""",
)
NEW_LOGIN_PERSON = (
    "TABLE (person_id uuid, hashed_password text, user_id uuid, tenant_id uuid, tenant_slug text, "
    "is_active boolean, role text, tenant_purge_after timestamptz)",
    """RETURN QUERY
        SELECT p.id, p.hashed_password::text, u.id, u.tenant_id, t.slug::text, u.is_active,
               u.role::text, t.purge_after
        FROM person AS p
        LEFT JOIN "user" AS u ON u.person_id = p.id
        LEFT JOIN tenant AS t ON t.id = u.tenant_id
        WHERE p.email = p_email
        ORDER BY u.last_used_at DESC NULLS LAST, u.created_at DESC;""",
)


def _tables_with_policy(policy: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = :policy "
            "ORDER BY tablename"
        ),
        {"policy": policy},
    )
    return [row[0] for row in rows]


def _login_person(definition: tuple[str, str]) -> None:
    returns, body = definition
    rls.drop_definer_function(
        "auth_login_person", arguments=LOGIN_PERSON_ARGUMENTS, tables=LOGIN_PERSON_TABLES
    )
    rls.create_definer_function(
        "auth_login_person",
        arguments=LOGIN_PERSON_ARGUMENTS,
        returns=returns,
        body=body,
        reads=LOGIN_PERSON_TABLES,
    )


def upgrade() -> None:
    op.add_column("tenant", sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tenant", sa.Column("purge_after", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tenant_purge_after", "tenant", ["purge_after"], unique=False)
    for table in (*_tables_with_policy(rls.ISOLATION_POLICY), "person"):
        rls.let_purge_write(PURGE, table)
    op.execute(PURGE_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {PURGE}(integer, text, timestamptz) FROM PUBLIC")
    _login_person(NEW_LOGIN_PERSON)


def downgrade() -> None:
    _login_person(OLD_LOGIN_PERSON)
    op.execute(f"DROP FUNCTION {PURGE}(integer, text, timestamptz)")
    for table in _tables_with_policy(POLICY):
        rls.drop_purge_write(PURGE, table)
    op.drop_index("ix_tenant_purge_after", table_name="tenant")
    op.drop_column("tenant", "purge_after")
    op.drop_column("tenant", "deletion_requested_at")
