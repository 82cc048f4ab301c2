"""Invitations to the caller's tenant (owners and admins); their acceptance is under auth."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, status

from platform_common.errors import Conflict, Forbidden, NotFound, error_responses
from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import InvitationsDep
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.api.routing import resource_router
from todo_api.schemas.invitation import InvitationCreate, InvitationRead

router = resource_router("invitations", responses=AUTHENTICATED)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="invitations_create",
    summary="Invite an address to the caller's tenant (the same answer whether or not it has an account)",
    responses={
        **error_responses(Forbidden, Conflict),
        201: {
            "description": "The invitation; its link is on its way to the address",
            "links": links_by_id("invitation_id", "invitations_delete"),
        },
    },
)
async def create_invitation(body: InvitationCreate, invitations: InvitationsDep) -> InvitationRead:
    """The address gets a single-use link valid seven days
    (`<PUBLIC_BASE_URL>/accept-invitation?token=...`); a pending invitation of the same address
    is replaced (its link stops working). Only an owner may invite an owner. 409
    `already_a_member` when a user of this tenant has the address."""
    return InvitationRead.from_row(await invitations.create(body))


@router.get(
    "",
    operation_id="invitations_list",
    summary="List the pending invitations of the caller's tenant",
    responses=error_responses(Forbidden),
    openapi_extra=PageQuery.openapi(),
)
async def list_invitations(
    invitations: InvitationsDep, query: Annotated[PageQuery, Depends(PageQuery.from_request)]
) -> Page[InvitationRead]:
    rows, total = await invitations.list(query)
    return make_page([InvitationRead.from_row(row) for row in rows], total=total, query=query)


@router.delete(
    "/{invitation_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="invitations_delete",
    summary="Revoke a pending invitation (its link stops working)",
    responses=error_responses(Forbidden, NotFound),
)
async def revoke_invitation(invitation_id: uuid.UUID, invitations: InvitationsDep) -> None:
    await invitations.revoke(invitation_id)
