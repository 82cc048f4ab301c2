"""Query parameters parsed in one validation, documented as FastAPI would document them.

FastAPI validates each declared query parameter on its own and re-derives, on every
request, facts about each parameter's annotation (is it a sequence? a model? which
aliases?). A list route with ten filters paid about a quarter of its CPU for that. A
``QueryModel`` is read from the query string in one pass and validated by pydantic in one
call; the route documents the same parameters through ``openapi_extra``::

    class TaskQuery(QueryModel):
        completed: bool | None = None
        tag: Annotated[list[str] | None, Field(max_length=20)] = None

    @router.get("", openapi_extra=TaskQuery.openapi())
    async def list_tasks(query: Annotated[TaskQuery, Depends(TaskQuery.from_request)]) -> ...

A list field reads every occurrence of its name (``?tag=a&tag=b``); others read the last.
Errors are FastAPI's own 422 (``RequestValidationError``), located at ``("query", name)``.
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar, Self

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError

REF_TEMPLATE = "#/components/schemas/{model}"

# Schemas the documented parameters refer to ($ref), merged into components.schemas.
QUERY_SCHEMA_DEFINITIONS: dict[str, Any] = {}


def _is_list(annotation: object) -> bool:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    return typing.get_origin(annotation) in (list, tuple, set, frozenset)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, null]`` is X: a query string cannot carry a JSON null (absence is how a
    client leaves an optional parameter out)."""
    variants = schema.get("anyOf")
    if not variants:
        return schema
    non_null = [variant for variant in variants if variant.get("type") != "null"]
    if len(non_null) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**non_null[0], **rest}


class QueryModel(BaseModel):
    """Base of a route's query parameters (unknown parameters are ignored, as FastAPI does)."""

    model_config = ConfigDict(extra="ignore")

    _lists: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._lists = frozenset(
            field.alias or name for name, field in cls.model_fields.items() if _is_list(field.annotation)
        )

    @classmethod
    async def from_request(cls, request: Request) -> Self:
        params = request.query_params
        values: dict[str, Any] = {}
        for name in params:
            if name in cls._lists:
                values[name] = params.getlist(name)
            else:
                values[name] = params[name]
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
            ) from None

    @classmethod
    def openapi(cls) -> dict[str, Any]:
        """``openapi_extra`` for the route: one parameter per field, as FastAPI writes them."""
        schema = cls.model_json_schema(ref_template=REF_TEMPLATE, by_alias=True)
        QUERY_SCHEMA_DEFINITIONS.update(schema.pop("$defs", {}))
        required = set(schema.get("required", ()))
        parameters = []
        for name, prop in schema["properties"].items():
            parameter: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": _without_null(prop),
            }
            if "description" in prop:
                parameter["description"] = prop["description"]
            parameters.append(parameter)
        # FastAPI documents a 422 for any operation with parameters (the envelope replaces the body).
        return {"parameters": parameters, "responses": {"422": {"description": "Invalid request"}}}
