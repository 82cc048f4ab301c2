"""The caller's profile and password, and user administration within the caller's tenant."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, status
from fastapi.responses import StreamingResponse

from platform_common.errors import Conflict, Forbidden, NotFound, error_responses
from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import (
    AccountDeletionDep,
    CallerAuthServiceDep,
    CallerDep,
    ExportDep,
    UsersDep,
    limit_password_change,
    token_scope,
)
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.export import ExportDocument
from todo_api.schemas.user import (
    AccountDeletion,
    MembershipRead,
    PasswordChange,
    UserAdminUpdate,
    UserRead,
    UserUpdateMe,
)

router = resource_router("users", responses=AUTHENTICATED)
ADMIN_ERRORS = error_responses(Forbidden)
ADMIN_TARGET_ERRORS = error_responses(Forbidden, NotFound)
EXPORT_HEADERS = {
    "Content-Disposition": {
        "description": "`attachment`, with a file name naming the tenant and the user.",
        "required": True,
        "schema": {"type": "string"},
    }
}


@router.get(
    "/me", operation_id="users_me_get", dependencies=[token_scope()], summary="The authenticated user"
)
async def read_me(caller: CallerDep) -> UserRead:
    return UserRead.from_row(caller.user)


@router.get(
    "/me/memberships",
    operation_id="users_me_memberships",
    summary="The tenants the authenticated person belongs to (switch with POST /auth/switch)",
)
async def read_memberships(caller: CallerDep, users: UsersDep) -> list[MembershipRead]:
    """Most recently used first; `current` marks the token's own tenant."""
    return [MembershipRead.of(row, current_tenant=caller.tenant_id) for row in await users.memberships()]


@router.get(
    "/me/export",
    operation_id="users_me_export",
    summary="Everything the authenticated user owns in the tenant, as one JSON document",
    response_class=StreamingResponse,
    responses={
        200: {
            "model": ExportDocument,
            "description": "The export, streamed as it is read.",
            "headers": EXPORT_HEADERS,
        }
    },
)
async def export_me(export: ExportDep) -> StreamingResponse:
    """The profile, the memberships, and every list, task (trashed ones and subtasks too) and
    webhook (without its secrets) the caller owns in the token's tenant, all as of one moment.
    Streamed: read and sent a page at a time."""
    caller = export.caller
    filename = f"todo-export-{caller.tenant_id}-{caller.id}.json"
    return StreamingResponse(
        export.document(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.patch(
    "/me", operation_id="users_me_update", summary="Update the authenticated user's name or time zone"
)
async def update_me(body: UserUpdateMe, users: UsersDep) -> UserRead:
    return UserRead.from_row(await users.update_me(body))


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="users_me_change_password",
    summary="Change the password; every existing token of the user stops working",
    responses=error_responses(Forbidden),  # the current password is wrong
    dependencies=[Depends(limit_password_change, scope="function")],
)
async def change_password(body: PasswordChange, caller: CallerDep, auth: CallerAuthServiceDep) -> None:
    await auth.change_password(
        caller,
        body.current_password,
        body.new_password,
        revoke_personal_tokens=body.revoke_personal_access_tokens,
    )


@router.post(
    "/me/deletion",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="users_me_delete",
    summary="Delete the authenticated user's membership, with everything it owns in the tenant",
    # Forbidden: the password is wrong. Conflict: the caller is the tenant's last owner.
    responses=error_responses(Forbidden, Conflict),
    dependencies=[Depends(limit_password_change, scope="function")],
)
async def delete_me(body: AccountDeletion, deletion: AccountDeletionDep) -> None:
    """Confirmed with the password. The membership goes with its lists, tasks (trashed ones
    too), webhooks, sessions and tokens, without an event for each; the person's address and
    password go too when this was their last membership (their other tenants keep theirs).
    Every token of the membership stops working. The tenant's last owner is refused (409)
    until another member is made owner or the tenant is deleted."""
    await deletion.delete(body.password)


@router.get(
    "",
    operation_id="users_list",
    summary="List the users of the caller's tenant",
    responses=ADMIN_ERRORS,
    openapi_extra=PageQuery.openapi(),
)
async def list_users(
    users: UsersDep, query: Annotated[PageQuery, Depends(PageQuery.from_request)]
) -> Page[UserRead]:
    rows, total = await users.list(query)
    return make_page([UserRead.from_row(row) for row in rows], total=total, query=query)


@router.get(
    "/{user_id:uuid}",
    operation_id="users_get",
    summary="One user of the caller's tenant",
    responses=ADMIN_TARGET_ERRORS,
)
async def get_user(user_id: uuid.UUID, users: UsersDep) -> UserRead:
    return UserRead.from_row(await users.get(user_id))


@router.patch(
    "/{user_id:uuid}",
    operation_id="users_update",
    summary="Change a user's role, status or name",
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def update_user(user_id: uuid.UUID, body: UserAdminUpdate, users: UsersDep) -> UserRead:
    return UserRead.from_row(await users.update(user_id, body))


@router.delete(
    "/{user_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="users_delete",
    summary="Remove a user from the caller's tenant",
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def delete_user(user_id: uuid.UUID, users: UsersDep) -> None:
    await users.delete(user_id)
