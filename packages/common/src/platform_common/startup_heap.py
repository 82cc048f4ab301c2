"""A serving process's start-up heap is frozen out of the garbage collector.

A full (oldest-generation) collection walks every container object the process holds. After
start-up a service holds about 185,000 (FastAPI's routes and dependency graphs, pydantic's
validators, SQLAlchemy's metadata, the compiled statements), and one walk over them took
110-200 ms on the benchmark machine: a pause of the event loop that every request in flight
waits out, which is what a p99 latency is made of. Those objects live as long as the process,
so collecting them can free nothing. ``gc.freeze()`` moves them to a permanent generation that
collections skip; what requests allocate afterwards is collected as before, cycles included.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect the start-up garbage, then freeze what is left; once per process, so a process
    that starts many apps (a test run) freezes only the first start's heap, never the garbage
    of later ones."""
    if gc.get_freeze_count():
        return
    gc.collect()  # so no garbage of the imports and the start-up is kept for good
    gc.freeze()
