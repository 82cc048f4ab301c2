"""Task requests and responses."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib.resources import files
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from platform_common.pagination import PageQuery
from todo_api.models.task import TaskPriority
from todo_api.schemas.common import (
    NO_NUL,
    NON_BLANK,
    ReadModel,
    RequestModel,
    SafeStr,
)
from todo_api.schemas.datetimes import StoredDateTime, UtcDateTime

MAX_TAGS = 20
DEFAULT_SORT = "-created_at"
# With a list_id or a parent_id, the manual order.
DEFAULT_LIST_SORT = "position"
SORT_FIELDS = ("created_at", "updated_at", "due_at", "priority", "title", "position")
_SORT_KEY = f"-?({'|'.join(SORT_FIELDS)})"
# The allow-list is in the pattern, so the spec tells clients exactly which keys exist.
SORT_PATTERN = f"^{_SORT_KEY}(,{_SORT_KEY})*$"

# IANA zones from the pinned tzdata package (not the host's database), so the spec is the
# same on every machine.
TimeZoneName = StrEnum(  # type: ignore[misc]
    "TimeZoneName", {zone: zone for zone in files("tzdata").joinpath("zones").read_text().split()}
)

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NON_BLANK),
    Field(examples=["Write the quarterly report"]),
]
Description = Annotated[
    str, Field(max_length=10_000, pattern=NO_NUL, examples=["Numbers from finance first."])
]
# Cc: the C0 controls, DEL and the C1 controls. A tag holding one is refused (422), not
# stored: invisible, it would make two tags that look the same.
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f"
# Unicode's White_Space without its Cc members: what remains around a tag to trim.
SPACE_CLASS = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# No control character, and at least one character that is not a space; checked on the
# value as sent, before it is trimmed.
TAG_PATTERN = rf"^[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{SPACE_CLASS}][^{CONTROL_CLASS}]*$"


def normalize_tag(tag: str) -> str:
    """The one form a tag is stored and matched in: NFC, trimmed, case-folded (``"Café"``
    typed precomposed or with a combining accent, ``" CAFÉ "``: one tag, ``"café"``).
    Python's ``strip()`` removes exactly the pattern's spaces once controls are excluded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", tag).strip().casefold())


Tag = Annotated[
    str,
    Field(min_length=1, max_length=50, pattern=TAG_PATTERN),
    AfterValidator(normalize_tag),
]


def _distinct(tags: list[str]) -> list[str]:
    unique = list(dict.fromkeys(tags))
    if len(unique) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} distinct tags")
    return unique


# maxItems is the limit itself, so every list the schema allows is accepted (the distinct
# check below can then only merge duplicates such as "Work" and "work").
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS, examples=[["work", "q3"]]), AfterValidator(_distinct)]


class TaskCreate(RequestModel):
    title: Title
    description: Description = ""
    priority: TaskPriority = TaskPriority.NORMAL
    due_at: UtcDateTime | None = Field(default=None, examples=["2026-12-01T17:00:00+01:00"])
    tags: Tags = Field(default_factory=list)
    completed: StrictBool = False
    list_id: uuid.UUID | None = Field(
        default=None, description="The list to create it in; your default list if absent."
    )
    parent_id: uuid.UUID | None = Field(
        default=None, description="A task of the same list to nest it under (at most 4 levels deep)."
    )


class TaskMove(RequestModel):
    """Where to put a task (and its subtasks). The list: ``list_id``, else the parent's,
    else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
    the current one while the list stays, else the top level. The place among its new
    siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
    else right before ``before_id``, else last."""

    list_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    after_id: uuid.UUID | None = None
    before_id: uuid.UUID | None = None


class TaskUpdate(RequestModel):
    """JSON merge patch: absent fields stay as they are; ``null`` clears ``description`` and
    ``due_at``. The other fields may be omitted but not null (defaults are never validated,
    so ``None`` below only ever means "absent")."""

    # The ignores keep these non-nullable in the schema while None marks them absent.
    title: Title = Field(default=None)  # type: ignore[assignment]
    description: Description | None = None
    priority: TaskPriority = Field(default=None)  # type: ignore[assignment]
    due_at: UtcDateTime | None = None
    tags: Tags = Field(default=None)  # type: ignore[arg-type]
    completed: StrictBool = Field(default=None)  # type: ignore[assignment]

    def changes(self) -> dict[str, object]:
        """The fields the client sent; a cleared description becomes empty."""
        sent = self.model_dump(exclude_unset=True)
        if "description" in sent and sent["description"] is None:
            sent["description"] = ""
        return sent


class TaskRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "title": "Write the quarterly report",
                    "description": "Numbers from finance first.",
                    "completed": False,
                    "completed_at": None,
                    "priority": "high",
                    "due_at": "2026-12-01T16:00:00Z",
                    "tags": ["work", "q3"],
                    "list_id": "9b2c1f4e-3d5a-4b6c-8e7f-0a1b2c3d4e5f",
                    "parent_id": None,
                    "position": "a0",
                    "created_at": "2026-11-20T09:30:00Z",
                    "updated_at": "2026-11-20T09:30:00Z",
                    "deleted_at": None,
                    "version": 1,
                }
            ]
        },
    )

    id: uuid.UUID
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    priority: TaskPriority
    due_at: StoredDateTime | None
    tags: list[str]
    list_id: uuid.UUID
    parent_id: uuid.UUID | None
    position: str = Field(description="Opaque ordering key among the task's siblings; compare as bytes.")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = Field(description="When the task went to the trash; null outside it.")
    version: int


class TaskStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"total": 12, "completed": 5, "open": 7, "overdue": 2, "due_today": 1}]
        }
    )

    total: int
    completed: int
    open: int
    overdue: int
    due_today: int


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class TaskFilter:
    completed: bool | None = None
    priorities: Sequence[TaskPriority] = ()
    due_before: datetime | None = None
    due_after: datetime | None = None
    tags: Sequence[str] = ()
    search: str | None = None
    overdue: bool | None = None
    list_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


class TaskQuery(PageQuery):
    """The list's query string: filters, sort and page (``GET /tasks?priority=high&sort=-due_at``)."""

    completed: bool | None = None
    priority: list[TaskPriority] | None = Field(default=None, description="Repeatable; any may match.")
    due_before: UtcDateTime | None = None
    due_after: UtcDateTime | None = None
    tag: list[Tag] | None = Field(
        default=None,
        max_length=MAX_TAGS,
        description="Repeatable; all must match. Compared in the form tags are stored in (NFC, trimmed, case-folded).",
    )
    q: SafeStr | None = Field(
        default=None, max_length=200, description="Case-insensitive text in title or description."
    )
    overdue: bool | None = None
    list_id: uuid.UUID | None = Field(default=None, description="Only the tasks of this list (every level).")
    parent_id: uuid.UUID | None = Field(default=None, description="Only the subtasks of this task.")
    sort: str | None = Field(
        default=None,
        max_length=200,
        pattern=SORT_PATTERN,
        description=(
            f"Comma-separated keys from {sorted(SORT_FIELDS)}; '-' for descending. Default: "
            f"'{DEFAULT_LIST_SORT}' with a list_id or parent_id (the manual order), else '{DEFAULT_SORT}'."
        ),
    )

    def task_filter(self) -> TaskFilter:
        return TaskFilter(
            completed=self.completed,
            priorities=tuple(self.priority or ()),
            due_before=self.due_before,
            due_after=self.due_after,
            tags=tuple(self.tag or ()),
            search=self.q or None,
            overdue=self.overdue,
            list_id=self.list_id,
            parent_id=self.parent_id,
        )

    def sort_keys(self) -> tuple[SortKey, ...]:
        ordered = self.list_id is not None or self.parent_id is not None
        sort = self.sort or (DEFAULT_LIST_SORT if ordered else DEFAULT_SORT)
        return tuple(SortKey(part.lstrip("-"), part.startswith("-")) for part in sort.split(","))
