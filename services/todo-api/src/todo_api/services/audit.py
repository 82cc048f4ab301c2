"""The audit trail: security events, each written in the unit of work of the action it
records, so an event exists if and only if its action committed (a refused login, which
commits nothing else, commits its event alone: ``AuthService.login``).

Routes that record events take the request's ``Origin`` (the client address the rate limits
use, and the User-Agent) through their dependencies; no other route computes it, so reads
such as ``GET /users/me`` or ``GET /tasks`` pay nothing for the trail. What ``details``
holds per type is listed in the README (Audit trail): ids, roles, an e-mail address, a
webhook's host; never a password, a token or a URL that may carry one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from platform_common.db.database import Transaction
from todo_api.models import MAX_USER_AGENT_LENGTH
from todo_api.repositories.audit import AuditRepository
from todo_api.schemas.audit import AuditEventType


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, as an event records it."""

    ip: str | None  # an IP address; None when the peer is not one (a Unix socket, a test client)
    user_agent: str | None  # at most MAX_USER_AGENT_LENGTH characters

    @classmethod
    def of(cls, address: str, user_agent: str | None) -> Origin:
        """From the client address (``platform_common.http.client_ip``) and the User-Agent."""
        try:
            ip: str | None = str(ip_address(address.partition("%")[0]))  # no IPv6 zone: PostgreSQL has none
        except ValueError:
            ip = None
        agent = user_agent.replace("\x00", "")[:MAX_USER_AGENT_LENGTH] if user_agent else None
        return cls(ip, agent or None)


UNKNOWN_ORIGIN = Origin(None, None)


class AuditTrail:
    """The events of one unit of work, in its tenant, from one origin."""

    def __init__(self, transaction: Transaction, origin: Origin) -> None:
        self.events = AuditRepository(transaction)
        self.origin = origin

    async def record(
        self,
        event_type: AuditEventType,
        *,
        actor_id: uuid.UUID | None,
        subject_id: uuid.UUID | None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        await self.events.insert(
            {
                "type": event_type.value,
                "actor_id": actor_id,
                "subject_id": subject_id,
                "ip": self.origin.ip,
                "user_agent": self.origin.user_agent,
                "details": dict(details or {}),
            }
        )

    async def probe(self) -> None:
        """A round trip like ``record``'s that writes nothing (``AuditRepository.probe``)."""
        await self.events.probe()
