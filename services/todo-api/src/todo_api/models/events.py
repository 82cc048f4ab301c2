"""The platform's event tables (outbox, webhook subscriptions and deliveries), tied to this
service's tenants and users: deleting a tenant or a user deletes their events and webhooks.
E-mails (``mail_message``) are registered as they are: a message may be addressed to someone
who has no user or tenant yet, and the retention purge removes them.

The tables are declared in ``platform_common`` (the dispatcher, which knows nothing of
todo-api, reads them too); the foreign keys to ``tenant`` and ``user`` are this service's
to add, since only it has those tables.
"""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Table

from platform_common.db.tables import table_of
from platform_common.events.outbox import OutboxEvent
from platform_common.mail.outbox import MailMessage
from platform_common.webhooks.tables import WebhookDelivery, WebhookEndpoint
from todo_api.models.tenant import Tenant
from todo_api.models.user import User

_TENANT = table_of(Tenant)
_USER = table_of(User)


def _owned_by_user(table: Table, owner: str) -> None:
    table.append_constraint(
        ForeignKeyConstraint(
            ["tenant_id"], [_TENANT.c.id], name=f"fk_{table.name}_tenant_id_tenant", ondelete="CASCADE"
        )
    )
    table.append_constraint(
        ForeignKeyConstraint(
            ["tenant_id", owner],
            [_USER.c.tenant_id, _USER.c.id],
            name=f"fk_{table.name}_tenant_id_{owner}_user",
            ondelete="CASCADE",
        )
    )


_owned_by_user(table_of(OutboxEvent), "owner_id")
_owned_by_user(table_of(WebhookEndpoint), "owner_id")

__all__ = ["MailMessage", "OutboxEvent", "WebhookDelivery", "WebhookEndpoint"]
