"""The tenant in every key of every tenant table: the schema a distribution by tenant needs.

A table distributed by ``tenant_id`` (Citus, docs/scaling.md) can only enforce a primary key
or a unique constraint that includes the distribution column. So:

- **Primary keys** of ``user``, ``task_list``, ``task``, ``outbox_event``,
  ``webhook_endpoint``, ``auth_session``, ``refresh_token``, ``webhook_delivery`` become
  ``(tenant_id, id)``, ``revoked_access_token``'s ``(tenant_id, jti)``, ``idempotency_key``'s
  ``(tenant_id, user_id, key)``. The ``uq_<table>_tenant_id_id`` constraints, which only
  existed as targets of the composite foreign keys, are the new primary keys now: they are
  dropped, and the foreign keys that used them are re-created on the primary key (the same
  columns and actions, read back from the catalog), so no table keeps a redundant index.
  ``task`` keeps as many indexes as before, one fewer after the contract step.
- **Unique constraints**: ``refresh_token`` (``token_hash``) becomes ``(token_hash,
  tenant_id)``, led by the hash, which the refresh's pre-tenant lookup searches by alone (a
  SHA-256 of a random secret: unique across tenants in practice, not by a constraint);
  ``webhook_delivery``'s ``uq_webhook_delivery_endpoint_event_attempt`` gains ``tenant_id``
  and keeps its name, which the dispatcher's ``ON CONFLICT ON CONSTRAINT`` names;
  ``task``'s manual order gets ``uq_task_tenant_id_list_id_parent_id_position``.
- **E-mails and slugs stay unique across the platform** (a product rule: login is by e-mail
  alone, a slug is global), but no longer through a constraint of the tenant table, which a
  distributed table could not enforce: each has a global registry (``user_email``,
  ``tenant_slug``: the value alone, no tenant, no other column) kept by a ``BEFORE`` row
  trigger in the writing statement itself (``rls.keep_globally_unique``). Whatever code
  writes the row, the previous release's included, a taken value fails as before, under the
  same constraint name (the registry's key is named ``uq_user_email`` / ``uq_tenant_slug``,
  the names the service maps to its 409 messages). The registries are under forced
  row-level security that admits only the trigger: the runtime role reads no one's e-mail.
  Chosen over keeping the two global constraints as exceptions because those could never be
  distributed; on Citus the registries stay on the coordinator (docs/scaling.md).
  ``user`` keeps a unique ``(email, tenant_id)``, led by the e-mail, for the login lookup.

Expand/contract: the previous release must keep working on this schema during a rolling
deploy. Two of its statements need a unique index on exactly the old columns to infer their
``ON CONFLICT`` arbiter, so those stay until the next release's migration drops them:
``uq_idempotency_key_user_id_key`` (its ``ON CONFLICT (user_id, key)``) and
``uq_task_list_id_parent_id_position`` (its ``ON CONFLICT (list_id, parent_id, position)``).
This release's statements name the tenant-inclusive keys. Nothing of the previous release
uses the dropped ones by name or as an arbiter.

Locks: each table is rewritten under ACCESS EXCLUSIVE for the index builds and the foreign
keys' validation (one scan each), in this one transaction; fine at this size. On a large
database this would be split: the unique indexes built ``CONCURRENTLY`` first, then each
swapped in with ``ADD PRIMARY KEY USING INDEX`` and the foreign keys added ``NOT VALID`` and
validated afterwards.

Downgrade restores the previous keys, constraints and foreign keys, and drops the registries.

Revision ID: 9e4c2b7d1f30
Revises: 9c2f4b7d1e36
Create Date: 2026-11-30 14:50:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "9e4c2b7d1f30"
down_revision: str | Sequence[str] | None = "9c2f4b7d1e36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose primary key becomes (tenant_id, id), and whether a uq_<table>_tenant_id_id
# (the target of composite foreign keys) existed beside the old one.
BY_ID = {
    "user": True,
    "task_list": True,
    "task": True,
    "outbox_event": True,
    "webhook_endpoint": True,
    "auth_session": False,
    "refresh_token": False,
    "webhook_delivery": False,
}
# Other keys: table -> (old primary key columns, new ones).
OTHER_KEYS = {
    "revoked_access_token": (["jti"], ["tenant_id", "jti"]),
    "idempotency_key": (["user_id", "key"], ["tenant_id", "user_id", "key"]),
}
DELIVERY_UNIQUE = "uq_webhook_delivery_endpoint_event_attempt"
DELIVERY_COLUMNS = ["endpoint_id", "event_id", "attempt"]
POSITION_COLUMNS = ["list_id", "parent_id", "position"]
# The global uniqueness rules: registry, the tenant table, its column, the value's width.
REGISTRIES = (("user_email", "user", "email", 320), ("tenant_slug", "tenant", "slug", 63))


def _quote(name: str) -> str:
    return op.get_bind().dialect.identifier_preparer.quote(name)


def _referencing(index: str) -> list[tuple[str, str, str]]:
    """The foreign keys that use ``index`` (table, name, definition as PostgreSQL prints it)."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conindid = CAST(:index AS regclass) ORDER BY conname"
        ),
        {"index": index},
    )
    return [(table, name, definition) for table, name, definition in rows]


def _rekey(table: str, columns: list[str], *, dropped: str | None = None, added: str | None = None) -> None:
    """Make ``columns`` the primary key of ``table``. The foreign keys that used the old key
    (or ``dropped``, a unique constraint the new key makes redundant) are dropped first and
    re-created, unchanged, on the new key (or on ``added``, a unique ``(tenant_id, id)`` the
    downgrade brings back)."""
    primary_key = f"pk_{table}"
    foreign_keys = [key for index in (primary_key, dropped) if index for key in _referencing(index)]
    for child, name, _ in foreign_keys:
        op.drop_constraint(name, child.strip('"'), type_="foreignkey")
    if dropped:
        op.drop_constraint(dropped, table, type_="unique")
    op.drop_constraint(primary_key, table, type_="primary")
    op.create_primary_key(primary_key, table, columns)
    if added:
        op.create_unique_constraint(added, table, ["tenant_id", "id"])
    for child, name, definition in foreign_keys:
        op.execute(f"ALTER TABLE {child} ADD CONSTRAINT {_quote(name)} {definition}")


def _position_index(name: str, columns: list[str]) -> None:
    op.create_index(
        name,
        "task",
        columns,
        unique=True,
        postgresql_nulls_not_distinct=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def upgrade() -> None:
    for table, had_unique in BY_ID.items():
        _rekey(table, ["tenant_id", "id"], dropped=f"uq_{table}_tenant_id_id" if had_unique else None)
    op.create_unique_constraint("uq_idempotency_key_user_id_key", "idempotency_key", ["user_id", "key"])
    for table, (_, new) in OTHER_KEYS.items():
        _rekey(table, new)

    op.drop_constraint("uq_refresh_token_token_hash", "refresh_token", type_="unique")
    op.create_unique_constraint(
        "uq_refresh_token_token_hash_tenant_id", "refresh_token", ["token_hash", "tenant_id"]
    )
    op.drop_constraint(DELIVERY_UNIQUE, "webhook_delivery", type_="unique")
    op.create_unique_constraint(DELIVERY_UNIQUE, "webhook_delivery", ["tenant_id", *DELIVERY_COLUMNS])
    _position_index("uq_task_tenant_id_list_id_parent_id_position", ["tenant_id", *POSITION_COLUMNS])

    for registry, source, column, width in REGISTRIES:
        constraint = f"uq_{source}_{column}"
        op.drop_constraint(constraint, source, type_="unique")
        op.create_table(
            registry,
            sa.Column(column, sa.String(length=width), nullable=False),
            sa.PrimaryKeyConstraint(column, name=constraint),
        )
        rls.keep_globally_unique(registry, source=source, column=column)
    op.create_unique_constraint("uq_user_email_tenant_id", "user", ["email", "tenant_id"])


def downgrade() -> None:
    op.drop_constraint("uq_user_email_tenant_id", "user", type_="unique")
    for registry, source, column, _ in REGISTRIES:
        rls.stop_keeping_globally_unique(registry, source=source)
        op.drop_table(registry)
        op.create_unique_constraint(f"uq_{source}_{column}", source, [column])

    op.drop_index("uq_task_tenant_id_list_id_parent_id_position", table_name="task")
    op.drop_constraint(DELIVERY_UNIQUE, "webhook_delivery", type_="unique")
    op.create_unique_constraint(DELIVERY_UNIQUE, "webhook_delivery", DELIVERY_COLUMNS)
    op.drop_constraint("uq_refresh_token_token_hash_tenant_id", "refresh_token", type_="unique")
    op.create_unique_constraint("uq_refresh_token_token_hash", "refresh_token", ["token_hash"])

    for table, (old, _) in OTHER_KEYS.items():
        _rekey(table, old)
    op.drop_constraint("uq_idempotency_key_user_id_key", "idempotency_key", type_="unique")
    for table, had_unique in BY_ID.items():
        _rekey(table, ["id"], added=f"uq_{table}_tenant_id_id" if had_unique else None)
