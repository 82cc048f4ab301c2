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

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageParams(_Params):
    page: int = Query(1, ge=1, le=1_000_000, description="1-based page number.")
    size: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    @property
    def limit(self) -> int:
        return self.size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


Page = _Page
"""``Page[T]``: the response model of every list endpoint."""

PageParamsDep = Annotated[PageParams, Depends()]


def make_page(items: Sequence[T], *, total: int, params: PageParams) -> _Page[T]:
    """A page of ``items`` (already limited and offset) out of ``total`` matches."""
    return _Page[T].create(items, params, total=total)
