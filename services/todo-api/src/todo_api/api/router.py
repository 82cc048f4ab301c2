"""The versioned API: every resource router is mounted here under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from platform_common.media_types import require_declared_media_type
from todo_api.api.endpoints import auth, tasks, tenants, users

# A body in a media type the operation does not declare is 415, not a confusing 422.
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_declared_media_type)])
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(tenants.router)
api_router.include_router(tasks.router)
