"""The ``Allow`` header of a 405: every method the spec documents for the request's path.

Starlette answers 405 with the methods of the first route whose path matched, which is
wrong when one path has several routes (``GET`` and ``PATCH /users/me`` are two). The
OpenAPI paths are the contract clients see, so ``Allow`` is computed from them, the most
specific template winning (``/users/me`` over ``/users/{user_id}``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{[^/}]+\}")


@cache
def _compile(template: str) -> re.Pattern[str]:
    pattern = "".join(
        "[^/]+" if _PARAMETER.fullmatch(part) else re.escape(part)
        for part in re.split(r"(\{[^/}]+\})", template)
        if part
    )
    return re.compile(f"^{pattern}$")


def allowed_methods(spec: dict[str, Any], path: str) -> list[str]:
    matches = [
        (len(_PARAMETER.findall(template)), operations)
        for template, operations in spec.get("paths", {}).items()
        if _compile(template).match(path)
    ]
    if not matches:
        return []
    _, operations = min(matches, key=lambda match: match[0])
    return [method.upper() for method in _HTTP_METHODS if method in operations]
