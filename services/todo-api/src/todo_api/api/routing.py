"""Where resources live: ``/api/v1/<resource>``, each a router the platform mounts flat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from platform_common.app import service_router

API_PREFIX = "/api/v1"


def resource_router(resource: str, **kwargs: Any) -> APIRouter:
    return service_router(f"{API_PREFIX}/{resource}", tags=[resource], **kwargs)
