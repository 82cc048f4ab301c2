"""Business counters of todo-api, incremented by the task service.

No labels on purpose: a tenant or user label would make the series count grow with the
customer base. Per-tenant numbers belong in the database, not in Prometheus.

    from todo_api.core.metrics import TASKS_COMPLETED, TASKS_CREATED

    TASKS_CREATED.inc()    # after the insert is flushed
    TASKS_COMPLETED.inc()  # on the transition to completed, not on every update of a done task

The unit of work commits after the service returns; a rolled-back transaction has still
counted. That over-count is rare and accepted.
"""

from __future__ import annotations

from prometheus_client import Counter

TASKS_CREATED = Counter("tasks_created_total", "Tasks created.")
TASKS_COMPLETED = Counter("tasks_completed_total", "Tasks that became completed.")
