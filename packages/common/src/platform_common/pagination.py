"""Pages of results: ``{"items", "total", "page", "size", "pages"}``.

``PageQuery`` is the ``page`` and ``size`` query parameters (page >= 1, 1 <= size <= 100,
default 20), parsed in one validation like every ``QueryModel``; a list route's own
filters extend it. ``Page[T]`` is the response model of every list.

``items`` is a ``list``: pydantic serialises a list in its core, while a ``Sequence``
field goes through a Python wrapper per page (a few percent of a list request).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, Field

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
    """A page of ``items`` (already limited and offset) out of ``total`` matches."""
    return Page[T].model_construct(
        items=list(items),
        total=total,
        page=query.page,
        size=query.size,
        pages=math.ceil(total / query.size),
    )
