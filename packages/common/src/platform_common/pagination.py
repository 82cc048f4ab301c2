"""Pages of results: ``{"items", "total", "page", "size", "pages"}``.

Built on ``fastapi-pagination``'s ``Page`` model; ``PageParams`` narrows its query
parameters to this platform's defaults (page >= 1, 1 <= size <= 100, default 20).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Query
from fastapi_pagination import Page as _Page
from fastapi_pagination import Params as _Params
from pydantic import Field

from platform_common.http.query import QueryModel

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # keeps OFFSET far inside PostgreSQL's bigint


class PageParams(_Params):
    """Validated once, as query parameters, by ``page_params``."""

    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def limit(self) -> int:
        return self.size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


Page = _Page
"""``Page[T]``: the response model of every list endpoint."""


async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = DEFAULT_PAGE_SIZE,
) -> PageParams:
    # A coroutine, not ``Depends(PageParams)``: FastAPI instantiates a class dependency in
    # the thread pool, a thread hop on every list request.
    return PageParams.model_construct(page=page, size=size)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


class PageQuery(QueryModel):
    """``page`` and ``size`` for a list route whose other parameters are a ``QueryModel`` too."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="1-based page number.")
    size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    def page_params(self) -> PageParams:
        return PageParams.model_construct(page=self.page, size=self.size)


def make_page(items: Sequence[T], *, total: int, params: PageParams) -> _Page[T]:
    """A page of ``items`` (already limited and offset) out of ``total`` matches."""
    return _Page[T].create(items, params, total=total)
