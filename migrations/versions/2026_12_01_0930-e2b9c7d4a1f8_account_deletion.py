"""Account deletion (expand): ``account_forget_member(user_id)``, the one narrow function a
person's deletion of their own membership (``POST /users/me/deletion``) runs.

Keyed by a membership of the transaction's own tenant (nothing happens for one of another
tenant), in one call it:

- locks the membership's person, so an invitation accepted concurrently by the same person
  either lands before (and keeps the person) or fails after (the person is gone);
- strips the audit trail of what is personal beyond ids (the trail stays the tenant's
  record): the address and user agent of the requests the member made, and any ``email`` or
  ``full_name`` in the details of events about them, and the names they gave their personal
  access tokens (in their ``token.*`` events);
- deletes the mail queued or kept for the member's address in the tenant, and the tenant's
  invitations of that address (the one they accepted, any pending);
- deletes the membership, and everything it owns with it (the foreign keys' cascades: lists,
  tasks, webhooks and their deliveries, outbox events, sessions, refresh tokens, reset
  links, idempotency records, the change log); no trigger emits an event for those rows;
- deletes the person (address and password hash) when that was their last membership.

It returns whether the person was deleted. Nothing the previous release reads changes.

Revision ID: e2b9c7d4a1f8
Revises: d7a3b5c9e2f1
Create Date: 2026-12-01 09:10:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from platform_common.db import rls

revision: str = "e2b9c7d4a1f8"
down_revision: str | Sequence[str] | None = "d7a3b5c9e2f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every statement is narrowed to the tenant (whose own rows the tenant policy admits) and
# to the membership; the definer policies admit only what the tenant's cannot: the person,
# and the person's memberships of other tenants (read, to know whether one is left).
FORGET_MEMBER = (
    "account_forget_member",
    "p_user_id uuid",
    "TABLE (person_deleted boolean)",
    """PERFORM 1 FROM person AS p
        WHERE p.id = (SELECT u.person_id FROM "user" AS u
                      WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant())
        FOR UPDATE;
        UPDATE audit_event SET ip = NULL, user_agent = NULL
        WHERE tenant_id = app_current_tenant() AND actor_id = p_user_id
          AND (ip IS NOT NULL OR user_agent IS NOT NULL);
        UPDATE audit_event SET details = details - 'email' - 'full_name'
        WHERE tenant_id = app_current_tenant() AND subject_id = p_user_id
          AND details ?| ARRAY['email', 'full_name'];
        UPDATE audit_event SET details = details - 'name'
        WHERE tenant_id = app_current_tenant() AND actor_id = p_user_id
          AND type LIKE 'token.%' AND details ? 'name';
        DELETE FROM mail_message AS m
        WHERE m.tenant_id = app_current_tenant()
          AND m.recipient = (SELECT u.email FROM "user" AS u
                             WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant());
        DELETE FROM invitation AS i
        WHERE i.tenant_id = app_current_tenant()
          AND i.email = (SELECT u.email FROM "user" AS u
                         WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant());
        RETURN QUERY
        WITH gone AS (
            DELETE FROM "user" AS u WHERE u.id = p_user_id AND u.tenant_id = app_current_tenant()
            RETURNING u.person_id
        ), forgotten AS (
            DELETE FROM person AS p USING gone
            WHERE p.id = gone.person_id
              AND NOT EXISTS (SELECT 1 FROM "user" AS m WHERE m.person_id = p.id AND m.id <> p_user_id)
            RETURNING p.id
        )
        SELECT EXISTS (SELECT 1 FROM forgotten);""",
    ("user",),
    ("person",),
)


def upgrade() -> None:
    name, arguments, returns, body, reads, writes = FORGET_MEMBER
    rls.create_definer_function(
        name, arguments=arguments, returns=returns, body=body, reads=reads, writes=writes
    )


def downgrade() -> None:
    name, arguments, _, _, reads, writes = FORGET_MEMBER
    rls.drop_definer_function(name, arguments=arguments, tables=(*reads, *writes))
