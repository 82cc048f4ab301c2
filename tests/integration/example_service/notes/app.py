"""The HTTP service: settings, runtime and routes handed to ``create_service_app``.

A caller is whoever holds an access token of the platform's codec; the token's tenant opens
the unit of work. (A real service would also load its caller, as todo-api does.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from platform_common.app import (
    ServiceRuntime,
    ServiceSettings,
    create_service_app,
    runtime_of,
    service_router,
)
from platform_common.auth.settings import TokenSettings, build_token_codec
from platform_common.auth.tokens import InvalidToken
from platform_common.db.tables import tenant_tables
from platform_common.errors import Unauthorized

from . import __version__
from .models import metadata
from .repository import NoteRepository


class NotesSettings(ServiceSettings, TokenSettings):
    service_name: str = "notes"


class NotesRuntime(ServiceRuntime):
    """The platform's runtime, checked against this service's tables, plus its token codec."""

    def __init__(self, settings: NotesSettings) -> None:
        super().__init__(settings, tenant_tables=tenant_tables(metadata))
        self.codec = build_token_codec(settings)


bearer = HTTPBearer(auto_error=False)


async def notes_of_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> AsyncIterator[NoteRepository]:
    runtime = runtime_of(request, NotesRuntime)
    try:
        claims = runtime.codec.decode(credentials.credentials if credentials else "")
    except InvalidToken as exc:
        raise Unauthorized() from exc
    async with runtime.database.transaction(claims.tenant_id) as transaction:
        yield NoteRepository(transaction)


NotesDep = Annotated[NoteRepository, Depends(notes_of_caller, scope="function")]


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=500)
    done: bool = False


class NoteRead(BaseModel):
    body: str
    done: bool


router = service_router("/api/v1/notes", tags=["notes"])


@router.post("", status_code=201)
async def create_note(note: NoteCreate, notes: NotesDep) -> NoteRead:
    return NoteRead.model_validate(dict(await notes.add(note.body, done=note.done)))


@router.get("")
async def list_notes(notes: NotesDep) -> list[NoteRead]:
    return [NoteRead.model_validate(dict(row)) for row in await notes.all()]


def create_app(settings: NotesSettings) -> FastAPI:
    return create_service_app(
        NotesRuntime(settings), title="notes", version=__version__, summary="Notes.", routers=[router]
    )
