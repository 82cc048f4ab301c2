"""The narrow way to read before a tenant is known: declared ``SECURITY DEFINER`` functions.

A few reads must happen before the request's tenant is known: the account behind an e-mail
at login, the tenant of a refresh token. The runtime role cannot read those tables without
a tenant (row-level security fails closed), and must not be able to: so each such read is a
SQL function, created by a migration and owned by the schema owner, that takes the value
the caller already holds (an exact e-mail, a token's hash) and returns only the columns the
flow needs (never, say, another account's whole row). The runtime role may execute the
function and nothing more.

A service declares each function once as a ``PreTenantLookup``; ``Transaction.lookup`` runs
only those. ``platform_common.db.rls.create_lookup_function`` writes the SQL in migrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class PreTenantLookup:
    """``SELECT * FROM <function>($1, ...)``: one row or none (``Transaction.lookup``), or
    every row (``Transaction.lookup_all``). Also the functions keyed by a row of the
    transaction's own tenant that reach beyond it (a membership's person)."""

    function: str
    arity: int
    sql: str = field(init=False)

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.function):
            raise ValueError(f"not a plain SQL identifier: {self.function!r}")
        placeholders = ", ".join(f"${n}" for n in range(1, self.arity + 1))
        # The name is a checked identifier and the arguments are placeholders: nothing to inject.
        object.__setattr__(self, "sql", f"SELECT * FROM {self.function}({placeholders})")  # noqa: S608
