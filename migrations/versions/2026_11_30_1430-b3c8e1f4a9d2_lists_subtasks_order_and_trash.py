"""Lists, subtasks, manual order and the trash.

- ``task_list``: a user's lists, tenant-owned under forced row-level security, each with a
  fractional-index ``position`` (collation "C": byte order is the keys' order) and exactly
  one default list per user (a partial unique index on ``is_default``).
- ``task`` gains ``list_id`` (composite key to ``task_list``, tenant included),
  ``parent_id`` (composite key to ``task``), ``position`` and ``deleted_at`` (the trash).
- Data: every existing user gets their default list "Inbox"; every existing task moves into
  its owner's Inbox, top level, in creation order. Then ``list_id`` and ``position`` become
  NOT NULL.

Positions of existing tasks are written in SQL as fractional-index integer keys: "d" and
four base-62 digits (the format of the ``fractional-indexing`` library: "d" says four
digits follow), the n-th task of an owner in creation order getting n. Keys the service
generates later sort after (or between) them as usual. 62^4 (14.7 million) tasks per owner
fit.

Row-level security: FORCE binds the owner running this revision, so, as in ``6a1fd6421833``,
it lifts FORCE on ``user`` and ``task`` for its own transaction only (DDL is transactional,
and the ACCESS EXCLUSIVE locks keep every other session out until the commit).

The previous release keeps working on this schema during a rolling upgrade: it writes
neither ``list_id`` nor ``position``, so a trigger (``task_placed_for_previous_release``)
fills them when absent, the owner's default list and a key after its last task (with
random digits, like the service's own appends); this release always writes both. Users the
previous release creates have no default list: this release makes it on first use, and the
trigger makes it when the previous release adds such a user's first task. A later
release drops the trigger (contract).

Downgrade drops the new columns and the lists (the order, the nesting and the trash are
lost; trashed tasks come back as live ones, as the previous release has no trash).

Revision ID: b3c8e1f4a9d2
Revises: 5a9900a0254a
Create Date: 2026-11-30 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "b3c8e1f4a9d2"
down_revision: str | Sequence[str] | None = "5a9900a0254a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BASE_62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# The library's first key ("a0"): the Inbox is every existing user's first list.
FIRST_KEY = "a0"


def _digit(n: str, power: int) -> str:
    return f"substr('{BASE_62}', (({n} / {62**power}) % 62)::int + 1, 1)"


def _key(n: str) -> str:
    """SQL for the fractional-index integer key of ``n`` (0 <= n < 62^4): "d" and 4 digits."""
    return "'d' || " + " || ".join(_digit(n, power) for power in (3, 2, 1, 0))


def upgrade() -> None:
    op.execute('ALTER TABLE "user" NO FORCE ROW LEVEL SECURITY')
    op.execute("ALTER TABLE task NO FORCE ROW LEVEL SECURITY")

    op.create_table(
        "task_list",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Text(collation="C"), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_task_list"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_task_list_tenant_id_id"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name="fk_task_list_tenant_id_tenant", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["user.tenant_id", "user.id"],
            name="fk_task_list_tenant_id_owner_id_user",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "uq_task_list_default",
        "task_list",
        ["tenant_id", "owner_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_index("ix_task_list_owner_position", "task_list", ["owner_id", "position", "id"])

    op.add_column("task", sa.Column("list_id", sa.Uuid(), nullable=True))
    op.add_column("task", sa.Column("parent_id", sa.Uuid(), nullable=True))
    op.add_column("task", sa.Column("position", sa.Text(collation="C"), nullable=True))
    op.add_column("task", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))

    op.get_bind().execute(
        sa.text(
            "INSERT INTO task_list (tenant_id, owner_id, name, position, is_default) "
            "SELECT tenant_id, id, 'Inbox', :first_key, true FROM \"user\""
        ),
        {"first_key": FIRST_KEY},
    )
    op.execute(
        f"""
        UPDATE task SET list_id = placed.list_id, position = placed.position
        FROM (
            SELECT t.id, l.id AS list_id,
                   {_key("(row_number() OVER (PARTITION BY t.owner_id ORDER BY t.created_at, t.id) - 1)")}
                   AS position
            FROM task t JOIN task_list l ON l.owner_id = t.owner_id AND l.is_default
        ) AS placed
        WHERE task.id = placed.id
        """  # noqa: S608  # the revision's own constants
    )
    op.alter_column("task", "list_id", nullable=False)
    op.alter_column("task", "position", nullable=False)

    op.create_foreign_key(
        "fk_task_tenant_id_list_id_task_list",
        "task",
        "task_list",
        ["tenant_id", "list_id"],
        ["tenant_id", "id"],
    )
    op.create_foreign_key(
        "fk_task_tenant_id_parent_id_task",
        "task",
        "task",
        ["tenant_id", "parent_id"],
        ["tenant_id", "id"],
        ondelete="CASCADE",
    )
    op.create_index(
        "uq_task_list_id_parent_id_position",
        "task",
        ["list_id", "parent_id", "position"],
        unique=True,
        postgresql_nulls_not_distinct=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_task_list_id_position",
        "task",
        ["list_id", "position", "id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_task_parent_id", "task", ["parent_id"], postgresql_where=sa.text("parent_id IS NOT NULL")
    )
    op.create_index(
        "ix_task_owner_deleted_at",
        "task",
        ["owner_id", "deleted_at", "id"],
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )

    op.execute(
        f"""
        CREATE FUNCTION task_placed_for_previous_release() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp
        AS $$
        BEGIN
            IF NEW.list_id IS NULL THEN
                SELECT id INTO NEW.list_id FROM task_list
                WHERE tenant_id = NEW.tenant_id AND owner_id = NEW.owner_id AND is_default;
            END IF;
            IF NEW.list_id IS NULL THEN
                -- A user the previous release created has no default list yet: make it, as
                -- this release does on first use (a concurrent maker wins the unique index).
                INSERT INTO task_list (tenant_id, owner_id, name, position, is_default)
                VALUES (NEW.tenant_id, NEW.owner_id, 'Inbox', '{FIRST_KEY}', true)
                ON CONFLICT (tenant_id, owner_id) WHERE is_default DO NOTHING;
                SELECT id INTO NEW.list_id FROM task_list
                WHERE tenant_id = NEW.tenant_id AND owner_id = NEW.owner_id AND is_default;
            END IF;
            IF NEW.position IS NULL THEN
                SELECT coalesce(max(position), '{FIRST_KEY}')
                       || substr('{BASE_62}', 1 + floor(random() * 62)::int, 1)
                       || substr('{BASE_62}', 1 + floor(random() * 62)::int, 1)
                       || substr('{BASE_62}', 1 + floor(random() * 62)::int, 1)
                       || substr('{BASE_62}', 2 + floor(random() * 61)::int, 1)
                INTO NEW.position FROM task
                WHERE list_id = NEW.list_id AND parent_id IS NOT DISTINCT FROM NEW.parent_id
                  AND deleted_at IS NULL;
            END IF;
            RETURN NEW;
        END
        $$
        """  # noqa: S608  # the revision's own constants
    )
    op.execute(
        "CREATE TRIGGER task_placed_for_previous_release BEFORE INSERT ON task "
        "FOR EACH ROW WHEN (NEW.list_id IS NULL OR NEW.position IS NULL) "
        "EXECUTE FUNCTION task_placed_for_previous_release()"
    )

    rls.enable_tenant_isolation("task_list")
    op.execute("ALTER TABLE task FORCE ROW LEVEL SECURITY")
    op.execute('ALTER TABLE "user" FORCE ROW LEVEL SECURITY')


def downgrade() -> None:
    op.execute("DROP TRIGGER task_placed_for_previous_release ON task")
    op.execute("DROP FUNCTION task_placed_for_previous_release()")
    op.drop_index("ix_task_owner_deleted_at", table_name="task")
    op.drop_index("ix_task_parent_id", table_name="task")
    op.drop_index("ix_task_list_id_position", table_name="task")
    op.drop_index("uq_task_list_id_parent_id_position", table_name="task")
    op.drop_constraint("fk_task_tenant_id_parent_id_task", "task", type_="foreignkey")
    op.drop_constraint("fk_task_tenant_id_list_id_task_list", "task", type_="foreignkey")
    op.drop_column("task", "deleted_at")
    op.drop_column("task", "position")
    op.drop_column("task", "parent_id")
    op.drop_column("task", "list_id")
    op.drop_table("task_list")
