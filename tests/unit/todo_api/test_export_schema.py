"""The export's documented schema names exactly the columns the export reads, so the spec
cannot drift from the document (a new column of a table is exported, or deliberately left
out, and documented either way)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from todo_api.repositories.export import LISTS, TASKS, WEBHOOKS, OwnedRows
from todo_api.schemas.export import ExportedList, ExportedTask, ExportedWebhook


@pytest.mark.parametrize(
    ("rows", "model"), [(LISTS, ExportedList), (TASKS, ExportedTask), (WEBHOOKS, ExportedWebhook)]
)
def test_the_documented_fields_are_the_exported_columns(rows: OwnedRows, model: type[BaseModel]) -> None:
    assert set(model.model_fields) == set(rows.columns)


def test_secrets_and_derived_columns_are_never_exported() -> None:
    assert not {"secret", "previous_secret"} & set(WEBHOOKS.columns)
    assert "search_vector" not in TASKS.columns
    assert {"owner_id", "tenant_id", "id"} <= set(TASKS.columns) & set(LISTS.columns) & set(WEBHOOKS.columns)
