"""notes: a second service of the platform, defined only in the tests.

It is built from ``platform_common`` alone (app factory, tenant repository, RLS migration
helpers, worker observability) and imports nothing of todo-api: what a new service would
write, and nothing it would have to copy. One tenant-owned table (``example_note``), two
routes, a worker that purges done notes.
"""

__version__ = "0.0.1"
