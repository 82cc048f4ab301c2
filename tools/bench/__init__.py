"""``task bench``: the Performance issue's load benchmark of todo-api (``python -m tools.bench``)."""
