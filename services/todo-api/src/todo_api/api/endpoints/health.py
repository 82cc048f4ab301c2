"""Probes for the orchestrator: liveness without I/O, readiness with one round trip."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.errors import ServiceUnavailable, error_responses

router = APIRouter(tags=["health"])
logger = structlog.get_logger(__name__)


class HealthStatus(BaseModel):
    status: str


@router.get("/healthz", operation_id="health_live", summary="Liveness: the process is up")
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    operation_id="health_ready",
    summary="Readiness: the database answers",
    responses=error_responses(ServiceUnavailable),
)
async def readyz(request: Request) -> HealthStatus:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        logger.warning("readiness_check_failed", error=type(exc).__name__)
        raise ServiceUnavailable("The database is unreachable", headers={"Retry-After": "5"}) from exc
    return HealthStatus(status="ok")
