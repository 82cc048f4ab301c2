"""Queries. Tenant-owned tables go through ``TenantScopedRepository``; the only
unscoped reads are the two pre-tenant lookups in ``auth_lookup``."""
