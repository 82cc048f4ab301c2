"""The export's documented schema names exactly the columns the export reads, so the spec
cannot drift from the document (a new column of a table is exported, or deliberately left
out, and documented either way)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from todo_api.repositories.export import ListPages, OwnedPages, TaskPages, TokenPages, WebhookPages
from todo_api.schemas.export import ExportedList, ExportedTask, ExportedToken, ExportedWebhook


@pytest.mark.parametrize(
    ("rows", "model"),
    [
        (ListPages, ExportedList),
        (TaskPages, ExportedTask),
        (WebhookPages, ExportedWebhook),
        (TokenPages, ExportedToken),
    ],
)
def test_the_documented_fields_are_the_exported_columns(
    rows: type[OwnedPages], model: type[BaseModel]
) -> None:
    assert set(model.model_fields) == set(rows.columns())


def test_secrets_and_derived_columns_are_never_exported() -> None:
    assert not {"secret", "previous_secret"} & set(WebhookPages.columns())
    assert "search_vector" not in TaskPages.columns()
    assert "secret_hash" not in TokenPages.columns()
    common = set(TaskPages.columns()) & set(ListPages.columns()) & set(WebhookPages.columns())
    assert {"owner_id", "tenant_id", "id"} <= common
