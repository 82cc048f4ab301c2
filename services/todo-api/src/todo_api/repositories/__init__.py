"""Queries, as SQLAlchemy Core statements compiled once (``platform_common.db.statements``).

Every repository of a tenant-owned table extends ``platform_common.db.repository.TenantRepository``
and builds its statements from ``scope`` (the tenant chokepoint); task queries narrow it
further to the owner. The only reads without a tenant are the declared pre-tenant lookups
in ``auth_lookup``. Repositories return asyncpg records and never commit.
"""
