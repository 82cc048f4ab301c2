"""The caller's own profile, and tenant administration of users by owners and admins (each
change recorded in the audit trail: a user deleted, a role changed, a user deactivated or
activated again). Users join a tenant by invitation (``services.invitations``)."""

from __future__ import annotations

import uuid

from platform_common.db.database import Record
from platform_common.errors import Conflict, Forbidden, NotFound
from platform_common.pagination import PageQuery
from todo_api.models import UserRole
from todo_api.repositories.people import PersonRepository
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.user import UserAdminUpdate, UserUpdateMe
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import Caller, end_user_access
from todo_api.services.pages import rows_and_total

ADMIN_ROLES = frozenset({UserRole.OWNER, UserRole.ADMIN})


def require_admin(caller: Caller, refusal: str = "Only owners and admins may manage users") -> None:
    if caller.role not in ADMIN_ROLES:
        raise Forbidden(refusal)


class UserService:
    def __init__(self, caller: Caller, origin: Origin) -> None:
        self.caller = caller
        self.transaction = caller.transaction
        self.users = UserRepository(caller.transaction)
        self.audit = AuditTrail(caller.transaction, origin)

    async def update_me(self, request: UserUpdateMe) -> Record:
        return await self._updated(self.caller.id, request.model_dump(exclude_unset=True, mode="json"))

    async def memberships(self) -> list[Record]:
        """Every membership of the caller's person, most recently used first."""
        return await PersonRepository(self.transaction).memberships(self.caller.id)

    async def list(self, params: PageQuery) -> tuple[list[Record], int]:
        require_admin(self.caller)
        rows = await self.users.page(limit=params.limit, offset=params.offset)
        return await rows_and_total(rows, params, self.users.count)

    async def get(self, user_id: uuid.UUID) -> Record:
        require_admin(self.caller)
        return await self._get(user_id)

    async def update(self, user_id: uuid.UUID, request: UserAdminUpdate) -> Record:
        require_admin(self.caller)
        changes = request.model_dump(exclude_unset=True, exclude_none=True)
        await self._lock_tenant()
        target = await self._get(user_id, for_update=True)
        target_role = UserRole(target["role"])
        touches_ownership = target_role == UserRole.OWNER or changes.get("role") == UserRole.OWNER
        if (
            touches_ownership
            and ({"role", "is_active"} & changes.keys())
            and self.caller.role != UserRole.OWNER
        ):
            raise Forbidden("Only an owner may grant or change the owner role")
        stays_owner = changes.get("role", target_role) == UserRole.OWNER and changes.get(
            "is_active", target["is_active"]
        )
        if target_role == UserRole.OWNER and target["is_active"] and not stays_owner:
            await self._keep_an_owner()
        updated = await self._updated(user_id, changes)
        if changes.get("is_active") is False:
            await end_user_access(self.transaction, user_id)
        if updated["role"] != target_role:
            await self._record(
                AuditEventType.USER_ROLE_CHANGED, updated, {"from": target_role.value, "to": updated["role"]}
            )
        if updated["is_active"] != target["is_active"]:
            event = AuditEventType.USER_ACTIVATED if updated["is_active"] else AuditEventType.USER_DEACTIVATED
            await self._record(event, updated)
        return updated

    async def delete(self, user_id: uuid.UUID) -> None:
        require_admin(self.caller)
        await self._lock_tenant()
        target = await self._get(user_id, for_update=True)
        if target["role"] == UserRole.OWNER:
            if self.caller.role != UserRole.OWNER:
                raise Forbidden("Only an owner may remove an owner")
            if target["is_active"]:
                await self._keep_an_owner()
        await self.users.delete(user_id)
        await self._record(
            AuditEventType.USER_DELETED, target, {"email": target["email"], "role": target["role"]}
        )

    async def _record(
        self, event_type: AuditEventType, user: Record, details: dict[str, object] | None = None
    ) -> None:
        await self.audit.record(event_type, actor_id=self.caller.id, subject_id=user["id"], details=details)

    async def _get(self, user_id: uuid.UUID, *, for_update: bool = False) -> Record:
        user = await self.users.get(user_id, for_update=for_update)
        if user is None:
            raise NotFound("User not found")
        return user

    async def _updated(self, user_id: uuid.UUID, changes: dict[str, object]) -> Record:
        if not changes:
            return await self._get(user_id)
        user = await self.users.update(user_id, changes)
        if user is None:
            raise NotFound("User not found")
        return user

    async def _lock_tenant(self) -> None:
        """Serialise changes to ownership within a tenant, so two demotions cannot race."""
        await TenantRowRepository(self.transaction).get(for_update=True)

    async def _keep_an_owner(self) -> None:
        if await self.users.count_active_owners() <= 1:
            raise Conflict("A tenant must keep at least one active owner")
