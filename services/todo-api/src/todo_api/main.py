"""App factory: ``uvicorn todo_api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.body_limit import BodySizeLimitMiddleware
from platform_common.client_ip import parse_networks
from platform_common.database_errors import install_database_error_handlers
from platform_common.error_handlers import install_error_handlers
from platform_common.http_hardening import AllowedHostsMiddleware, SecurityHeadersMiddleware
from platform_common.logging import configure_logging
from platform_common.observability.setup import setup_observability
from platform_common.openapi import use_error_envelope_in_openapi
from platform_common.ratelimit import RateLimiter
from platform_common.request_id import request_id_middleware
from todo_api import __version__
from todo_api.api.endpoints import health
from todo_api.api.router import api_router
from todo_api.core.config import Settings, get_settings
from todo_api.core.rate_limits import RatePolicies
from todo_api.core.security import build_password_hasher, build_token_codec
from todo_api.db.engine import create_engine
from todo_api.db.posture import posture_problems
from todo_api.db.session import create_session_factory
from todo_api.models import TENANT_TABLES

logger = structlog.get_logger(__name__)


async def _check_database_posture(engine: AsyncEngine, settings: Settings) -> None:
    """Refuse to serve production unless row-level security can hold; warn elsewhere."""
    try:
        problems = await posture_problems(engine, TENANT_TABLES)
    except (OSError, SQLAlchemyError) as exc:  # unreachable now: /readyz reports it
        logger.error("database_posture_unchecked", error=type(exc).__name__)
        return
    if problems and settings.is_production:
        raise RuntimeError("unsafe database posture: " + "; ".join(problems))
    for problem in problems:
        logger.warning("unsafe_database_posture", problem=problem)


def _warn_of_development_secrets(settings: Settings) -> None:
    """Outside production the published development key is accepted; say so at every start."""
    for name in settings.secrets_at_default():
        logger.warning("development_secret_in_use", setting=name)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    json_logs = settings.log_format == "json" or (settings.log_format == "auto" and settings.is_production)
    configure_logging(settings.log_level, json_output=json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _warn_of_development_secrets(settings)
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        await _check_database_posture(engine, settings)
        try:
            yield
        finally:
            await engine.dispose()

    docs = settings.serve_docs
    app = FastAPI(
        title="todo-api",
        version=__version__,
        summary="Secure multi-tenant REST API for todos.",
        lifespan=lifespan,
        openapi_url=settings.openapi_url,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.settings = settings
    app.state.token_codec = build_token_codec(settings)
    app.state.password_hasher = build_password_hasher(settings)
    app.state.rate_limiter = RateLimiter(
        storage_uri=settings.rate_limit_storage_uri,
        enabled=settings.rate_limit_enabled,
        fail_open=settings.rate_limit_fail_open,
        key_prefix=settings.service_name,
    )
    app.state.rate_policies = RatePolicies.from_settings(settings)
    # The one list that decides who may say X-Forwarded-For: read by the rate limits and
    # the access log; uvicorn's own proxy handling is off wherever the service is started.
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    install_error_handlers(app)
    install_database_error_handlers(app)
    use_error_envelope_in_openapi(app)
    app.include_router(health.router)
    app.include_router(api_router)
    _add_middleware(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Innermost first: each ``add_middleware`` wraps everything added before it."""
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match"],
            expose_headers=[*EXPOSED_HEADERS],
        )
    app.add_middleware(AllowedHostsMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(SecurityHeadersMiddleware, hsts_seconds=settings.hsts_seconds)
    setup_observability(
        app,
        settings,
        service_name=settings.service_name,
        service_version=__version__,
        engine_getter=lambda: app.state.engine,
        trusted_proxies=app.state.trusted_proxies,
    )
    # Outermost: every response, errors included, carries the request id.
    app.add_middleware(request_id_middleware)


# Response headers a browser client may read.
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Idempotent-Replayed",
)
