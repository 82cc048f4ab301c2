"""todo-api: a secure multi-tenant REST API for todos."""

from importlib.metadata import version

__version__ = version("todo-api")
