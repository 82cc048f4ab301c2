from typing import Literal

EventType = Literal["task.completed", "task.created", "task.deleted", "task.updated"]

EVENT_TYPE_VALUES: set[EventType] = {
    "task.completed",
    "task.created",
    "task.deleted",
    "task.updated",
}


def check_event_type(value: str) -> EventType:
    if value in EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EVENT_TYPE_VALUES!r}")
