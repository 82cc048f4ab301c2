"""People and memberships (expand): one person (address and password) in many tenants.

- ``person``: one row per address, filled from today's users (an address is unique across
  the platform today, so each user becomes one person). Global, under forced row-level
  security with no policy for the runtime role.
- ``user`` becomes the membership: ``person_id`` (NOT NULL, one membership per person and
  tenant) and ``last_used_at`` (the tenant a login without one picks).
- The address registry ``user_email`` is now kept by ``person``'s trigger: a person's second
  membership repeats its address, a second person may not.
- The narrow functions the service reads and writes people through: ``auth_login_person``
  (by address, before any tenant), ``auth_member_person`` and ``auth_member_memberships``
  (by a membership of the caller's own tenant), ``auth_set_member_password`` (the person's
  password, and the sessions of their other memberships ended) and ``auth_create_person``.

For the previous release (which writes ``user.email`` and ``user.hashed_password`` and logs
in through ``auth_login_account``), until the contract migration ``8c5e1a7f3d20``:
``user.hashed_password`` stays, unmapped, and triggers keep it and the person's in step both
ways; a membership inserted without a person (the previous release's sign-up and
``POST /users``) creates its person from the row, so a taken address still fails with
``uq_user_email``, and one inserted without a hash (this release's) takes its person's.
``auth_login_account`` stays for the previous release's login.

Revision ID: 3f6b2d8e1c47
Revises: 5a7c3e9d1b42
Create Date: 2026-11-30 16:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "3f6b2d8e1c47"
down_revision: str | Sequence[str] | None = "5a7c3e9d1b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The narrow functions: name, arguments, return type, body, tables read, tables written.
LOGIN_PERSON = (
    "auth_login_person",
    "p_email text",
    "TABLE (person_id uuid, hashed_password text, user_id uuid, tenant_id uuid, tenant_slug text, "
    "is_active boolean)",
    """RETURN QUERY
        SELECT p.id, p.hashed_password::text, u.id, u.tenant_id, t.slug::text, u.is_active
        FROM person AS p
        LEFT JOIN "user" AS u ON u.person_id = p.id
        LEFT JOIN tenant AS t ON t.id = u.tenant_id
        WHERE p.email = p_email
        ORDER BY u.last_used_at DESC NULLS LAST, u.created_at DESC;""",
    ("person", "user", "tenant"),
    (),
)
MEMBER_PERSON = (
    "auth_member_person",
    "p_user_id uuid",
    "TABLE (person_id uuid, hashed_password text)",
    """RETURN QUERY
        SELECT p.id, p.hashed_password::text
        FROM "user" AS u JOIN person AS p ON p.id = u.person_id
        WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant();""",
    ("person", "user"),
    (),
)
MEMBER_MEMBERSHIPS = (
    "auth_member_memberships",
    "p_user_id uuid",
    "TABLE (user_id uuid, tenant_id uuid, tenant_slug text, tenant_name text, role text, "
    "is_active boolean, full_name text, last_used_at timestamptz, created_at timestamptz)",
    """RETURN QUERY
        SELECT m.id, m.tenant_id, t.slug::text, t.name::text, m.role::text, m.is_active,
               m.full_name::text, m.last_used_at, m.created_at
        FROM "user" AS me
        JOIN "user" AS m ON m.person_id = me.person_id
        JOIN tenant AS t ON t.id = m.tenant_id
        WHERE me.id = p_user_id AND me.tenant_id = app_current_tenant()
        ORDER BY m.last_used_at DESC NULLS LAST, m.created_at DESC, m.id;""",
    ("user", "tenant"),
    (),
)
# The caller's own tenant's rows are the service's to change (under its own checks); the
# person's other memberships lose every session, refresh token and reset link here.
SET_MEMBER_PASSWORD = (
    "auth_set_member_password",
    "p_user_id uuid, p_hashed_password text, p_end_other_sessions boolean",
    "void",
    """UPDATE person SET hashed_password = p_hashed_password, updated_at = now()
        WHERE id = (SELECT u.person_id FROM "user" AS u
                    WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant());
        IF p_end_other_sessions THEN
            WITH other AS (
                SELECT m.id FROM "user" AS me JOIN "user" AS m ON m.person_id = me.person_id
                WHERE me.id = p_user_id AND me.tenant_id = app_current_tenant()
                  AND m.tenant_id <> me.tenant_id
            ), versions AS (
                UPDATE "user" SET token_version = token_version + 1, password_change_failures = 0
                WHERE id IN (SELECT id FROM other)
            ), sessions AS (
                UPDATE auth_session SET revoked_at = now()
                WHERE user_id IN (SELECT id FROM other) AND revoked_at IS NULL
            ), refresh_tokens AS (
                UPDATE refresh_token SET revoked_at = now()
                WHERE user_id IN (SELECT id FROM other) AND revoked_at IS NULL
            )
            UPDATE password_reset_token SET used_at = now()
            WHERE user_id IN (SELECT id FROM other) AND used_at IS NULL;
        END IF;""",
    (),
    ("person", "user", "auth_session", "refresh_token", "password_reset_token"),
)
# A new person (sign-up, an accepted invitation); a taken address fails with uq_user_email.
CREATE_PERSON = (
    "auth_create_person",
    "p_email text, p_hashed_password text",
    "TABLE (person_id uuid)",
    """RETURN QUERY
        INSERT INTO person (email, hashed_password) VALUES (p_email, p_hashed_password) RETURNING id;""",
    (),
    ("person",),
)
FUNCTIONS = (LOGIN_PERSON, MEMBER_PERSON, MEMBER_MEMBERSHIPS, SET_MEMBER_PASSWORD, CREATE_PERSON)

# Transitional, for the previous release (dropped by the contract migration).
LINK_PERSON = (
    "user_link_person",
    "",
    "trigger",
    """IF NEW.person_id IS NULL THEN
            INSERT INTO person (email, hashed_password) VALUES (NEW.email, NEW.hashed_password)
            RETURNING id INTO NEW.person_id;
        ELSIF NEW.hashed_password IS NULL THEN
            SELECT p.hashed_password INTO NEW.hashed_password FROM person AS p WHERE p.id = NEW.person_id;
        END IF;""",
    (),
    ("person",),
)
PASSWORD_TO_PERSON = (
    "user_password_to_person",
    "",
    "trigger",
    """UPDATE person SET hashed_password = NEW.hashed_password, updated_at = now()
        WHERE id = NEW.person_id AND hashed_password IS DISTINCT FROM NEW.hashed_password;""",
    (),
    ("person",),
)
PASSWORD_TO_MEMBERSHIPS = (
    "person_password_to_users",
    "",
    "trigger",
    """UPDATE "user" SET hashed_password = NEW.hashed_password
        WHERE person_id = NEW.id AND hashed_password IS DISTINCT FROM NEW.hashed_password;""",
    (),
    ("user",),
)
TRIGGERS = (
    (LINK_PERSON, "NEW", 'BEFORE INSERT ON "user"'),
    (PASSWORD_TO_PERSON, "NULL", 'AFTER UPDATE OF hashed_password ON "user"'),
    (PASSWORD_TO_MEMBERSHIPS, "NULL", "AFTER UPDATE OF hashed_password ON person"),
)


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_person_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    op.add_column("user", sa.Column("person_id", sa.Uuid(), nullable=True))
    op.add_column("user", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    # Every tenant's users become people: FORCE is lifted for this transaction only.
    op.execute('ALTER TABLE "user" NO FORCE ROW LEVEL SECURITY')
    op.execute(
        "INSERT INTO person (email, hashed_password, created_at, updated_at) "
        'SELECT email, hashed_password, created_at, updated_at FROM "user"'
    )
    op.execute('UPDATE "user" AS u SET person_id = p.id FROM person AS p WHERE p.email = u.email')
    op.execute('ALTER TABLE "user" FORCE ROW LEVEL SECURITY')
    op.alter_column("user", "person_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_user_person_id_person"), "user", "person", ["person_id"], ["id"], ondelete="CASCADE"
    )
    op.create_unique_constraint(op.f("uq_user_person_id_tenant_id"), "user", ["person_id", "tenant_id"])
    op.execute("ALTER TABLE person ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE person FORCE ROW LEVEL SECURITY")
    rls.stop_keeping_globally_unique("user_email", source="user", keep_policy=True)
    rls.keep_globally_unique("user_email", source="person", column="email", copy_existing=False)
    for name, arguments, returns, body, reads, writes in FUNCTIONS:
        rls.create_definer_function(
            name, arguments=arguments, returns=returns, body=body, reads=reads, writes=writes
        )
    for (name, arguments, returns, body, reads, writes), result, event in TRIGGERS:
        rls.create_definer_function(
            name, arguments=arguments, returns=returns, body=body, reads=reads, writes=writes, result=result
        )
        op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    """The triggers kept ``user.hashed_password`` current, so only the structure goes. A person
    with memberships in several tenants keeps them, as users sharing an address."""
    for (name, arguments, _, _, reads, writes), _, event in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER {name} ON {event.rsplit(' ON ', 1)[1]}")
        rls.drop_definer_function(name, arguments=arguments, tables=(*reads, *writes))
    for name, arguments, _, _, reads, writes in reversed(FUNCTIONS):
        rls.drop_definer_function(name, arguments=arguments, tables=(*reads, *writes))
    rls.stop_keeping_globally_unique("user_email", source="person", keep_policy=True)
    rls.keep_globally_unique("user_email", source="user", column="email", copy_existing=False)
    op.drop_constraint(op.f("uq_user_person_id_tenant_id"), "user", type_="unique")
    op.drop_constraint(op.f("fk_user_person_id_person"), "user", type_="foreignkey")
    op.drop_column("user", "last_used_at")
    op.drop_column("user", "person_id")
    op.drop_table("person")
