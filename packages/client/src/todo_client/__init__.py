"""todo-client: a typed Python SDK for todo-api.

``todo_client.generated`` is generated from the service's committed ``openapi.json`` (every
operation, every model); the rest is a thin hand-written layer: ``TodoClient`` (login, token
refresh, page iterators, automatic Idempotency-Key on create), ``TokenAuth`` and the retrying
transports, usable with any httpx client.
"""

from todo_client.auth import RefreshFailed, TokenAuth, Tokens
from todo_client.retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from todo_client.sdk import ApiError, TodoClient

__all__ = [
    "ApiError",
    "AsyncRetryTransport",
    "RefreshFailed",
    "RetryPolicy",
    "RetryTransport",
    "TodoClient",
    "TokenAuth",
    "Tokens",
]
