"""The service tier: business rules called directly, with no HTTP, on the real database.

Each step runs in a unit of work from ``Database.transaction``, as one request's would, and
commits or rolls back the same way. ``Backend.acting_as`` hands a ``Caller`` (the user's
row, loaded in its tenant's transaction): what ``authenticate`` gives the endpoints, minus
the token checks, which the HTTP tests cover.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from tools.mailed_token import mailed_token

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected
from tests.integration.apps import settings_for
from tests.integration.factories import PASSWORD, mailed_invitation_token
from todo_api.core.config import Settings
from todo_api.core.runtime import Credentials
from todo_api.models import UserRole
from todo_api.repositories.users import UserRepository
from todo_api.schemas.auth import SignupRequest
from todo_api.schemas.invitation import InvitationAccept, InvitationCreate
from todo_api.services.audit import UNKNOWN_ORIGIN
from todo_api.services.auth import AuthService, Caller
from todo_api.services.invitations import InvitationAcceptance, InvitationService
from todo_api.services.password_reset import ResetMail
from todo_api.services.signup import SignupMail, SignupService


@dataclass(frozen=True)
class Person:
    """A user of a tenant the tests act as."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    email: str


class Backend:
    """todo-api's services over one connection pool, as the app wires them per request."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.credentials = Credentials.from_settings(settings)
        self.codec = self.credentials.codec
        self.hasher = self.credentials.hasher

    @asynccontextmanager
    async def anonymous(self) -> AsyncIterator[AuthService]:
        """The auth service in a unit of work without a tenant (sign-up, login, refresh)."""
        async with self.database.transaction() as transaction:
            yield AuthService(transaction, self.credentials, UNKNOWN_ORIGIN)

    @asynccontextmanager
    async def acting_as(self, person: Person) -> AsyncIterator[Caller]:
        async with self.database.transaction(person.tenant_id) as transaction:
            user = await UserRepository(transaction).get(person.user_id)
            assert user is not None, person
            claims = self.codec.issue(
                subject=person.user_id,
                tenant_id=person.tenant_id,
                session_id=uuid.uuid4(),
                role=user["role"],
                token_version=user["token_version"],
            )
            yield Caller(transaction, claims, user)

    async def signup(self, slug: str) -> Person:
        """Tenant ``<Slug>`` and its owner ``owner@<slug>.example.com``: a sign-up, verified
        with the token of its queued e-mail."""
        request = SignupRequest(
            tenant_name=slug.title(), tenant_slug=slug, email=f"owner@{slug}.example.com", password=PASSWORD
        )
        box = self.settings.secret_box()
        mail = SignupMail(box=box, link_base=self.settings.link_base)
        async with self.database.transaction() as transaction:
            await SignupService(transaction, self.credentials, mail, UNKNOWN_ORIGIN).request(request)
        async with connected(self.settings.database_url) as connection:
            token = await mailed_token(connection, request.email, box)
        async with self.database.transaction() as transaction:
            verified = await SignupService(transaction, self.credentials, mail, UNKNOWN_ORIGIN).verify(
                token, None
            )
        return Person(verified.tenant["id"], verified.user["id"], verified.user["email"])

    async def add_member(self, admin: Person, name: str, *, role: UserRole = UserRole.MEMBER) -> Person:
        """``name@<the admin's domain>`` in the admin's tenant, with ``role``: invited by the
        admin, and accepted with the mailed token."""
        email = f"{name}@{admin.email.split('@')[1]}"
        box = self.settings.secret_box()
        async with self.acting_as(admin) as caller:
            mail = ResetMail(box=box, link_base=self.settings.link_base)
            await InvitationService(caller, UNKNOWN_ORIGIN, mail).create(
                InvitationCreate(email=email, role=role)
            )
        token = await mailed_invitation_token(self.database, box, str(admin.tenant_id), email)
        async with self.database.transaction() as transaction:
            acceptance = InvitationAcceptance(transaction, self.credentials, UNKNOWN_ORIGIN)
            pair = await acceptance.accept(InvitationAccept(token=token, password=PASSWORD))
        return Person(admin.tenant_id, self.codec.decode(pair.access_token).subject, email)


@pytest.fixture(scope="session")
async def service_database(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    settings = settings_for(database.app_url, database_pool_size=1, database_max_overflow=1)
    pool = Database(settings, application_name="service-tests")
    await pool.connect()
    yield pool
    await pool.close()


@pytest.fixture
def backend(service_database: Database, settings: Settings, clean_database: None) -> Backend:
    return Backend(service_database, settings)
