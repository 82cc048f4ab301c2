"""``TodoClient``: the generated client, wired the way users expect.

- ``TodoClient.login(base_url, email, password)`` logs in (OAuth2 password grant); the
  access token then refreshes itself (``todo_client.auth.TokenAuth``).
- 429 and 503 are retried after the server's ``Retry-After`` (``todo_client.retry``).
- ``create_task`` sends an ``Idempotency-Key`` of its own unless given one, so a retried
  or repeated creation never makes a second task.
- ``iter_tasks`` / ``iter_users`` walk every page by the ``Link: rel="next"`` header.
- ``api`` is the generated ``AuthenticatedClient`` on the same connection, for every
  operation: ``todo_client.generated.api.<tag>.<operation_id>.sync(client=client.api, ...)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from todo_client.auth import TOKEN_PATH, TokenAuth, Tokens
from todo_client.generated import AuthenticatedClient
from todo_client.generated.api.tasks import tasks_create, tasks_list
from todo_client.generated.api.users import users_list
from todo_client.generated.models import PageTaskRead, PageUserRead, TaskCreate, TaskRead, UserRead
from todo_client.generated.types import Response
from todo_client.retry import RetryPolicy, RetryTransport

T = TypeVar("T")


class ApiError(Exception):
    """A non-2xx answer: the status and the error envelope (``errors``, ``meta.request_id``)."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        try:
            self.body: dict[str, Any] = response.json()
        except ValueError:
            self.body = {}
        errors = self.body.get("errors") or [{}]
        super().__init__(f"{self.status_code} {errors[0].get('code', '')}: {errors[0].get('detail', '')}")
        self.request_id = response.headers.get("X-Request-ID")


def next_link(response: httpx.Response) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header, if any."""
    return response.links.get("next", {}).get("url")


class TodoClient:
    def __init__(
        self,
        base_url: str,
        tokens: Tokens,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        on_refresh: Callable[[Tokens], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.auth = TokenAuth(tokens, on_refresh=on_refresh)
        self.http = httpx.Client(
            base_url=base_url,
            auth=self.auth,
            timeout=timeout,
            transport=RetryTransport(retry, inner=transport),
        )
        self.api = AuthenticatedClient(base_url=base_url, token="").set_httpx_client(self.http)

    @classmethod
    def login(
        cls,
        base_url: str,
        email: str,
        password: str,
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        **options: Any,
    ) -> Self:
        """Log in with the password grant; retries apply to the login as well."""
        with httpx.Client(base_url=base_url, transport=RetryTransport(retry, inner=transport)) as anonymous:
            answer = anonymous.post(
                TOKEN_PATH, data={"grant_type": "password", "username": email, "password": password}
            )
        if answer.status_code != 200:
            raise ApiError(answer)
        return cls(base_url, Tokens.from_pair(answer.json()), retry=retry, transport=transport, **options)

    def create_task(self, task: TaskCreate, *, idempotency_key: str | None = None) -> TaskRead:
        """Create a task; a key of its own makes repeats (and retries) return the first task."""
        key = idempotency_key or str(uuid.uuid4())
        return _parsed(tasks_create.sync_detailed(client=self.api, body=task, idempotency_key=key), TaskRead)

    def iter_tasks(self, **filters: Any) -> Iterator[TaskRead]:
        """Every task matching ``filters`` (``tasks_list``'s parameters), page after page."""
        first = tasks_list.sync_detailed(client=self.api, **filters)
        yield from self._pages(first, PageTaskRead.from_dict, TaskRead)

    def iter_users(self, *, size: int = 100) -> Iterator[UserRead]:
        """Every user of the caller's tenant (owners and admins only)."""
        first = users_list.sync_detailed(client=self.api, size=size)
        yield from self._pages(first, PageUserRead.from_dict, UserRead)

    def _pages(self, first: Response[Any], parse: Callable[[Any], Any], item: type[T]) -> Iterator[T]:
        response = _raw(first)
        while True:
            if response.status_code != 200:
                raise ApiError(response)
            for entry in parse(response.json()).items:
                if not isinstance(entry, item):  # pragma: no cover - the generated parser's job
                    raise TypeError(entry)
                yield entry
            target = next_link(response)
            if target is None:
                return
            response = self.http.get(target)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _raw(response: Response[Any]) -> httpx.Response:
    return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def _parsed(response: Response[Any], kind: type[T]) -> T:
    """The parsed body of a 2xx answer, else ``ApiError``."""
    if response.status_code // 100 != 2 or not isinstance(response.parsed, kind):
        raise ApiError(_raw(response))
    return response.parsed
