from typing import Literal

TasksOfDeletedList = Literal["delete"]

TASKS_OF_DELETED_LIST_VALUES: set[TasksOfDeletedList] = {
    "delete",
}


def check_tasks_of_deleted_list(value: str) -> TasksOfDeletedList:
    if value in TASKS_OF_DELETED_LIST_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TASKS_OF_DELETED_LIST_VALUES!r}")
