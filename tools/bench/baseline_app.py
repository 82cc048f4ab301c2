"""The ceiling: the least a FastAPI endpoint can cost under the same uvicorn settings.

Every scenario is reported as a fraction of this app's throughput on the same machine in
the same run, which makes numbers from different machines (and a busy one) comparable.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    return app
