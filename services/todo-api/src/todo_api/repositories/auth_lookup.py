"""The narrow path: the reads that must happen before any tenant is known.

Each is a ``SECURITY DEFINER`` function (created by migration ``c3f1a9d2b7e4``) keyed on a
value the caller must already hold, returning only what its flow needs:

- ``auth_refresh_token_tenant(token_hash)``: the tenant of the refresh token with that
  SHA-256, so the refresh can continue inside that tenant;
- ``auth_password_reset_token(token_hash)`` (migration ``5a7c3e9d1b42``): the tenant and row
  id of the password-reset token with that SHA-256, so the confirmation can continue there;
- ``auth_pending_signup(token_hash)`` (migration ``b8d2f6a41c93``): the tenant (the one the
  verification will create) and row id of the pending sign-up with that SHA-256.
- ``auth_invitation_token(token_hash)`` (migration ``b81d4f2a6c93``): the tenant and row id of
  the invitation with that SHA-256, so its acceptance can continue in the inviting tenant.

The login, a password-reset request and a sign-up find the person behind an address through
``auth_login_person`` (``todo_api.repositories.people``, with the other functions that
reach a person). Nothing else in the service reads without a tenant.
"""

from __future__ import annotations

from platform_common.db.lookups import PreTenantLookup

REFRESH_TOKEN_TENANT = PreTenantLookup("auth_refresh_token_tenant", arity=1)
PASSWORD_RESET_TOKEN = PreTenantLookup("auth_password_reset_token", arity=1)
PENDING_SIGNUP = PreTenantLookup("auth_pending_signup", arity=1)
INVITATION_TOKEN = PreTenantLookup("auth_invitation_token", arity=1)
