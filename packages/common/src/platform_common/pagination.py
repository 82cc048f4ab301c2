"""Pages of results: ``{"items", "total", "page", "size", "pages"}``, and their ``Link`` header.

``PageQuery`` is the ``page`` and ``size`` query parameters (page >= 1, 1 <= size <= 100,
default 20), parsed in one validation like every ``QueryModel``; a list route's own
filters extend it. ``Page[T]`` is the response model of every list.

Every page answered through ``make_page`` carries an RFC 8288 ``Link`` header with ``first``,
``prev``, ``next`` and ``last`` (``prev``/``next`` only where such a page exists), each a
relative reference built from the request's own path and query string, never from ``Host``
(``</api/v1/tasks?page=2&size=20&priority=high>; rel="next"``). ``PageQuery.from_request``
keeps what the header needs, so list routes need no code of their own for it.

``items`` is a ``list``: pydantic serialises a list in its core, while a ``Sequence``
field goes through a Python wrapper per page (a few percent of a list request).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Generic, Self, TypeVar
from urllib.parse import quote, quote_from_bytes, unquote_plus

from fastapi import Request, Response
from pydantic import BaseModel, Field, PrivateAttr

from platform_common.http.query import QueryModel

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # keeps OFFSET far inside PostgreSQL's bigint


class PageQuery(QueryModel):
    """``?page=&size=``: a route takes it (or a subclass with its filters) as
    ``Annotated[PageQuery, Depends(PageQuery.from_request)]`` and documents it with
    ``openapi_extra=PageQuery.openapi()``."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="1-based page number.")
    size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    # Where the page's Link header goes, and the request's path and other parameters.
    _links: tuple[Response, str, str] | None = PrivateAttr(default=None)

    @classmethod
    async def from_request(cls, request: Request, response: Response) -> Self:  # type: ignore[override]
        query = await super().from_request(request)
        scope = request.scope
        path = quote(scope.get("root_path", "") + scope["path"], safe=_PATH_SAFE)
        query._links = (response, path, _other_parameters(scope.get("query_string", b"")))
        return query

    @classmethod
    def openapi(cls) -> dict[str, Any]:
        extra = super().openapi()
        extra["responses"]["200"] = {"headers": {"Link": LINK_HEADER_SPEC}}
        return extra

    @property
    def limit(self) -> int:
        return self.size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: Annotated[int, Field(ge=0)]
    page: Annotated[int, Field(ge=1)]
    size: Annotated[int, Field(ge=1)]
    pages: Annotated[int, Field(ge=0)]


def make_page(items: Sequence[T], *, total: int, query: PageQuery) -> Page[T]:
    """A page of ``items`` (already limited and offset) out of ``total`` matches; its ``Link``
    header is set on the response when ``query`` came from ``PageQuery.from_request``."""
    pages = math.ceil(total / query.size)
    if query._links is not None:
        response, path, others = query._links
        response.headers["Link"] = link_header(path, others, page=query.page, size=query.size, pages=pages)
    return Page[T].model_construct(
        items=list(items),
        total=total,
        page=query.page,
        size=query.size,
        pages=pages,
    )


LINK_HEADER_SPEC: dict[str, Any] = {
    "description": (
        'RFC 8288 links to the first, previous, next and last pages (`</api/v1/tasks?page=2&size=20>; rel="next"`), '
        "relative references with the request's other parameters; prev and next only where such a page exists."
    ),
    "schema": {"type": "string"},
}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Kept as sent, except what could end the <...> of a link or is not a URI character.
_QUERY_SAFE = "=+%/:@!$'()*,;?-._~"
_PAGING = frozenset({"page", "size"})


def _other_parameters(query_string: bytes) -> str:
    """The query string without ``page`` and ``size``, each parameter re-quoted so that it is
    a valid URI component (nothing a client sends can end the ``<...>`` of a link)."""
    if not query_string:
        return ""
    kept = [
        quote_from_bytes(part, safe=_QUERY_SAFE)
        for part in query_string.split(b"&")
        if part and unquote_plus(part.partition(b"=")[0].decode("latin-1")) not in _PAGING
    ]
    return "&" + "&".join(kept) if kept else ""


def link_header(path: str, others: str, *, page: int, size: int, pages: int) -> str:
    """``first``, ``prev``, ``next``, ``last`` for page ``page`` of ``pages`` (at least one page:
    an empty list has a first and last page, the empty one)."""
    last = max(pages, 1)

    def link(number: int, rel: str) -> str:
        return f'<{path}?page={number}&size={size}{others}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    return ", ".join(links)
