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

# Container allocations (net of deallocations) between two young collections. CPython's 700
# made each request of the benchmark run several collections, each walking whatever the 32
# requests in flight held at that moment (gc_collect_main: 3% of the worker's samples in a
# native profile of GET /users/me). Requests free almost everything they allocate by
# reference counting, so a larger young generation finds the same garbage less often.
YOUNG_THRESHOLD = 20_000


def freeze_startup_heap() -> None:
    """Collect the start-up garbage, then freeze what is left, and raise the young generation's
    threshold; once per process, so a process that starts many apps (a test run) freezes only
    the first start's heap, never the garbage of later ones."""
    if gc.get_freeze_count():
        return
    gc.collect()  # so no garbage of the imports and the start-up is kept for good
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
