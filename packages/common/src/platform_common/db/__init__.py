"""The database runtime every service shares: asyncpg pool, unit of work, tenant context.

- ``settings``: ``DatabaseSettings`` (DATABASE_*), composed into a service's ``Settings``.
- ``database``: ``Database`` (the pool) and ``Transaction`` (one request's unit of work).
- ``statements``: SQLAlchemy Core statements compiled once to asyncpg SQL.
- ``repository``: ``TenantRepository``, where every tenant-scoped query starts.
- ``tables``: tables declare themselves tenant-owned or global; the rest is derived.
- ``rls``: the migration helpers that enable, force and write the isolation policy.
- ``lookups``: the narrow, documented pre-tenant reads (``SECURITY DEFINER`` functions).
- ``purge``: retention purges across tenants, in batches, through ``SECURITY DEFINER``
  functions the migrations create (``rls.create_purge_function``).
- ``provision``, ``posture``: roles, and the check that RLS can hold (at start-up, and over
  a service's models in its tests).
- ``errors``: database failures as API errors (503, 409), never a 500 with SQL in it.
"""
