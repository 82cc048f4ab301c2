"""SQLAlchemy Core statements, compiled once to the SQL asyncpg runs.

Building and compiling a statement costs far more than running it (about 0.2 ms for a
select of one table), so statements are built from the SQLModel tables with named
``bindparam``s, compiled once, and cached; each execution only fills the parameters in
order. asyncpg then prepares the SQL once per connection and reuses the plan.

Request values are always bound parameters, never literals: a statement is a *shape*, and
the cache is keyed by shape. ``Statement.args`` refuses to run when a named parameter is
missing, so a forgotten value fails loudly instead of silently binding ``NULL``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

_DIALECT = PGDialect_asyncpg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
# What SQLAlchemy learns from a live connection, said here: standard_conforming_strings is
# on (the default since PostgreSQL 9.1), so a literal backslash is not doubled.
_DIALECT._backslash_escapes = False
_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class Statement:
    """Compiled SQL with ``$n`` placeholders and the parameter name of each position."""

    sql: str
    names: tuple[str, ...]
    defaults: tuple[Any, ...]  # a constant the statement itself holds, or _REQUIRED

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        args = []
        for name, default in zip(self.names, self.defaults, strict=True):
            value = values.get(name, default)
            if value is _REQUIRED:
                raise KeyError(f"statement parameter {name!r} has no value")
            args.append(value)
        return args


def compile_statement(clause: ClauseElement) -> Statement:
    """Compile ``clause`` for asyncpg. Named ``bindparam("x")`` without a value must be
    given at execution; a value fixed in the statement (``column.is_(False)``) is kept."""
    compiled = cast(
        SQLCompiler, clause.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    )
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    # Columns an INSERT/UPDATE does not name but whose model has a Python-side default
    # (``Field(default=...)``): SQLAlchemy leaves their value to the execution, so it is
    # taken here, once. Only constants: a per-row default (a callable) has no place in a
    # statement cached by shape.
    prefetched: dict[str, Any] = {}
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if not isinstance(default, ScalarElementColumnDefault):
            raise ValueError(f"column {column.key} has a computed Python default; give its value")
        prefetched[column.key] = default.arg
    defaults = tuple(
        prefetched[name]
        if name in prefetched
        else _REQUIRED
        if binds[name].required
        else binds[name].effective_value
        for name in names
    )
    return Statement(str(compiled), names, defaults)
