"""Generate the SDK's typed layer, ``packages/client/src/todo_client/generated``, from ``openapi.json``.

``--check`` writes nothing and exits 1 when the committed code differs from what the generator
makes of the committed spec (the test suite runs it, so CI catches a spec changed without its
client). The generator is openapi-python-client at the version ``uv.lock`` pins, with
``packages/client/openapi-python-client.yaml``; its post-hooks run ruff with fixed options.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.json"
CLIENT = ROOT / "packages" / "client"
CONFIG = CLIENT / "openapi-python-client.yaml"
TARGET = CLIENT / "src" / "todo_client" / "generated"
BIN = Path(sys.executable).parent  # openapi-python-client and ruff (its post-hooks) live here


def generate(output: Path) -> None:
    """Write the generated package to ``output`` (which must not exist)."""
    command = [
        str(BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(SPEC),
        "--meta",
        "none",
        "--config",
        str(CONFIG),
        "--output-path",
        str(output),
    ]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}")


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ, or exist on one side only (relative paths), caches aside."""
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files, *comparison.funny_files]
    for name, sub in comparison.subdirs.items():
        found += [f"{name}/{path}" for path in differences(Path(sub.left), Path(sub.right))]
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "generated"
        generate(fresh)
        if args.check:
            stale = differences(TARGET, fresh) if TARGET.exists() else ["(missing)"]
            if stale:
                print("stale generated client files: " + ", ".join(stale), file=sys.stderr)
                print("run ./tools/task client and commit the result", file=sys.stderr)
                return 1
            print(f"{TARGET.relative_to(ROOT)} is up to date")
            return 0
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(fresh, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
