from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_event_type import AuditEventType
from ...models.error_envelope import ErrorEnvelope
from ...models.page_audit_event_read import PageAuditEventRead
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    size: int | Unset = 20,
    type_: AuditEventType | Unset = UNSET,
    actor: UUID | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["size"] = size

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_

    params["type"] = json_type_

    json_actor: str | Unset = UNSET
    if not isinstance(actor, Unset):
        json_actor = str(actor)
    params["actor"] = json_actor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit-events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PageAuditEventRead | None:
    if response.status_code == 200:
        response_200 = PageAuditEventRead.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | PageAuditEventRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    type_: AuditEventType | Unset = UNSET,
    actor: UUID | Unset = UNSET,
) -> Response[ErrorEnvelope | PageAuditEventRead]:
    """The tenant's security events, newest first (owners and admins)

     Logins and refused logins, logouts, sessions ended by refresh-token reuse, password changes and
    lockouts, password resets mailed and done, users created, deleted, given another role, deactivated
    or activated, webhooks created and deleted: who acted (`actor_id`), on what (`subject_id`), from
    where (`ip`, `user_agent`). Filter by `type` and by `actor`; kept `AUDIT_RETENTION_DAYS`. An event
    of a type this release does not know (recorded by a newer one) is listed as stored.

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        type_ (AuditEventType | Unset): What the audit trail records: `auth.login.succeeded`;
            `auth.login.failed` (a refused login
            naming an account of the tenant); `auth.logout`; `auth.session.revoked` (a refresh token
            reused, or of a user changed since, ended its session); `auth.password.changed`;
            `auth.password.lockout` (wrong current
            passwords ended every session of the user); `auth.password.reset_requested` (a reset link
            was mailed to an active account; never for an unknown address); `auth.password.reset` (a
            reset link set the password and ended every session); `user.created`, `user.deleted`,
            `user.role.changed`, `user.activated`, `user.deactivated` (by an owner or admin, or the
            owner's sign-up); `account.deleted` (a user deleted their own membership, with all it
            owned: ids only); `webhook.created`, `webhook.deleted`; `invitation.created`,
            `invitation.revoked` (by an owner or
            admin), `invitation.accepted` (by the invited person, now a member);
            `tenant.deletion_requested`, `tenant.deletion_cancelled` (by the owner); `token.created`,
            `token.revoked` (a personal access token, by its owner; details: its name and scopes).
        actor (UUID | Unset): Only events of this acting user (a user id).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PageAuditEventRead]
    """

    kwargs = _get_kwargs(
        page=page,
        size=size,
        type_=type_,
        actor=actor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    type_: AuditEventType | Unset = UNSET,
    actor: UUID | Unset = UNSET,
) -> ErrorEnvelope | PageAuditEventRead | None:
    """The tenant's security events, newest first (owners and admins)

     Logins and refused logins, logouts, sessions ended by refresh-token reuse, password changes and
    lockouts, password resets mailed and done, users created, deleted, given another role, deactivated
    or activated, webhooks created and deleted: who acted (`actor_id`), on what (`subject_id`), from
    where (`ip`, `user_agent`). Filter by `type` and by `actor`; kept `AUDIT_RETENTION_DAYS`. An event
    of a type this release does not know (recorded by a newer one) is listed as stored.

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        type_ (AuditEventType | Unset): What the audit trail records: `auth.login.succeeded`;
            `auth.login.failed` (a refused login
            naming an account of the tenant); `auth.logout`; `auth.session.revoked` (a refresh token
            reused, or of a user changed since, ended its session); `auth.password.changed`;
            `auth.password.lockout` (wrong current
            passwords ended every session of the user); `auth.password.reset_requested` (a reset link
            was mailed to an active account; never for an unknown address); `auth.password.reset` (a
            reset link set the password and ended every session); `user.created`, `user.deleted`,
            `user.role.changed`, `user.activated`, `user.deactivated` (by an owner or admin, or the
            owner's sign-up); `account.deleted` (a user deleted their own membership, with all it
            owned: ids only); `webhook.created`, `webhook.deleted`; `invitation.created`,
            `invitation.revoked` (by an owner or
            admin), `invitation.accepted` (by the invited person, now a member);
            `tenant.deletion_requested`, `tenant.deletion_cancelled` (by the owner); `token.created`,
            `token.revoked` (a personal access token, by its owner; details: its name and scopes).
        actor (UUID | Unset): Only events of this acting user (a user id).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PageAuditEventRead
    """

    return sync_detailed(
        client=client,
        page=page,
        size=size,
        type_=type_,
        actor=actor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    type_: AuditEventType | Unset = UNSET,
    actor: UUID | Unset = UNSET,
) -> Response[ErrorEnvelope | PageAuditEventRead]:
    """The tenant's security events, newest first (owners and admins)

     Logins and refused logins, logouts, sessions ended by refresh-token reuse, password changes and
    lockouts, password resets mailed and done, users created, deleted, given another role, deactivated
    or activated, webhooks created and deleted: who acted (`actor_id`), on what (`subject_id`), from
    where (`ip`, `user_agent`). Filter by `type` and by `actor`; kept `AUDIT_RETENTION_DAYS`. An event
    of a type this release does not know (recorded by a newer one) is listed as stored.

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        type_ (AuditEventType | Unset): What the audit trail records: `auth.login.succeeded`;
            `auth.login.failed` (a refused login
            naming an account of the tenant); `auth.logout`; `auth.session.revoked` (a refresh token
            reused, or of a user changed since, ended its session); `auth.password.changed`;
            `auth.password.lockout` (wrong current
            passwords ended every session of the user); `auth.password.reset_requested` (a reset link
            was mailed to an active account; never for an unknown address); `auth.password.reset` (a
            reset link set the password and ended every session); `user.created`, `user.deleted`,
            `user.role.changed`, `user.activated`, `user.deactivated` (by an owner or admin, or the
            owner's sign-up); `account.deleted` (a user deleted their own membership, with all it
            owned: ids only); `webhook.created`, `webhook.deleted`; `invitation.created`,
            `invitation.revoked` (by an owner or
            admin), `invitation.accepted` (by the invited person, now a member);
            `tenant.deletion_requested`, `tenant.deletion_cancelled` (by the owner); `token.created`,
            `token.revoked` (a personal access token, by its owner; details: its name and scopes).
        actor (UUID | Unset): Only events of this acting user (a user id).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PageAuditEventRead]
    """

    kwargs = _get_kwargs(
        page=page,
        size=size,
        type_=type_,
        actor=actor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    type_: AuditEventType | Unset = UNSET,
    actor: UUID | Unset = UNSET,
) -> ErrorEnvelope | PageAuditEventRead | None:
    """The tenant's security events, newest first (owners and admins)

     Logins and refused logins, logouts, sessions ended by refresh-token reuse, password changes and
    lockouts, password resets mailed and done, users created, deleted, given another role, deactivated
    or activated, webhooks created and deleted: who acted (`actor_id`), on what (`subject_id`), from
    where (`ip`, `user_agent`). Filter by `type` and by `actor`; kept `AUDIT_RETENTION_DAYS`. An event
    of a type this release does not know (recorded by a newer one) is listed as stored.

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        type_ (AuditEventType | Unset): What the audit trail records: `auth.login.succeeded`;
            `auth.login.failed` (a refused login
            naming an account of the tenant); `auth.logout`; `auth.session.revoked` (a refresh token
            reused, or of a user changed since, ended its session); `auth.password.changed`;
            `auth.password.lockout` (wrong current
            passwords ended every session of the user); `auth.password.reset_requested` (a reset link
            was mailed to an active account; never for an unknown address); `auth.password.reset` (a
            reset link set the password and ended every session); `user.created`, `user.deleted`,
            `user.role.changed`, `user.activated`, `user.deactivated` (by an owner or admin, or the
            owner's sign-up); `account.deleted` (a user deleted their own membership, with all it
            owned: ids only); `webhook.created`, `webhook.deleted`; `invitation.created`,
            `invitation.revoked` (by an owner or
            admin), `invitation.accepted` (by the invited person, now a member);
            `tenant.deletion_requested`, `tenant.deletion_cancelled` (by the owner); `token.created`,
            `token.revoked` (a personal access token, by its owner; details: its name and scopes).
        actor (UUID | Unset): Only events of this acting user (a user id).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PageAuditEventRead
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            size=size,
            type_=type_,
            actor=actor,
        )
    ).parsed
