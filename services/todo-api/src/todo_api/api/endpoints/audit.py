"""The audit trail: the tenant's security events, for its owners and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from platform_common.errors import Forbidden, error_responses
from platform_common.pagination import Page, make_page
from todo_api.api.deps import AuditDep
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.audit import AuditEventQuery, AuditEventRead

router = resource_router("audit-events", responses=AUTHENTICATED)


@router.get(
    "",
    operation_id="audit_events_list",
    summary="The tenant's security events, newest first (owners and admins)",
    description=(
        "Logins and refused logins, logouts, sessions ended by refresh-token reuse, password "
        "changes and lockouts, password resets mailed and done, users created, deleted, given "
        "another role, deactivated or activated, webhooks created and deleted: who acted "
        "(`actor_id`), on what (`subject_id`), from where (`ip`, `user_agent`). Filter by `type` "
        "and by `actor`; kept `AUDIT_RETENTION_DAYS`. An event of a type this release does not "
        "know (recorded by a newer one) is listed as stored."
    ),
    responses=error_responses(Forbidden),
    openapi_extra=AuditEventQuery.openapi(),
)
async def list_audit_events(
    audit: AuditDep, query: Annotated[AuditEventQuery, Depends(AuditEventQuery.from_request)]
) -> Page[AuditEventRead]:
    items, total = await audit.page(query)
    return make_page(items, total=total, query=query)
