"""Every ``pattern`` in the spec means the same to the server as to JSON Schema.

Clients, validators and fuzzers read a pattern as ECMA-262 (``regress``, Rust's ECMA
engine, here); the server runs it on pydantic's engine. The dialects differ exactly where
it hurts: ``$`` before a final newline, what ``\\s`` covers (NEL, U+001C..U+001F, the BOM).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pytest
import regress
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from todo_api.schemas.common import RequestModel, TenantName
from todo_api.schemas.task import Tag, Title

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = json.loads((ROOT / "openapi.json").read_text())

# Request bodies use RequestModel's engine; query, header and form parameters pydantic's default.
SERVER_ENGINES = sorted({RequestModel.model_config.get("regex_engine", "rust-regex"), "rust-regex"})

TRICKY = [
    "\x00", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x7f",
    "\x85", "\xa0", "\u1680", "\u180e", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029",
    "\u202f", "\u205f", "\u3000", "\ufeff", "\u00e9", "\U0001f600",
]  # fmt: skip
# Values each pattern of the spec accepts, to hang the tricky characters on.
BASES = [
    "",
    "a",
    "acme",
    "x-1",
    "password",
    "title",
    "-due_at,title",
    "Write the report",
    "a@b.io",
    "ü@bücher.example",
]


def corpus() -> Iterator[str]:
    yield from BASES
    for base in BASES:
        for char in TRICKY:
            yield from (base + char, char + base, base + char + base, base + "\r\n")
    yield from TRICKY


def patterns(node: Any) -> Iterator[str]:
    """Every ``pattern`` keyword anywhere in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from patterns(item)


@cache
def server(pattern: str, engine: str) -> TypeAdapter[str]:
    return TypeAdapter(Annotated[str, Field(pattern=pattern)], config=ConfigDict(regex_engine=engine))


def server_accepts(adapter: TypeAdapter[Any], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


@cache
def ecma(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")  # the u flag, as Ajv and most validators compile it


def ecma_accepts(pattern: str, text: str) -> bool:
    return ecma(pattern).find(text) is not None


SPEC_PATTERNS = sorted(set(patterns(SPEC)))


def test_the_spec_has_patterns_to_check() -> None:
    assert len(SPEC_PATTERNS) >= 5


@pytest.mark.parametrize("engine", SERVER_ENGINES)
@pytest.mark.parametrize("pattern", SPEC_PATTERNS)
def test_a_pattern_means_the_same_in_both_dialects(pattern: str, engine: str) -> None:
    adapter = server(pattern, engine)
    disagreements = [
        text for text in corpus() if server_accepts(adapter, text) != ecma_accepts(pattern, text)
    ]
    assert disagreements == []


@pytest.mark.parametrize("field", [Title, TenantName, Tag], ids=["Title", "TenantName", "Tag"])
def test_stripping_and_the_pattern_agree_on_what_is_blank(field: Any) -> None:
    """The server strips whitespace before checking; the spec checks the value as sent. They
    agree when the pattern's whitespace is the stripped set, for every character of the BMP
    (where all whitespace lives)."""
    adapter = TypeAdapter(field)
    [pattern] = set(patterns(adapter.json_schema()))
    disagreements = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF  # surrogates are not characters
        and server_accepts(adapter, chr(code)) != ecma_accepts(pattern, chr(code))
    ]
    assert disagreements == []
