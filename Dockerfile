# todo-api and its dispatcher, one image. Build from the repository root (the uv workspace):
#   docker build --build-arg VERSION="$(cat VERSION)" -t todo-api .   or   ./tools/task image   (podman)
# VERSION must be the VERSION file's (the build checks): the image label, the packages and the
# OpenAPI info.version all say the same.
# Commands in the image:
#   (default)              python /app/serve.py  -> uvicorn, one process, SIGTERM-graceful,
#                          no uvicorn proxy handling (the app applies TRUSTED_PROXIES)
#   python -m dispatcher   the outbox dispatcher (DISPATCHER_DATABASE_URL, a direct connection),
#                          SIGTERM drains deliveries in flight
#   alembic upgrade head   migrations, as the owner role (MIGRATIONS_DATABASE_URL, DATABASE_APP_ROLE)
ARG BASE_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- build: the locked venv
FROM ${BASE_IMAGE} AS build

ARG UV_VERSION=0.13.9
# UV_SYSTEM_CERTS: trust the OS store, so a TLS-intercepting proxy's CA installed there works.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_SYSTEM_CERTS=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"

WORKDIR /src
# Third-party dependencies first, from the lock alone: this layer survives code changes.
COPY uv.lock pyproject.toml ./
COPY packages/common/pyproject.toml packages/common/
# The SDK is a workspace member too (not installed here, but uv reads every member's pyproject).
COPY packages/client/pyproject.toml packages/client/
COPY services/todo-api/pyproject.toml services/todo-api/
COPY services/dispatcher/pyproject.toml services/dispatcher/
RUN /opt/uv/bin/uv sync --frozen --no-dev --package todo-api --package dispatcher --no-install-workspace

# Then the three service-side workspace members (the SDK is not in the image), installed as
# wheels (not editable: /src stays behind). Their version is read from VERSION, which the
# label below must repeat.
ARG VERSION
COPY VERSION ./
RUN test "${VERSION}" = "$(cat VERSION)" \
    || { echo "build with --build-arg VERSION=$(cat VERSION) (got '${VERSION}')" >&2; exit 1; }
COPY packages/common/src packages/common/src
COPY services/todo-api/src services/todo-api/src
COPY services/dispatcher/src services/dispatcher/src
RUN /opt/uv/bin/uv sync --frozen --no-dev --package todo-api --package dispatcher --no-editable

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE} AS runtime

ARG VERSION
LABEL org.opencontainers.image.title="todo-api" \
      org.opencontainers.image.description="Secure multi-tenant REST API for todos, and its webhook dispatcher" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# HOME=/tmp: the only writable place under a read-only root filesystem.
# ENVIRONMENT=production: the image refuses weak or development secrets and TRUSTED_HOSTS=["*"]
# (without ALLOW_ANY_HOST=true) unless a deployment sets another ENVIRONMENT.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    HOME=/tmp \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9100

RUN groupadd --gid 10001 todo \
    && useradd --no-log-init --no-create-home --uid 10001 --gid 10001 --home-dir /tmp \
        --shell /usr/sbin/nologin todo

WORKDIR /app
COPY --from=build /app/.venv /app/.venv
# Alembic reads [tool.alembic] from pyproject.toml in the working directory.
COPY pyproject.toml ./
COPY migrations ./migrations
COPY tools/image/serve.py ./serve.py

USER 10001:10001
EXPOSE 8000 9100
CMD ["python", "/app/serve.py"]
