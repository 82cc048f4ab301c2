"""The caller's own tenant."""

from __future__ import annotations

from fastapi import APIRouter

from platform_common.errors import Forbidden, NotFound, error_responses
from todo_api.api.deps import CurrentUser, SessionDep
from todo_api.api.responses import AUTHENTICATED
from todo_api.schemas.tenant import TenantRead, TenantUpdate
from todo_api.services.tenants import TenantService

router = APIRouter(
    prefix="/tenants", tags=["tenants"], responses={**AUTHENTICATED, **error_responses(NotFound)}
)


@router.get("/current", operation_id="tenants_current_get", summary="The caller's tenant")
async def read_current(user: CurrentUser, session: SessionDep) -> TenantRead:
    return TenantRead.model_validate(await TenantService(session, user).current())


@router.patch(
    "/current",
    operation_id="tenants_current_update",
    summary="Rename the caller's tenant",
    responses=error_responses(Forbidden),
)
async def update_current(body: TenantUpdate, user: CurrentUser, session: SessionDep) -> TenantRead:
    return TenantRead.model_validate(await TenantService(session, user).rename(body.name))
