"""Task requests and responses."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from platform_common.http.query import QueryModel
from platform_common.pagination import PageQuery
from todo_api.models.task import TaskPriority
from todo_api.schemas.common import (
    NO_NUL,
    NON_BLANK,
    WHITESPACE,
    ReadModel,
    RequestModel,
)
from todo_api.schemas.datetimes import StoredDateTime, UtcDateTime
from todo_api.schemas.recurrence import Recurrence

MAX_TAGS = 20
DEFAULT_SORT = "-created_at"
# With a list_id or a parent_id, the manual order.
DEFAULT_LIST_SORT = "position"
SORT_FIELDS = ("created_at", "updated_at", "due_at", "priority", "title", "position")
_SORT_KEY = f"-?({'|'.join(SORT_FIELDS)})"
# The allow-list is in the pattern, so the spec tells clients exactly which keys exist.
SORT_PATTERN = f"^{_SORT_KEY}(,{_SORT_KEY})*$"

# ``q``: at most MAX_SEARCH_WORDS words of at most MAX_SEARCH_WORD_LENGTH characters, split at
# whitespace (the pattern is the limit, so the spec states it and clients can check it).
MAX_SEARCH_WORDS, MAX_SEARCH_WORD_LENGTH = 10, 64
_SEARCH_WORD = rf"[^\x00{WHITESPACE}]{{1,{MAX_SEARCH_WORD_LENGTH}}}"
SEARCH_PATTERN = (
    rf"^[{WHITESPACE}]*({_SEARCH_WORD}([{WHITESPACE}]+{_SEARCH_WORD}){{0,{MAX_SEARCH_WORDS - 1}}}"
    rf"[{WHITESPACE}]*)?$"
)
_SEARCH_SEPARATOR = re.compile(f"[{WHITESPACE}]+")


def search_words(q: str | None) -> tuple[str, ...]:
    """The words of ``q`` to search for. One without a letter or digit ("-", "%") is left
    out: the text search indexes no punctuation, so no task could contain it as a word."""
    return tuple(word for word in _SEARCH_SEPARATOR.split(q or "") if any(c.isalnum() for c in word))


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
    recurrence: Recurrence | None = None
    list_id: uuid.UUID | None = Field(
        default=None, description="The list to create it in; your default list if absent."
    )
    parent_id: uuid.UUID | None = Field(
        default=None, description="A task of the same list to nest it under (at most 4 levels deep)."
    )

    @field_validator("recurrence")
    @classmethod
    def _needs_due_at(cls, rule: str | None, info: ValidationInfo) -> str | None:
        if rule is not None and info.data.get("due_at") is None:
            raise ValueError("a recurring task needs a due_at")
        return rule


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
    """JSON merge patch: absent fields stay as they are; ``null`` clears ``description``,
    ``due_at`` and ``recurrence``. The other fields may be omitted but not null (defaults are
    never validated, so ``None`` below only ever means "absent")."""

    # The ignores keep these non-nullable in the schema while None marks them absent.
    title: Title = Field(default=None)  # type: ignore[assignment]
    description: Description | None = None
    priority: TaskPriority = Field(default=None)  # type: ignore[assignment]
    due_at: UtcDateTime | None = None
    tags: Tags = Field(default=None)  # type: ignore[arg-type]
    completed: StrictBool = Field(default=None)  # type: ignore[assignment]
    recurrence: Recurrence | None = None

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
                    "recurrence": "FREQ=MONTHLY;BYDAY=1TU",
                    "next_occurrence_id": None,
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
    # Defaults: responses stored for idempotent replay before these fields existed still read.
    recurrence: str | None = None
    next_occurrence_id: uuid.UUID | None = Field(
        default=None, description="The occurrence that completing this recurring task created."
    )
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
    search: Sequence[str] = ()  # words, each the prefix of a word of the title or description
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
    q: str | None = Field(
        default=None,
        max_length=200,
        pattern=SEARCH_PATTERN,
        description=(
            "Word-prefix search of title and description: every word of `q` (split at"
            f" whitespace; at most {MAX_SEARCH_WORDS}, each at most {MAX_SEARCH_WORD_LENGTH} characters)"
            " must begin a word of the task, in any case (`rep fin` finds 'Write the report' with"
            " 'Numbers from finance'). Punctuation separates words and is not searched for: a `q`"
            " without letters or digits filters nothing."
        ),
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
            search=search_words(self.q),
            overdue=self.overdue,
            list_id=self.list_id,
            parent_id=self.parent_id,
        )

    def sort_keys(self) -> tuple[SortKey, ...]:
        ordered = self.list_id is not None or self.parent_id is not None
        sort = self.sort or (DEFAULT_LIST_SORT if ordered else DEFAULT_SORT)
        return tuple(SortKey(part.lstrip("-"), part.startswith("-")) for part in sort.split(","))


class DeltaQuery(QueryModel):
    """``GET /tasks/delta?cursor=&size=``."""

    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The next_cursor of the previous answer; absent to start a full sync.",
    )
    size: int = Field(default=100, ge=1, le=500, description="At most this many changes (items and deleted).")


class TaskDelta(BaseModel):
    """What changed since a cursor, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [TaskRead.model_config["json_schema_extra"]["examples"][0]],  # type: ignore[index]
                    "deleted": ["16fd2706-8baf-433b-82eb-8c7fada847da"],
                    "next_cursor": "AX7n...",
                    "has_more": False,
                }
            ]
        },
    )

    items: list[TaskRead] = Field(description="Tasks created or changed, as they now are.")
    deleted: list[uuid.UUID] = Field(
        description="Ids of tasks deleted; may name tasks this client never received (ignore those)."
    )
    next_cursor: str = Field(description="Where the next request continues (also when nothing changed).")
    has_more: bool = Field(description="More changes are waiting: ask again with next_cursor at once.")
