"""DATABASE_POOLER=transaction: what changes when a transaction-pooling PgBouncer is in front."""

from __future__ import annotations

from platform_common.db.database import _begin_sql
from platform_common.db.settings import DatabaseSettings

URL = "postgresql://todo_app@pooler.internal:6432/todo"


def test_direct_connections_cache_statements_and_begin_plainly() -> None:
    settings = DatabaseSettings(database_url=URL, database_statement_timeout_ms=2500)
    assert settings.statement_cache_size == 1024
    assert _begin_sql(settings) == "BEGIN"  # the timeout is a startup parameter instead


def test_behind_a_transaction_pooler_no_statement_is_named_and_the_timeout_is_per_transaction() -> None:
    settings = DatabaseSettings(
        database_url=URL,
        database_pooler="transaction",
        database_statement_cache_size=1024,
        database_statement_timeout_ms=2500,
    )
    assert settings.statement_cache_size == 0
    assert _begin_sql(settings) == "BEGIN; SET LOCAL statement_timeout = 2500"


def test_without_a_timeout_the_pooled_transaction_begins_plainly() -> None:
    settings = DatabaseSettings(
        database_url=URL, database_pooler="transaction", database_statement_timeout_ms=0
    )
    assert _begin_sql(settings) == "BEGIN"
