"""The caller's own profile, and tenant administration of users by owners and admins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.auth.passwords import PasswordHasher
from platform_common.errors import Conflict, Forbidden, NotFound
from platform_common.pagination import PageParams
from todo_api.models import User, UserRole
from todo_api.repositories.tenants import TenantRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.user import UserAdminUpdate, UserCreate
from todo_api.services.errors import conflict_from

ADMIN_ROLES = frozenset({UserRole.OWNER, UserRole.ADMIN})


def require_admin(user: User) -> None:
    if user.role not in ADMIN_ROLES:
        raise Forbidden("Only owners and admins may manage users")


class UserService:
    def __init__(self, session: AsyncSession, actor: User) -> None:
        self.session = session
        self.actor = actor
        self.users = UserRepository(session, actor.tenant_id)

    async def update_me(self, full_name: str) -> User:
        return await self.users.update(self.actor, {"full_name": full_name})

    async def list(self, params: PageParams) -> tuple[Sequence[User], int]:
        require_admin(self.actor)
        return await self.users.list(
            order_by=(col(User.created_at), col(User.id)), limit=params.limit, offset=params.offset
        )

    async def get(self, user_id: uuid.UUID) -> User:
        require_admin(self.actor)
        return await self._get(user_id)

    async def create(self, request: UserCreate, hasher: PasswordHasher) -> User:
        require_admin(self.actor)
        hashed = await hasher.hash(request.password)
        try:
            return await self.users.create(
                {
                    "email": request.email,
                    "hashed_password": hashed,
                    "full_name": request.full_name,
                    "role": UserRole.MEMBER,
                }
            )
        except IntegrityError as exc:
            raise conflict_from(exc) or exc from exc

    async def update(self, user_id: uuid.UUID, request: UserAdminUpdate) -> User:
        require_admin(self.actor)
        changes = request.model_dump(exclude_unset=True, exclude_none=True)
        await self._lock_tenant()
        target = await self._get(user_id, for_update=True)
        touches_ownership = target.role == UserRole.OWNER or changes.get("role") == UserRole.OWNER
        if (
            touches_ownership
            and ({"role", "is_active"} & changes.keys())
            and self.actor.role != UserRole.OWNER
        ):
            raise Forbidden("Only an owner may grant or change the owner role")
        stays_owner = changes.get("role", target.role) == UserRole.OWNER and changes.get(
            "is_active", target.is_active
        )
        if target.role == UserRole.OWNER and target.is_active and not stays_owner:
            await self._keep_an_owner()
        return await self.users.update(target, changes)

    async def delete(self, user_id: uuid.UUID) -> None:
        require_admin(self.actor)
        await self._lock_tenant()
        target = await self._get(user_id, for_update=True)
        if target.role == UserRole.OWNER:
            if self.actor.role != UserRole.OWNER:
                raise Forbidden("Only an owner may remove an owner")
            if target.is_active:
                await self._keep_an_owner()
        await self.users.delete(target)

    async def _get(self, user_id: uuid.UUID, *, for_update: bool = False) -> User:
        user = await self.users.get(user_id, for_update=for_update)
        if user is None:
            raise NotFound("User not found")
        return user

    async def _lock_tenant(self) -> None:
        """Serialise changes to ownership within a tenant, so two demotions cannot race."""
        await TenantRepository(self.session, self.actor.tenant_id).get(for_update=True)

    async def _keep_an_owner(self) -> None:
        if await self.users.count_active_owners() <= 1:
            raise Conflict("A tenant must keep at least one active owner")
