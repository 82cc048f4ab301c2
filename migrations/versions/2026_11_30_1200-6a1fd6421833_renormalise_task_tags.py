"""Re-normalise stored task tags (data only): the form the service now stores and matches.

Tags used to be stored trimmed and lower-cased, while list filters normalised differently,
so a tag with a control character was stored but never found, and "Café" typed with a
precomposed "é" and with "e" plus a combining accent were two tags. The service now refuses
control characters (Unicode Cc) and stores and matches every tag as NFC, trimmed and
case-folded (``todo_api.schemas.task.normalize_tag``). This revision brings existing rows to
that form: control characters are removed, each tag normalised, tags left empty dropped,
duplicates merged (first occurrence kept). A row whose tags change gets a new ``version``
(its ETag: the representation changed) and ``updated_at``.

Row-level security: FORCE binds the table's owner too, so the owner running this revision
would see no task at all (no tenant is set). Working tenant by tenant is no way round it:
the tenants are in ``tenant``, under the same FORCE. So this revision lifts FORCE on
``task`` and restores it *in its own transaction*: Alembic runs the upgrade in one
transaction, PostgreSQL's DDL is transactional, and ``ALTER TABLE`` holds an ACCESS
EXCLUSIVE lock on ``task`` until the commit. No other session can see ``task`` without
FORCE, and if anything fails, the rollback restores FORCE with everything else. The price:
requests that touch tasks wait for this revision to finish (rows are read in batches, and
only those whose tags change are written).

The previous release keeps working on this schema (nothing but data changes), though tags
it writes during a rolling upgrade keep its older normal form.

Downgrade is a no-op: the original spellings are gone (which of "Work" and "work" was typed
is not recorded), and the normalised tags are valid for the previous release as they are.

Revision ID: 6a1fd6421833
Revises: 7b2d4e6f8a10
Create Date: 2026-11-30 12:00:00.000000+00:00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6a1fd6421833"
down_revision: str | Sequence[str] | None = "7b2d4e6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def normalised(tags: Sequence[str]) -> list[str]:
    """The tags in this revision's normal form (frozen here, so re-running this revision
    later means what it meant today, whatever the service's code has become)."""
    forms = []
    for tag in tags:
        visible = "".join(c for c in tag if unicodedata.category(c) != "Cc")
        form = unicodedata.normalize("NFC", unicodedata.normalize("NFC", visible).strip().casefold())
        if form:
            forms.append(form)
    return list(dict.fromkeys(forms))


def upgrade() -> None:
    connection = op.get_bind()
    op.execute("ALTER TABLE task NO FORCE ROW LEVEL SECURITY")
    select = sa.text("SELECT id, tags FROM task WHERE tags <> '{}' AND id > :after ORDER BY id LIMIT :batch")
    update = sa.text("UPDATE task SET tags = :tags, version = version + 1, updated_at = now() WHERE id = :id")
    after = "00000000-0000-0000-0000-000000000000"
    while rows := connection.execute(select, {"after": after, "batch": BATCH}).all():
        changed = [{"id": id_, "tags": form} for id_, tags in rows if (form := normalised(tags)) != tags]
        if changed:
            connection.execute(update, changed)
        after = rows[-1].id
    op.execute("ALTER TABLE task FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    """Nothing to undo: see the module's docstring."""
