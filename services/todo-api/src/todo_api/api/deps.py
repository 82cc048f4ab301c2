"""Dependencies routes ask for: the authenticated caller (with its unit of work), the
services, the client address and the rate limits. Each service reaches a route the same
way, through its ``Annotated`` alias here (``TasksDep``, ``UsersDep``, ...).

``authenticate`` is the only way a route learns who calls. It verifies the token (cached
per exact token, no I/O), counts the request against the caller's and the tenant's
limits, opens the unit of work in the token's tenant and loads the caller's current state
in one query; the transaction commits when the endpoint returns, before the response is
sent (``scope="function"``), so a client never sees success for work that then failed.
A personal access token (``tdo_pat_...``, same header) is told apart by its prefix: see
``Authenticate``; what it may call is what the route declares with ``token_scope``.

Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency (or a class)
in the thread pool, a thread hop per request each."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Annotated, ClassVar, Literal

from fastapi import Depends, Form, Request, Response, Security, params
from fastapi.security import HTTPBearer, OAuth2PasswordBearer

from platform_common.app import runtime_of
from platform_common.auth.oauth import REFRESH_TOKEN_GRANT
from platform_common.db.database import Transaction
from platform_common.http.client_ip import client_ip
from platform_common.observability.request_context import bind_identity
from platform_common.ratelimit.limiter import Policy, RateLimited
from todo_api.core.rate_limits import record_throttled_account
from todo_api.core.runtime import TodoRuntime
from todo_api.schemas.common import SafeStr
from todo_api.schemas.email import login_email
from todo_api.schemas.personal_token import Scope
from todo_api.services.account_deletion import AccountDeletionService
from todo_api.services.audit import Origin
from todo_api.services.audit_events import AuditService
from todo_api.services.auth import AuthService, Caller, TenantSwitch, load_caller, verify_access_token
from todo_api.services.delta import DeltaPolicy, DeltaService
from todo_api.services.export import ExportService
from todo_api.services.invitations import InvitationAcceptance, InvitationService
from todo_api.services.lists import ListService
from todo_api.services.password_reset import PasswordResetService, ResetMail
from todo_api.services.personal_tokens import (
    PersonalTokenService,
    PresentedToken,
    is_personal_token,
    load_token_caller,
)
from todo_api.services.signup import SignupMail, SignupService
from todo_api.services.tasks import TaskService
from todo_api.services.tenants import TenantDeletion, TenantService
from todo_api.services.users import UserService
from todo_api.services.webhooks import WebhookPolicy, WebhookService

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105  # a path, not a secret


async def get_runtime(request: Request) -> TodoRuntime:
    return runtime_of(request, TodoRuntime)


RuntimeDep = Annotated[TodoRuntime, Depends(get_runtime)]


async def get_client_ip(request: Request, runtime: RuntimeDep) -> str:
    return client_ip(request.scope, runtime.trusted_proxies)


ClientIP = Annotated[str, Depends(get_client_ip)]


async def request_origin(request: Request, ip: ClientIP) -> Origin:
    """Where the request came from, for the audit trail: only the routes whose services record
    events ask for it (FastAPI computes the client address once per request)."""
    return Origin.of(ip, request.headers.get("user-agent"))


OriginDep = Annotated[Origin, Depends(request_origin)]


class PersonalTokenScheme(HTTPBearer):
    """The personal access tokens' security scheme, as the spec shows it: each operation a token
    may call lists it with the scopes it needs (``token_scope``). Authenticating is
    ``Authenticate``'s (the same ``Authorization: Bearer`` header): this one does nothing."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


personal_token_scheme = PersonalTokenScheme(
    scheme_name="PersonalAccessToken",
    bearerFormat="tdo_pat_<tenant>_<id>_<secret>",
    description="A personal access token (POST /api/v1/users/me/tokens), limited to its scopes: each "
    "operation lists the scopes it needs; one without this scheme is for a session's access token only.",
    auto_error=False,
)


def token_scope(*scopes: Scope) -> params.Security:
    """The dependency a route declares (``dependencies=[token_scope(Scope.TASKS_READ)]``) to
    let personal access tokens with every one of ``scopes`` call it (none: any token). A
    route that declares none is for sessions only: deny by default."""
    declared: params.Security = Security(personal_token_scheme, scopes=[scope.value for scope in scopes])
    return declared


def route_scopes(route: object) -> frozenset[str] | None:
    """The scopes a route needs of a personal access token (``token_scope``), or None when it
    declares none (sessions only)."""
    declared = [
        dependency.scopes or ()
        for dependency in getattr(route, "dependencies", ())
        if isinstance(dependency, params.Security) and dependency.dependency is personal_token_scheme
    ]
    return frozenset(scope for scopes in declared for scope in scopes) if declared else None


class Authenticate(OAuth2PasswordBearer):
    """The OAuth2 bearer scheme (what the spec and Swagger's *Authorize* show) and the
    authentication itself, in one dependency: FastAPI resolves each dependency on every
    request, so the scheme's own token extraction is done here rather than as a second one.

    A personal access token (its prefix tells) is checked in the query that loads its owner
    (the tenant and row id are its public part). The rate limits are the session's, per
    ``tenant:user``, counted once that query has said who the user is: before it, the user is
    only a claim of an unverified token, and counting there would let anyone spend another
    user's budget. Then the route's declared scopes (``route_scopes``) are checked.

    A tenant pending deletion answers 404 to every request (``load_caller``, and
    ``load_token_caller`` for personal access tokens, always), except where
    ``admits_pending_deletion`` (``AuthenticateDuringDeletion``, for sessions only)."""

    admits_pending_deletion: ClassVar[bool] = False

    async def __call__(self, request: Request, response: Response) -> AsyncIterator[Caller]:  # type: ignore[override]
        runtime = runtime_of(request, TodoRuntime)
        token = bearer_credentials(request)
        if is_personal_token(token):
            async with _personal_caller(request, response, runtime, PresentedToken.parse(token)) as caller:
                yield caller
            return
        claims = verify_access_token(runtime.token_codec, token)
        policies = runtime.rate_policies
        await runtime.limiter.check(
            response,
            (policies.user, f"{claims.tenant_id}:{claims.subject}"),
            (policies.tenant, str(claims.tenant_id)),
        )
        async with self.unit_of_work(runtime, claims.tenant_id) as transaction:
            caller = await load_caller(transaction, claims, during_deletion=self.admits_pending_deletion)
            bind_identity(request, tenant_id=claims.tenant_id, user_id=claims.subject)
            yield caller

    def unit_of_work(
        self, runtime: TodoRuntime, tenant_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Transaction]:
        return runtime.database.transaction(tenant_id)


class AuthenticateForStream(Authenticate):
    """``Authenticate`` for a route that streams what it reads: the caller is loaded in a
    read-only snapshot transaction (``Database.transaction(snapshot=True)``) that stays open
    until the response's last chunk is sent (the dependency's default request scope), so
    every page the stream reads comes from the one state the caller was checked in."""

    def unit_of_work(
        self, runtime: TodoRuntime, tenant_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Transaction]:
        return runtime.database.transaction(tenant_id, snapshot=True)


@asynccontextmanager
async def _personal_caller(
    request: Request, response: Response, runtime: TodoRuntime, presented: PresentedToken
) -> AsyncIterator[Caller]:
    policies = runtime.rate_policies
    async with runtime.database.transaction(presented.tenant_id) as transaction:
        caller = await load_token_caller(transaction, presented)
        bind_identity(request, tenant_id=caller.tenant_id, user_id=caller.id)
        await runtime.limiter.check(
            response,
            (policies.user, f"{caller.tenant_id}:{caller.id}"),
            (policies.tenant, str(caller.tenant_id)),
        )
        caller.require(route_scopes(request.scope.get("route")))
        yield caller


def bearer_credentials(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


# The token endpoint also refreshes (grant_type=refresh_token): the spec's refreshUrl says so.
authenticate = Authenticate(
    tokenUrl=TOKEN_URL, refreshUrl=TOKEN_URL, scheme_name="OAuth2PasswordBearer", auto_error=False
)
CallerDep = Annotated[Caller, Depends(authenticate, scope="function")]
authenticate_for_stream = AuthenticateForStream(
    tokenUrl=TOKEN_URL, refreshUrl=TOKEN_URL, scheme_name="OAuth2PasswordBearer", auto_error=False
)
# Request scope: the transaction ends after the streamed body, not when the endpoint returns.
StreamCallerDep = Annotated[Caller, Depends(authenticate_for_stream, scope="request")]


class AuthenticateDuringDeletion(Authenticate):
    """``Authenticate`` for the routes that still answer in a tenant pending deletion (the
    owner's GET and DELETE of ``/tenants/current/deletion``): every other check is the same."""

    admits_pending_deletion = True


authenticate_during_deletion = AuthenticateDuringDeletion(
    tokenUrl=TOKEN_URL, refreshUrl=TOKEN_URL, scheme_name="OAuth2PasswordBearer", auto_error=False
)
DeletionCallerDep = Annotated[Caller, Depends(authenticate_during_deletion, scope="function")]


async def anonymous_transaction(runtime: RuntimeDep) -> AsyncIterator[Transaction]:
    """The unit of work of a route without a caller (sign-up, login, refresh): it starts
    without a tenant, and the service enters one once it knows it."""
    async with runtime.database.transaction() as transaction:
        yield transaction


async def auth_service(
    runtime: RuntimeDep,
    transaction: Annotated[Transaction, Depends(anonymous_transaction, scope="function")],
    origin: OriginDep,
) -> AuthService:
    return AuthService(transaction, runtime.credentials, origin)


AuthServiceDep = Annotated[AuthService, Depends(auth_service)]


async def password_reset_service(
    runtime: RuntimeDep,
    transaction: Annotated[Transaction, Depends(anonymous_transaction, scope="function")],
    origin: OriginDep,
) -> PasswordResetService:
    mail = ResetMail(box=runtime.secret_box, link_base=runtime.settings.link_base)
    return PasswordResetService(transaction, runtime.credentials, mail, origin)


PasswordResetDep = Annotated[PasswordResetService, Depends(password_reset_service)]


async def signup_service(
    runtime: RuntimeDep,
    transaction: Annotated[Transaction, Depends(anonymous_transaction, scope="function")],
    origin: OriginDep,
) -> SignupService:
    mail = SignupMail(box=runtime.secret_box, link_base=runtime.settings.link_base)
    return SignupService(transaction, runtime.credentials, mail, origin)


SignupDep = Annotated[SignupService, Depends(signup_service)]


async def invitation_acceptance(
    runtime: RuntimeDep,
    transaction: Annotated[Transaction, Depends(anonymous_transaction, scope="function")],
    origin: OriginDep,
) -> InvitationAcceptance:
    return InvitationAcceptance(transaction, runtime.credentials, origin)


InvitationAcceptanceDep = Annotated[InvitationAcceptance, Depends(invitation_acceptance)]


async def caller_auth_service(runtime: RuntimeDep, caller: CallerDep, origin: OriginDep) -> AuthService:
    """The auth service inside an authenticated caller's unit of work (logout, password)."""
    return AuthService(caller.transaction, runtime.credentials, origin)


CallerAuthServiceDep = Annotated[AuthService, Depends(caller_auth_service)]


async def account_deletion_service(caller: CallerDep, auth: CallerAuthServiceDep) -> AccountDeletionService:
    return AccountDeletionService(caller, auth)


AccountDeletionDep = Annotated[AccountDeletionService, Depends(account_deletion_service)]


async def tenant_switch(runtime: RuntimeDep, caller: CallerDep, origin: OriginDep) -> TenantSwitch:
    return TenantSwitch(caller, runtime.database, runtime.credentials, origin)


TenantSwitchDep = Annotated[TenantSwitch, Depends(tenant_switch)]


async def task_service(runtime: RuntimeDep, caller: CallerDep) -> TaskService:
    return TaskService(caller, quota=runtime.settings.task_quota_per_user)


TasksDep = Annotated[TaskService, Depends(task_service)]


async def delta_service(runtime: RuntimeDep, caller: CallerDep) -> DeltaService:
    retention = timedelta(days=runtime.settings.delta_tombstone_retention_days)
    return DeltaService(caller, DeltaPolicy(runtime.delta_cursors, retention))


DeltaDep = Annotated[DeltaService, Depends(delta_service)]


async def list_service(runtime: RuntimeDep, caller: CallerDep) -> ListService:
    return ListService(caller, runtime.settings.max_lists_per_user)


ListsDep = Annotated[ListService, Depends(list_service)]


async def user_service(caller: CallerDep, origin: OriginDep) -> UserService:
    return UserService(caller, origin)


UsersDep = Annotated[UserService, Depends(user_service)]


async def invitation_service(runtime: RuntimeDep, caller: CallerDep, origin: OriginDep) -> InvitationService:
    return InvitationService(
        caller, origin, ResetMail(box=runtime.secret_box, link_base=runtime.settings.link_base)
    )


InvitationsDep = Annotated[InvitationService, Depends(invitation_service)]


async def tenant_service(caller: CallerDep) -> TenantService:
    return TenantService(caller)


TenantsDep = Annotated[TenantService, Depends(tenant_service)]


def _tenant_deletion(runtime: TodoRuntime, caller: Caller, origin: Origin) -> TenantDeletion:
    grace = timedelta(days=runtime.settings.tenant_deletion_grace_days)
    return TenantDeletion(caller, runtime.credentials, origin, grace)


async def tenant_deletion(runtime: RuntimeDep, caller: CallerDep, origin: OriginDep) -> TenantDeletion:
    """The deletion request: any caller (the service admits owners only)."""
    return _tenant_deletion(runtime, caller, origin)


TenantDeletionDep = Annotated[TenantDeletion, Depends(tenant_deletion)]


async def pending_tenant_deletion(
    runtime: RuntimeDep, caller: DeletionCallerDep, origin: OriginDep
) -> TenantDeletion:
    """The pending deletion's state and cancellation: a caller of a disabled tenant too."""
    return _tenant_deletion(runtime, caller, origin)


PendingDeletionDep = Annotated[TenantDeletion, Depends(pending_tenant_deletion)]


async def webhook_service(runtime: RuntimeDep, caller: CallerDep, origin: OriginDep) -> WebhookService:
    policy = WebhookPolicy(
        max_per_user=runtime.settings.max_webhooks_per_user,
        egress=runtime.egress_policy,
        resolver=runtime.resolver,
        secrets=runtime.secret_box,
    )
    return WebhookService(caller, policy, origin)


WebhooksDep = Annotated[WebhookService, Depends(webhook_service)]


async def export_service(caller: StreamCallerDep) -> ExportService:
    return ExportService(caller)


ExportDep = Annotated[ExportService, Depends(export_service)]


async def personal_token_service(
    runtime: RuntimeDep, caller: CallerDep, origin: OriginDep
) -> PersonalTokenService:
    return PersonalTokenService(caller, runtime.settings.max_tokens_per_user, origin)


PersonalTokensDep = Annotated[PersonalTokenService, Depends(personal_token_service)]


async def audit_service(caller: CallerDep) -> AuditService:
    return AuditService(caller)


AuditDep = Annotated[AuditService, Depends(audit_service)]


async def limit_anonymous(response: Response, runtime: RuntimeDep, ip: ClientIP) -> None:
    await runtime.limiter.check(response, (runtime.rate_policies.anonymous, ip))


async def limit_signup(response: Response, runtime: RuntimeDep, ip: ClientIP) -> None:
    policies = runtime.rate_policies
    await runtime.limiter.check(response, (policies.anonymous, ip), (policies.signup, ip))


async def limit_password_reset(response: Response, runtime: RuntimeDep, ip: ClientIP) -> None:
    """Password-reset requests and confirmations per client IP."""
    policies = runtime.rate_policies
    await runtime.limiter.check(response, (policies.anonymous, ip), (policies.password_reset_ip, ip))


async def limit_invitation_accept(response: Response, runtime: RuntimeDep, ip: ClientIP) -> None:
    """Invitation acceptances per client IP (each may check an existing account's password)."""
    policies = runtime.rate_policies
    await runtime.limiter.check(response, (policies.anonymous, ip), (policies.invitation_accept_ip, ip))


async def limit_password_reset_mail(response: Response, runtime: RuntimeDep, email: str) -> None:
    """Reset mails per address: see ``limit_mail_to``."""
    await limit_mail_to(response, runtime, runtime.rate_policies.password_reset_account, email)


async def limit_signup_mail(response: Response, runtime: RuntimeDep, email: str) -> None:
    """Sign-up verification mails per address: see ``limit_mail_to``."""
    await limit_mail_to(response, runtime, runtime.rate_policies.signup_account, email)


async def limit_mail_to(response: Response, runtime: TodoRuntime, policy: Policy, email: str) -> None:
    """Mails of one kind per address, registered or not (so a refusal reveals nothing), keyed
    by the address's SHA-256, so the service cannot be made a mail bomb: never a login limit,
    so it cannot lock anyone out."""
    key = hashlib.sha256(email.encode()).hexdigest()
    await runtime.limiter.check(response, (policy, key))


def account_key(username: str) -> str:
    """The account a login names, as its failure limits count it: the address as sign-up
    stores it (``login_email``), so every spelling of one address shares one budget."""
    return login_email(username)


# The token endpoint's form fields that choose its limits; the endpoint declares the same ones
# (FastAPI documents one form body from the fields of the route and its dependencies).
GrantTypeForm = Annotated[
    Literal["password", "refresh_token"] | None,
    Form(description="`password` (the default) logs in; `refresh_token` rotates (RFC 6749 §6)."),
]
UsernameForm = Annotated[
    SafeStr | None, Form(max_length=320, description="Password grant: the user's e-mail address.")
]


async def limit_token_grant(
    response: Response,
    runtime: RuntimeDep,
    ip: ClientIP,
    grant_type: GrantTypeForm = None,
    username: UsernameForm = None,
) -> AsyncIterator[None]:
    """The token endpoint's limits, by grant. A refresh grant is counted as POST /auth/refresh
    is (per client IP) and never toward the login limits. Any other grant is a login: every
    attempt counts per client IP; per account only failures count, from this IP and from all
    IPs together. A wrong guess costs its sender, never the account's owner: a login is
    refused for other addresses' failures only past the account's ceiling."""
    if grant_type == REFRESH_TOKEN_GRANT:
        await limit_anonymous(response, runtime, ip)
        yield
        return
    policies = runtime.rate_policies
    account = account_key(username or "")
    failures = (
        (policies.login_failures_account_ip, f"{ip}/{account}"),  # an IP never holds "/"
        (policies.login_failures_account, account),
    )
    try:
        async with runtime.limiter.failure_budget(response, *failures, attempts=[(policies.login_ip, ip)]):
            yield
    except RateLimited as refused:
        if any(refused.policy is policy for policy, _ in failures):
            record_throttled_account(refused.policy, account)
        raise


async def limit_password_change(
    response: Response, runtime: RuntimeDep, caller: CallerDep
) -> AsyncIterator[None]:
    """Wrong current passwords per user (a stolen token guessing the password): fails closed."""
    key = f"{caller.tenant_id}:{caller.id}"
    async with runtime.limiter.failure_budget(
        response, (runtime.rate_policies.password_change_failures, key)
    ):
        yield
