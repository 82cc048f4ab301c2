"""The authenticated user's personal access tokens: made, listed and revoked with a session's
access token only (no route here declares a scope, so no personal access token can manage
tokens)."""

from __future__ import annotations

import uuid

from fastapi import status

from platform_common.errors import Conflict, NotFound, error_responses
from todo_api.api.deps import PersonalTokensDep
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.api.routing import resource_router
from todo_api.schemas.personal_token import PersonalTokenCreate, PersonalTokenCreated, PersonalTokenRead

router = resource_router("users", responses=AUTHENTICATED)


@router.post(
    "/me/tokens",
    status_code=status.HTTP_201_CREATED,
    operation_id="tokens_create",
    summary="Make a personal access token (shown once)",
    responses={
        **error_responses(Conflict),  # MAX_TOKENS_PER_USER reached
        201: {
            "description": "The token, with its secret: shown this once",
            "links": links_by_id("token_id", "tokens_delete"),
        },
    },
)
async def create_token(body: PersonalTokenCreate, tokens: PersonalTokensDep) -> PersonalTokenCreated:
    """`Authorization: Bearer <token>` then calls the operations its scopes allow (each
    operation lists its scopes under the `PersonalAccessToken` security scheme), never the
    management of tokens, users, invitations, passwords, memberships, the tenant or the audit
    trail. Only a hash of the secret is stored; at most `MAX_TOKENS_PER_USER` per user (409)."""
    return await tokens.create(body)


@router.get(
    "/me/tokens",
    operation_id="tokens_list",
    summary="List your personal access tokens (never their secrets)",
)
async def list_tokens(tokens: PersonalTokensDep) -> list[PersonalTokenRead]:
    """Oldest first, expired ones included (until revoked)."""
    return await tokens.all()


@router.delete(
    "/me/tokens/{token_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="tokens_delete",
    summary="Revoke a personal access token (its next request is refused)",
    responses=error_responses(NotFound),
)
async def revoke_token(token_id: uuid.UUID, tokens: PersonalTokensDep) -> None:
    await tokens.revoke(token_id)
