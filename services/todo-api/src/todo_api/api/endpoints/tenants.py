"""The caller's own tenant, and its deletion."""

from __future__ import annotations

from fastapi import Depends, status

from platform_common.errors import Conflict, Forbidden, NotFound, UnprocessableEntity, error_responses
from todo_api.api.deps import PendingDeletionDep, TenantDeletionDep, TenantsDep, limit_password_change
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.tenant import TenantDeletionRead, TenantDeletionRequest, TenantRead, TenantUpdate

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


@router.post(
    "/current/deletion",
    operation_id="tenants_current_deletion_request",
    summary="Delete the caller's tenant (owner): disabled now, purged after the grace period",
    description=(
        "The owner types the tenant's slug in `confirm` (else 422 `deletion_not_confirmed`) and "
        "gives their password (a wrong one is 403, counted as a wrong current password at "
        "`POST /users/me/password` is). The tenant is disabled at once: every session and token of "
        "every member ends, every authenticated request into it is 404 `tenant_not_found`, and a "
        "login into it is refused as a wrong password is, except its owner's (naming the tenant), "
        "which admits only `GET` and `DELETE /tenants/current/deletion`. The scheduled purge deletes "
        "the tenant and all its data after `purge_after`; its slug stays taken until then. "
        "Admins and members: 403."
    ),
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(Forbidden, UnprocessableEntity),
    dependencies=[Depends(limit_password_change, scope="function")],
)
async def request_deletion(body: TenantDeletionRequest, deletion: TenantDeletionDep) -> TenantDeletionRead:
    return TenantDeletionRead.from_tenant(await deletion.request(body.confirm, body.password))


@router.get(
    "/current/deletion",
    operation_id="tenants_current_deletion_get",
    summary="The pending deletion of the caller's tenant (owner); 404 when none is pending",
    responses=error_responses(Forbidden),
)
async def read_deletion(deletion: PendingDeletionDep) -> TenantDeletionRead:
    return TenantDeletionRead.from_tenant(await deletion.pending())


@router.delete(
    "/current/deletion",
    operation_id="tenants_current_deletion_cancel",
    summary="Cancel the pending deletion (owner): the tenant works again",
    description=(
        "Until `purge_after` (409 after it, 404 when none is pending). The members' sessions "
        "stay ended: everyone logs in anew. Admins and members: 403."
    ),
    responses=error_responses(Forbidden, Conflict),
)
async def cancel_deletion(deletion: PendingDeletionDep) -> TenantRead:
    return TenantRead.from_row(await deletion.cancel())
