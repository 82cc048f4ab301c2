"""The values table of the chart's README, generated from ``values.yaml`` and its comments.

Each key's row holds its dotted path, type, default and description: the comment lines right
above the key, and a comment at the end of its line. Keys inside lists are the list's
default, not rows of their own, and so are the keys of a mapping written inline. A mapping
whose keys have lines of their own gets a row only when it has a comment (they have theirs). ``--check`` fails when the README's table is stale (the test
suite runs it); without it the table between the README's markers is rewritten.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy" / "helm" / "todo-api"
VALUES = CHART / "values.yaml"
README = CHART / "README.md"
START, END = "<!-- values-table:start -->", "<!-- values-table:end -->"
KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)$")
MISSING = object()


def _lookup(values: object, path: list[str]) -> object:
    for key in path:
        if not isinstance(values, dict) or key not in values:
            return MISSING
        values = values[key]
    return values


def _type(value: object) -> str:
    for kind, name in (
        (bool, "bool"),
        (int, "int"),
        (float, "number"),
        (str, "string"),
        (list, "list"),
        (dict, "object"),
    ):
        if isinstance(value, kind):
            return name
    return "null"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def rows(text: str) -> list[tuple[str, str, str, str]]:
    """(key, type, default, description) for every documented or leaf key, in file order."""
    values = yaml.safe_load(text)
    comment: list[str] = []
    stack: list[tuple[int, str]] = []
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            comment = []
            continue
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        match = KEY.match(line)
        if match is None:  # a list item or a continuation
            comment = []
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"]))
        path = [key for _, key in stack]
        value = _lookup(values, path)
        _, _, inline = match["rest"].partition("  #")
        description = " ".join([*comment, inline.strip()]).strip()
        comment = []
        if value is MISSING:
            continue
        written_inline = bool(match["rest"].partition("#")[0].strip())  # e.g. {cpu: 1, memory: 2Mi}
        section = isinstance(value, dict) and bool(value) and not written_inline
        if section and not description:
            continue
        default = "" if section else f"`{json.dumps(value, separators=(', ', ': '))}`"
        found.append((".".join(path), _type(value), default, description))
    return found


def table(text: str) -> str:
    lines = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{key}` | {kind} | {_cell(default)} | {_cell(description)} |"
        for key, kind, default, description in rows(text)
    ]
    return "\n".join(lines)


def with_table(readme: str, generated: str) -> str:
    before, _, rest = readme.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{generated}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the README's table is stale")
    args = parser.parse_args(argv)
    readme = README.read_text()
    if START not in readme or END not in readme:
        print(f"{README} has no {START} ... {END} markers", file=sys.stderr)
        return 1
    updated = with_table(readme, table(VALUES.read_text()))
    if args.check:
        if updated != readme:
            print("the chart README's values table is stale: run ./tools/task chart:docs", file=sys.stderr)
            return 1
        print("the chart README's values table is up to date")
        return 0
    README.write_text(updated)
    print(f"wrote the values table of {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
