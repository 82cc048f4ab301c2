"""The caller's profile and password, and user administration within the caller's tenant."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, status

from platform_common.errors import Conflict, Forbidden, NotFound, error_responses
from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import CallerAuthServiceDep, CallerDep, UsersDep, limit_password_change, token_scope
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.user import (
    MembershipRead,
    PasswordChange,
    UserAdminUpdate,
    UserRead,
    UserUpdateMe,
)

router = resource_router("users", responses=AUTHENTICATED)
ADMIN_ERRORS = error_responses(Forbidden)
ADMIN_TARGET_ERRORS = error_responses(Forbidden, NotFound)


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
