"""Write the OpenAPI spec of todo-api to ``openapi.json`` at the repository root.

``--check`` writes nothing and exits 1 when the file is missing or differs from what the
code produces (for CI). Building the spec needs no database: the app factory does not
connect until its lifespan starts, which this never does.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from todo_api.core.config import Settings
from todo_api.main import create_app

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "openapi.json"


def render_spec() -> str:
    app = create_app(Settings(database_url="postgresql://export@localhost/export"))
    return json.dumps(app.openapi(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the file is not up to date")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    output: Path = args.output

    spec = render_spec()
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current == spec:
            print(f"{output.name} is up to date")
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            spec.splitlines(keepends=True),
            fromfile=f"{output.name} (committed)",
            tofile=f"{output.name} (from the code)",
            n=2,
        )
        sys.stdout.writelines(diff)
        print(f"\n{output.name} is stale: run ./tools/task openapi and commit it", file=sys.stderr)
        return 1
    output.write_text(spec, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
