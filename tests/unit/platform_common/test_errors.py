from __future__ import annotations

import pytest

from platform_common.error_handlers import source_for_location, validation_error_objects
from platform_common.errors import (
    Conflict,
    ErrorEnvelope,
    ErrorSource,
    Forbidden,
    NotFound,
    Unauthorized,
    error_responses,
)


@pytest.mark.parametrize(
    ("loc", "source"),
    [
        (("body", "title"), ErrorSource(pointer="/title")),
        (("body", "tags", 2), ErrorSource(pointer="/tags/2")),
        (("body", "a/b", "c~d"), ErrorSource(pointer="/a~1b/c~0d")),
        (("body",), ErrorSource(pointer="")),
        (("query", "size"), ErrorSource(parameter="size")),
        (("path", "task_id"), ErrorSource(parameter="task_id")),
        (("header", "if-match"), ErrorSource(header="if-match")),
        ((), None),
    ],
)
def test_locations_become_json_api_sources(loc: tuple[str | int, ...], source: ErrorSource | None) -> None:
    assert source_for_location(loc) == source


def test_one_error_object_per_problem_without_echoing_input() -> None:
    objects = validation_error_objects(
        [
            {"loc": ("body", "title"), "msg": "Field required", "input": "s3cret"},
            {"loc": ("query", "size"), "msg": "too big", "input": 1000},
        ]
    )
    assert [o.source for o in objects] == [ErrorSource(pointer="/title"), ErrorSource(parameter="size")]
    assert all(o.status == "422" and o.code == "validation_error" for o in objects)
    assert "s3cret" not in str([o.model_dump() for o in objects])


def test_errors_carry_their_status_code_and_title() -> None:
    error = NotFound("Task not found").to_error_object()
    assert (error.status, error.code, error.title, error.detail) == (
        "404",
        "not_found",
        "Resource not found",
        "Task not found",
    )


def test_unauthorized_asks_for_a_bearer_token() -> None:
    assert Unauthorized().headers["WWW-Authenticate"] == "Bearer"


def test_error_responses_document_the_envelope_once_per_status() -> None:
    responses = error_responses(NotFound, Forbidden, Conflict, NotFound)
    assert sorted(responses) == [403, 404, 409]
    assert all(r["model"] is ErrorEnvelope for r in responses.values())
