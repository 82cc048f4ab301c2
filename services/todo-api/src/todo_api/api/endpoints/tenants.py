"""The caller's own tenant."""

from __future__ import annotations

from platform_common.errors import Forbidden, NotFound, error_responses
from todo_api.api.deps import TenantsDep
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.tenant import TenantRead, TenantUpdate

router = resource_router("tenants", responses={**AUTHENTICATED, **error_responses(NotFound)})


@router.get("/current", operation_id="tenants_current_get", summary="The caller's tenant")
async def read_current(tenants: TenantsDep) -> TenantRead:
    return TenantRead.from_row(await tenants.current())


@router.patch(
    "/current",
    operation_id="tenants_current_update",
    summary="Rename the caller's tenant",
    responses=error_responses(Forbidden),
)
async def update_current(body: TenantUpdate, tenants: TenantsDep) -> TenantRead:
    return TenantRead.from_row(await tenants.rename(body.name))
