"""The versioned API: every resource's routes, under ``/api/v1``."""

from __future__ import annotations

from todo_api.api.endpoints import (
    audit,
    auth,
    invitations,
    lists,
    personal_tokens,
    tasks,
    tenants,
    trash,
    users,
    webhooks,
)

API_ROUTERS = (
    auth.router,
    users.router,
    personal_tokens.router,
    invitations.router,
    tenants.router,
    lists.router,
    tasks.router,
    trash.router,
    webhooks.router,
    audit.router,
)
