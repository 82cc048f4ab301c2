"""The route *template* a request matched (``/api/v1/tasks/{task_id}``), never its raw path.

FastAPI >= 0.137 no longer copies included routes: ``scope["route"]`` is the original
route object, whose ``path`` lacks the prefixes of the routers it was included through
(``/tasks/{task_id}`` for ``/api/v1/tasks/{task_id}``). The public ``iter_route_contexts``
gives each route's full template; we index it by route object once, so a request costs
one dict lookup. FastAPI's router sets ``scope["route"]`` for its own routes only: a plain
Starlette route (``/openapi.json``, ``/docs``) or a mount leaves just ``scope["endpoint"]``.
Those, and routes absent from the index (added later, included twice under different
prefixes, inside a mounted app), fall back to matching the request as it arrived against
every route, as OpenTelemetry's FastAPI instrumentation does. No endpoint: no route matched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

UNMATCHED = "unmatched"
"""The one label value every request that matched no route shares (404s, scanners)."""


def arrival(scope: Scope) -> Scope:
    """What routing needs, copied before routing rewrites ``root_path``, ``app`` and friends."""
    return {key: scope[key] for key in ("type", "path", "root_path", "method", "app") if key in scope}


def _index(routes: Iterable[BaseRoute]) -> dict[int, str]:
    templates: dict[int, str] = {}
    ambiguous: set[int] = set()
    for context in iter_route_contexts(list(routes)):
        template = context.path_format
        if template is None:
            continue
        key = id(context.original_route)
        if templates.setdefault(key, template) != template:
            ambiguous.add(key)
    for key in ambiguous:
        del templates[key]
    return templates


def _match(routes: Iterable[BaseRoute], scope: Scope) -> str:
    partial: str | None = None
    for context in iter_route_contexts(list(routes)):
        match, _ = context.matches(dict(scope))
        if match is Match.FULL:
            return context.path_format or UNMATCHED
        if match is Match.PARTIAL and partial is None:
            partial = context.path_format
    return partial or UNMATCHED


class RouteTemplates:
    """Resolves the template of finished requests for one application."""

    def __init__(self) -> None:
        self._index: dict[int, str] | None = None

    def build_index(self, routes: Iterable[BaseRoute]) -> dict[int, str]:
        """Index the routes now. Call it at startup: the first build makes FastAPI resolve every
        included route (tens of milliseconds on the event loop), which must not land on a request."""
        self._index = _index(routes)
        return self._index

    def resolve(self, scope: Scope, arrived: Scope) -> str:
        """``scope`` after the app handled it; ``arrived`` from ``arrival`` before."""
        app: Any = arrived.get("app")
        if app is None or "endpoint" not in scope:
            return UNMATCHED
        # Built here only for an app served without its lifespan (some test clients).
        index = self._index if self._index is not None else self.build_index(app.routes)
        template = index.get(id(scope.get("route")))
        return template if template is not None else _match(app.routes, arrived)
