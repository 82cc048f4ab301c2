"""The versioned API: every resource router is mounted here under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from todo_api.api.endpoints import auth, tasks, tenants, users

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(tenants.router)
api_router.include_router(tasks.router)
