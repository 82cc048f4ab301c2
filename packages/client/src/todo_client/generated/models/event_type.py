from typing import Literal

EventType = Literal[
    "list.created",
    "list.deleted",
    "list.updated",
    "task.completed",
    "task.created",
    "task.deleted",
    "task.moved",
    "task.restored",
    "task.updated",
]

EVENT_TYPE_VALUES: set[EventType] = {
    "list.created",
    "list.deleted",
    "list.updated",
    "task.completed",
    "task.created",
    "task.deleted",
    "task.moved",
    "task.restored",
    "task.updated",
}


def check_event_type(value: str) -> EventType:
    if value in EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EVENT_TYPE_VALUES!r}")
