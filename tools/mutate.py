"""``task mutate``: mutation testing of the security-critical modules, with cosmic-ray.

Each target is one module and the fast tests that must fail when any of its rules is broken
(unit tests, and the integration tests of that rule on the real PostgreSQL). cosmic-ray
changes the module on disk one operator at a time (``==`` to ``>=``, ``and`` to ``or``, a
number, a ``not``...) and runs those tests against each mutant: a mutant they still pass is
a *survivor*, a rule no test holds. The aim is none.

    ./tools/task mutate                        # every target (hours on two cores)
    ./tools/task mutate -- client_ip tokens    # some
    ./tools/task mutate -- --list              # the targets and their tests

Needs TEST_DATABASE_URL (a superuser URL, as for the tests) for the targets with
integration tests: otherwise each mutant's run starts an embedded server of its own.
Sessions and reports go to ``reports/mutate/``; the exit code is 1 when anything survived.

The mutants live in a copy of the tree (``.data/mutate/tree/``: the files git tracks, and
the untracked ones it does not ignore, as they are now), imported ahead of the editable
installs through ``PYTHONPATH``: the working tree is never changed, so the tests and tools
can keep running there meanwhile, and an interrupted run leaves nothing to restore.

Why cosmic-ray and not mutmut: mutmut 3 imports the mutants from a copy of the tree whose
sources must sit under ``./``, ``src/`` or ``source/``; this workspace has one ``src/`` per
package. cosmic-ray changes a file in place and runs any command against it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports" / "mutate"
# Under .data/ (git-ignored, and not read by tools/task's fingerprint of the pyproject files).
TREE = ROOT / ".data" / "mutate" / "tree"
# Where the workspace's packages are imported from (their editable installs point at ROOT).
SOURCES = ("packages/common/src", "packages/client/src", "services/todo-api/src", "services/dispatcher/src")
API_TESTS = "tests/integration/todo_api/api"


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]


TARGETS: dict[str, Target] = {
    "client_ip": Target(
        "packages/common/src/platform_common/http/client_ip.py",
        ("tests/unit/platform_common/test_client_ip.py",),
    ),
    "tokens": Target(
        "packages/common/src/platform_common/auth/tokens.py",
        ("tests/unit/platform_common/auth/test_tokens.py",),
    ),
    "opaque": Target(
        "packages/common/src/platform_common/auth/opaque.py",
        ("tests/unit/platform_common/auth/test_opaque.py", f"{API_TESTS}/test_refresh_token_rules.py"),
    ),
    "idempotency": Target(
        "services/todo-api/src/todo_api/repositories/idempotency.py",
        (f"{API_TESTS}/test_tasks.py", f"{API_TESTS}/test_task_concurrency.py"),
    ),
    "repository": Target(
        "packages/common/src/platform_common/db/repository.py",
        (
            "tests/integration/todo_api/services/test_repository_guards.py",
            "tests/integration/todo_api/test_application_tenant_filter.py",
            f"{API_TESTS}/test_tenant_isolation.py",
        ),
    ),
    "auth": Target(
        "services/todo-api/src/todo_api/services/auth.py",
        (
            "tests/integration/todo_api/services/test_auth_service.py",
            f"{API_TESTS}/test_refresh_token_rules.py",
            f"{API_TESTS}/test_auth_flow.py",
            f"{API_TESTS}/test_session_bound_tokens.py",
            f"{API_TESTS}/test_password_change_limits.py",
            f"{API_TESTS}/test_token_security.py",
            f"{API_TESTS}/test_audit_events.py",
            f"{API_TESTS}/test_personal_access_tokens.py",
        ),
    ),
    "personal-tokens": Target(
        "services/todo-api/src/todo_api/services/personal_tokens.py",
        (
            f"{API_TESTS}/test_personal_access_tokens.py",
            "tests/integration/todo_api/services/test_personal_token_service.py",
        ),
    ),
}


def pytest_command(tests: tuple[str, ...]) -> list[str]:
    """The tests, stopping at the first failure: a killed mutant needs only one."""
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]


def config(target: Target, timeout: float) -> str:
    command = " ".join(pytest_command(target.tests))
    return (
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(target.module)}\n"
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )


def copy_tree() -> dict[str, str]:
    """A fresh copy of the working tree in TREE; the environment that imports from it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607  # git from PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    shutil.rmtree(TREE, ignore_errors=True)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (TREE / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, TREE / name)
    path = os.pathsep.join(str(TREE / source) for source in SOURCES)
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def cosmic_ray(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cosmic_ray.cli", *arguments],
        cwd=TREE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def outcomes(env: dict[str, str], session: Path) -> tuple[Counter[str], list[str]]:
    """Counts by outcome, and a diff of each survivor."""
    counts: Counter[str] = Counter()
    survivors = []
    for line in cosmic_ray(env, "dump", str(session)).splitlines():
        item, result = json.loads(line)
        outcome = (result or {}).get("test_outcome") or "pending"
        counts[outcome] += 1
        if outcome == "survived":
            survivors.append(result.get("diff") or str(item["mutations"]))
    return counts, survivors


def mutate(name: str, target: Target, env: dict[str, str]) -> int:
    """Run one target in the copy; its number of survivors."""
    started = time.monotonic()
    if subprocess.run(
        pytest_command(target.tests), cwd=TREE, env=env, check=False, capture_output=True
    ).returncode:
        raise SystemExit(f"{name}: the tests fail without any mutant: {' '.join(target.tests)}")
    baseline = time.monotonic() - started
    settings, session = REPORTS / f"{name}.toml", REPORTS / f"{name}.sqlite"
    settings.write_text(config(target, timeout=baseline * 3 + 60))
    session.unlink(missing_ok=True)
    cosmic_ray(env, "init", str(settings), str(session))
    subprocess.run(
        [sys.executable, "-m", "cosmic_ray.cli", "exec", str(settings), str(session)],
        cwd=TREE,
        env=env,
        check=True,
    )
    counts, survivors = outcomes(env, session)
    minutes = (time.monotonic() - started) / 60
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
    report = [
        f"{name} ({target.module}): {sum(counts.values())} mutants, {summary}; {minutes:.1f} min",
        *survivors,
    ]
    (REPORTS / f"{name}.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report), flush=True)
    return len(survivors)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="some of: " + ", ".join(TARGETS))
    parser.add_argument("--list", action="store_true", help="show the targets and their tests")
    options = parser.parse_args()
    unknown = set(options.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; the targets are {', '.join(TARGETS)}")
    if options.list:
        for name, target in TARGETS.items():
            print(f"{name}: {target.module}\n  " + "\n  ".join(target.tests))
        return 0
    REPORTS.mkdir(parents=True, exist_ok=True)
    env = copy_tree()
    survivors = sum(mutate(name, TARGETS[name], env) for name in options.targets or TARGETS)
    print(f"survivors: {survivors}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
