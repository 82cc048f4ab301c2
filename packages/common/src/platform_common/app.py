"""``create_service_app``: a FastAPI service of this platform, wired the one tested way.

A service hands over its runtime (settings, database, limiter, its own parts) and routers;
this factory owns everything else, written once:

- the lifespan: the runtime starts (pool opened, row-level-security posture checked;
  production refuses to start when RLS could not hold) and stops, the start-up heap is
  frozen out of the garbage collector (``platform_common.startup_heap``), and the metrics
  listener and pool sampler run while the app serves;
- error handlers: the envelope for our errors, validation, Starlette's 404/405/... and
  database outages (503) and constraint violations (409/422);
- ``/healthz`` (no I/O) and ``/readyz`` (one round trip to the database);
- the middleware, from the outside in: the FastAPI/OpenTelemetry instrumentation (only
  when spans are exported), ``EdgeMiddleware`` (request id, trace ids, host check, body
  limit, security headers, 500s, metrics, access line), CORS when origins are set, then
  the service's own ``middleware``, if any;
- the OpenAPI document with the envelope on every error response.

The runtime is the one typed state object of the app: ``app.state.runtime``, read in
dependencies through ``runtime_of(request, TheRuntimeClass)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, ClassVar, TypeVar

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.middleware import Middleware

from platform_common.db.database import Database
from platform_common.db.errors import install_database_error_handlers
from platform_common.db.posture import posture_problems
from platform_common.db.settings import DatabaseSettings
from platform_common.error_handlers import install_error_handlers
from platform_common.errors import ServiceUnavailable, error_responses
from platform_common.http.client_ip import Network, parse_networks
from platform_common.http.docs import install_docs
from platform_common.http.media_types import require_declared_media_type
from platform_common.http.middleware import EdgeMiddleware, HostPolicy
from platform_common.http.openapi import use_error_envelope_in_openapi
from platform_common.http.settings import HttpSettings
from platform_common.observability import tracing
from platform_common.observability.routes import RouteTemplates
from platform_common.observability.settings import ObservabilitySettings
from platform_common.observability.setup import configure_process, serving_metrics
from platform_common.ratelimit.limiter import RateLimiter
from platform_common.ratelimit.settings import RateLimitSettings
from platform_common.startup_heap import freeze_startup_heap

logger = structlog.get_logger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")
# Response headers a browser client may read (CORS).
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


class ServiceSettings(DatabaseSettings, HttpSettings, RateLimitSettings, ObservabilitySettings):
    """What every HTTP service configures; a service adds its own blocks and fields."""


class ServiceRuntime:
    """The parts a service's requests share, built once per process from its settings."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        tenant_tables: Mapping[str, str],
        append_only_tables: Collection[str] = (),
    ) -> None:
        """``tenant_tables``: ``{table: tenant key}`` of the service's models
        (``platform_common.db.tables.tenant_tables(metadata)``), and ``append_only_tables``
        (``...append_only_tables(metadata)``), checked at every start."""
        self.settings = settings
        self.database = Database(settings, application_name=settings.service_name)
        self.limiter = RateLimiter.from_settings(settings, key_prefix=settings.service_name)
        self.trusted_proxies: tuple[Network, ...] = parse_networks(settings.trusted_proxies)
        self.tenant_tables = dict(tenant_tables)
        self.append_only_tables = tuple(append_only_tables)

    async def start(self) -> None:
        # Outside production the published development secrets are accepted: say so at every start.
        for name in self.settings.secrets_at_default():
            logger.warning("development_secret_in_use", setting=name)
        await self.database.connect()
        await self.check_posture()

    async def stop(self) -> None:
        await self.limiter.close()
        await self.database.close()

    async def check_posture(self) -> None:
        """Refuse to serve production unless row-level security can hold; warn elsewhere."""
        try:
            async with self.database.connection() as connection:
                problems = await posture_problems(connection, self.tenant_tables, self.append_only_tables)
        except (
            Exception
        ) as exc:  # unreachable now: /readyz reports it, and the check runs again at the next start
            logger.error("database_posture_unchecked", error=type(exc).__name__)
            return
        if problems and self.settings.is_production:
            raise RuntimeError("unsafe database posture: " + "; ".join(problems))
        for problem in problems:
            logger.warning("unsafe_database_posture", problem=problem)


RuntimeT = TypeVar("RuntimeT", bound=ServiceRuntime)


def runtime_of(request: Request, kind: type[RuntimeT]) -> RuntimeT:
    runtime = request.app.state.runtime
    if not isinstance(runtime, kind):  # pragma: no cover - a wiring mistake, caught at the first request
        raise TypeError(f"app.state.runtime is not a {kind.__name__}")
    return runtime


class ServiceRoute(APIRoute):
    """A route of a service: one that takes a body answers 415 for a body in a media type it
    does not declare (not a confusing 422). Only those pay for the check."""

    # False for a route that answers invalid requests otherwise (the OAuth token endpoint):
    # its operation then documents no 422.
    documents_validation_error: ClassVar[bool] = True

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if set(kwargs.get("methods") or ()) & _BODY_METHODS:
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or ()),
                Depends(require_declared_media_type),
            ]
        super().__init__(path, endpoint, **kwargs)


_BODY_METHODS = {"POST", "PUT", "PATCH"}


def service_router(prefix: str, **kwargs: Any) -> APIRouter:
    """A resource's router. Its ``prefix`` is the full path prefix (``/api/v1/tasks``): the
    app mounts its routes flat, not as a nested router (FastAPI matches nested routers
    through a wrapper per level, which costs every request a walk over the route tree)."""
    return APIRouter(prefix=prefix, route_class=ServiceRoute, **kwargs)


def _mount_flat(app: FastAPI, router: APIRouter) -> None:
    """Add ``router``'s routes to the app's own router as they are (prefix, dependencies,
    responses and tags were applied when each route was declared)."""
    app.router.routes.extend(router.routes)


class HealthStatus(BaseModel):
    status: str


health_router = APIRouter(tags=["health"])


@health_router.get("/healthz", operation_id="health_live", summary="Liveness: the process is up")
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@health_router.get(
    "/readyz",
    operation_id="health_ready",
    summary="Readiness: the database answers",
    responses=error_responses(ServiceUnavailable),
)
async def readyz(request: Request) -> HealthStatus:
    runtime = runtime_of(request, ServiceRuntime)
    try:
        async with runtime.database.connection() as connection:
            await connection.fetchval("SELECT 1")
    except Exception as exc:  # any failure to reach the database means "not ready"
        logger.warning("readiness_check_failed", error=type(exc).__name__)
        raise ServiceUnavailable("The database is unreachable", headers={"Retry-After": "5"}) from exc
    return HealthStatus(status="ok")


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    version: str,
    summary: str,
    routers: Sequence[APIRouter],
    middleware: Sequence[Middleware] = (),
    cors_methods: Sequence[str] = ("GET", "POST", "PATCH", "DELETE"),
    cors_headers: Sequence[str] = (
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "If-Match",
        "If-None-Match",
    ),
) -> FastAPI:
    settings = runtime.settings
    provider = configure_process(settings, service_version=version)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        routes.build_index(app.routes)
        await runtime.start()
        freeze_startup_heap()
        try:
            async with serving_metrics(
                settings, provider=provider, pool_stats=runtime.database.stats
            ) as server:
                app.state.metrics_server = server
                yield
        finally:
            await runtime.stop()

    docs = settings.serve_docs
    app = FastAPI(
        title=title,
        version=version,
        summary=summary,
        lifespan=lifespan,
        openapi_url=settings.openapi_url,
        # FastAPI's own pages load their assets from a CDN: install_docs serves ours instead.
        docs_url=None,
        redoc_url=None,
        # A trailing slash is a different path (404), never a redirect built from the Host header.
        redirect_slashes=False,
        # FastAPI's own OpenTelemetry spans (one per dependency, endpoint and serialisation)
        # would run on every request whenever a tracer provider exists; traces come from the
        # edge middleware's ids and, when exporting, the FastAPI instrumentation instead.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.runtime = runtime
    app.state.metrics_server = None
    install_error_handlers(app)
    install_database_error_handlers(app)
    use_error_envelope_in_openapi(app)
    if docs:
        install_docs(app)
    for router in (health_router, *routers):
        _mount_flat(app, router)

    for inner in reversed(middleware):  # the first listed is the outermost of the service's own
        app.add_middleware(inner.cls, *inner.args, **inner.kwargs)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=list(cors_methods),
            allow_headers=list(cors_headers),
            expose_headers=list(EXPOSED_HEADERS),
        )
    routes = RouteTemplates()
    app.add_middleware(
        EdgeMiddleware,
        hosts=HostPolicy(settings.trusted_hosts),
        max_body_bytes=settings.max_request_body_bytes,
        hsts_seconds=settings.hsts_seconds,
        routes=routes,
        record_metrics=settings.metrics_enabled,
        trace_ids=settings.tracing_enabled,
        untraced_paths=HEALTH_PATHS,
        trusted_proxies=runtime.trusted_proxies,
        exemplars=tracing.is_exporting(provider),
    )
    if tracing.is_exporting(provider):
        tracing.instrument(app, untraced_paths=HEALTH_PATHS)
    return app
