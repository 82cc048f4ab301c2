from typing import Literal

Scope = Literal["lists:read", "lists:write", "tasks:read", "tasks:write", "webhooks:read", "webhooks:write"]

SCOPE_VALUES: set[Scope] = {
    "lists:read",
    "lists:write",
    "tasks:read",
    "tasks:write",
    "webhooks:read",
    "webhooks:write",
}


def check_scope(value: str) -> Scope:
    if value in SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SCOPE_VALUES!r}")
