"""Events: a transactional outbox drained through a PostgreSQL job queue.

- ``queue``: the job queue (pgqueuer) as this platform uses it: its DDL for migrations, its
  global tables, and the job payload ``(tenant_id, id)``.
- ``outbox``: the tenant-owned ``outbox_event`` table and ``emit``, which writes the event
  and its job in one statement of the caller's transaction.
"""
