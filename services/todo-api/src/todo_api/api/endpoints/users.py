"""The caller's profile and password, and user administration within the caller's tenant."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from platform_common.errors import Conflict, Forbidden, NotFound, error_responses
from platform_common.pagination import Page, PageParamsDep, make_page
from todo_api.api.deps import AuthServiceDep, CurrentUser, SessionDep
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.schemas.user import PasswordChange, UserAdminUpdate, UserCreate, UserRead, UserUpdateMe
from todo_api.services.users import UserService

router = APIRouter(prefix="/users", tags=["users"], responses=AUTHENTICATED)
ADMIN_ERRORS = error_responses(Forbidden)
ADMIN_TARGET_ERRORS = error_responses(Forbidden, NotFound)


@router.get("/me", operation_id="users_me_get", summary="The authenticated user")
async def read_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/me", operation_id="users_me_update", summary="Update the authenticated user's name")
async def update_me(body: UserUpdateMe, user: CurrentUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await UserService(session, user).update_me(body.full_name))


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="users_me_change_password",
    summary="Change the password; every existing token of the user stops working",
    responses=error_responses(Forbidden),  # the current password is wrong
)
async def change_password(body: PasswordChange, user: CurrentUser, auth: AuthServiceDep) -> None:
    await auth.change_password(user, body.current_password, body.new_password)


@router.get(
    "", operation_id="users_list", summary="List the users of the caller's tenant", responses=ADMIN_ERRORS
)
async def list_users(user: CurrentUser, session: SessionDep, params: PageParamsDep) -> Page[UserRead]:
    users, total = await UserService(session, user).list(params)
    return make_page([UserRead.model_validate(u) for u in users], total=total, params=params)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="users_create",
    summary="Add a member to the caller's tenant",
    responses={
        **error_responses(Forbidden, Conflict),
        201: {
            "description": "The new member",
            "links": links_by_id("user_id", "users_get", "users_update", "users_delete"),
        },
    },
)
async def create_user(body: UserCreate, user: CurrentUser, session: SessionDep, request: Request) -> UserRead:
    created = await UserService(session, user).create(body, request.app.state.password_hasher)
    return UserRead.model_validate(created)


@router.get(
    "/{user_id:uuid}",
    operation_id="users_get",
    summary="One user of the caller's tenant",
    responses=ADMIN_TARGET_ERRORS,
)
async def get_user(user_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await UserService(session, user).get(user_id))


@router.patch(
    "/{user_id:uuid}",
    operation_id="users_update",
    summary="Change a user's role, status or name",
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def update_user(
    user_id: uuid.UUID, body: UserAdminUpdate, user: CurrentUser, session: SessionDep
) -> UserRead:
    return UserRead.model_validate(await UserService(session, user).update(user_id, body))


@router.delete(
    "/{user_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="users_delete",
    summary="Remove a user from the caller's tenant",
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def delete_user(user_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await UserService(session, user).delete(user_id)
