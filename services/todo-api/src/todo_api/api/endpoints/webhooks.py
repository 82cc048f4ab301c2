"""Webhooks: the authenticated user's subscriptions to events about their own data."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response, status

from platform_common.errors import Conflict, NotFound, error_responses
from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import WebhooksDep, token_scope
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.api.routing import resource_router
from todo_api.schemas.personal_token import Scope
from todo_api.schemas.webhook import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecret,
    WebhookUpdate,
)

router = resource_router("webhooks", responses=AUTHENTICATED)

Pages = Annotated[PageQuery, Depends(PageQuery.from_request)]
WEBHOOK_OPERATIONS = (
    "webhooks_get",
    "webhooks_update",
    "webhooks_delete",
    "webhooks_rotate_secret",
    "webhooks_ping",
    "webhooks_deliveries",
)
# A scheduled delivery's id, with the webhook's id from the request that scheduled it.
REDELIVER_LINK = {
    "webhooks_redeliver": {
        "operationId": "webhooks_redeliver",
        "parameters": {"webhook_id": "$request.path.webhook_id", "delivery_id": "$response.body#/id"},
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="webhooks_create",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="Register a webhook (its signing secret is shown once)",
    responses={
        **error_responses(Conflict),
        201: {
            "description": "The webhook, with its signing secret",
            "links": links_by_id("webhook_id", *WEBHOOK_OPERATIONS),
        },
        422: {"description": "Invalid body, an unknown event type, or a URL the egress rules refuse"},
    },
)
async def create_webhook(body: WebhookCreate, webhooks: WebhooksDep, response: Response) -> WebhookCreated:
    created = await webhooks.create(body)
    response.headers["Location"] = f"{router.prefix}/{created.id}"
    return created


@router.get(
    "",
    operation_id="webhooks_list",
    dependencies=[token_scope(Scope.WEBHOOKS_READ)],
    summary="List your webhooks",
    openapi_extra=PageQuery.openapi(),
)
async def list_webhooks(webhooks: WebhooksDep, query: Pages) -> Page[WebhookRead]:
    items, total = await webhooks.page(query)
    return make_page(items, total=total, query=query)


@router.get(
    "/{webhook_id:uuid}",
    operation_id="webhooks_get",
    dependencies=[token_scope(Scope.WEBHOOKS_READ)],
    summary="One webhook",
    responses=error_responses(NotFound),
)
async def get_webhook(webhook_id: uuid.UUID, webhooks: WebhooksDep) -> WebhookRead:
    return await webhooks.get(webhook_id)


@router.patch(
    "/{webhook_id:uuid}",
    operation_id="webhooks_update",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="Change a webhook's URL, events, description, or re-enable it",
    responses={
        **error_responses(NotFound),
        422: {"description": "Invalid body, an unknown event type, or a URL the egress rules refuse"},
    },
)
async def update_webhook(webhook_id: uuid.UUID, body: WebhookUpdate, webhooks: WebhooksDep) -> WebhookRead:
    return await webhooks.update(webhook_id, body)


@router.delete(
    "/{webhook_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="webhooks_delete",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="Delete a webhook (pending deliveries are dropped)",
    responses=error_responses(NotFound),
)
async def delete_webhook(webhook_id: uuid.UUID, webhooks: WebhooksDep) -> None:
    await webhooks.delete(webhook_id)


@router.post(
    "/{webhook_id:uuid}/rotate-secret",
    operation_id="webhooks_rotate_secret",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="New signing secret; the old one keeps signing alongside it for 24 h",
    responses=error_responses(NotFound),
)
async def rotate_secret(webhook_id: uuid.UUID, webhooks: WebhooksDep) -> WebhookSecret:
    return await webhooks.rotate_secret(webhook_id)


@router.post(
    "/{webhook_id:uuid}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="webhooks_ping",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="Send a webhook.ping event to the webhook",
    responses={
        **error_responses(NotFound, Conflict),
        202: {"description": "The delivery, scheduled", "links": REDELIVER_LINK},
    },
)
async def ping_webhook(webhook_id: uuid.UUID, webhooks: WebhooksDep) -> DeliveryRead:
    return await webhooks.ping(webhook_id)


@router.get(
    "/{webhook_id:uuid}/deliveries",
    operation_id="webhooks_deliveries",
    dependencies=[token_scope(Scope.WEBHOOKS_READ)],
    summary="Recent delivery attempts, newest first",
    responses=error_responses(NotFound),
    openapi_extra=PageQuery.openapi(),
)
async def list_deliveries(webhook_id: uuid.UUID, webhooks: WebhooksDep, query: Pages) -> Page[DeliveryRead]:
    items, total = await webhooks.deliveries_of(webhook_id, query)
    return make_page(items, total=total, query=query)


@router.post(
    "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="webhooks_redeliver",
    dependencies=[token_scope(Scope.WEBHOOKS_WRITE)],
    summary="Deliver that delivery's event again (a new attempt)",
    responses={
        **error_responses(NotFound, Conflict),
        202: {"description": "The new attempt, scheduled", "links": REDELIVER_LINK},
    },
)
async def redeliver(webhook_id: uuid.UUID, delivery_id: uuid.UUID, webhooks: WebhooksDep) -> DeliveryRead:
    return await webhooks.redeliver(webhook_id, delivery_id)
