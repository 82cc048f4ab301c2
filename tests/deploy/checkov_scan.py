"""checkov's Kubernetes checks on rendered manifests: ``python -m tests.deploy.checkov_scan FILE...``.

Each file gets a runner of its own, so graph checks (a NetworkPolicy covering a pod) see only
that render. Only the Kubernetes runner is imported, which takes a third of the time of the
``checkov`` command, which loads every framework. Prints ``{file: {"passed": n, "failed": [...],
"skipped": [...]}}`` as JSON; a subprocess keeps checkov's global logging setup out of pytest.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from checkov.kubernetes.runner import Runner
from checkov.runner_filter import RunnerFilter


def scan(path: str) -> dict[str, Any]:
    report = Runner().run(
        root_folder=None, files=[path], runner_filter=RunnerFilter(framework=["kubernetes"])
    )
    return {
        "passed": len(report.passed_checks),
        "parsing_errors": report.parsing_errors,
        "failed": [f"{c.check_id} {c.resource}: {c.check_name}" for c in report.failed_checks],
        "skipped": [
            {"id": c.check_id, "reason": c.check_result.get("suppress_comment")}
            for c in report.skipped_checks
        ],
    }


if __name__ == "__main__":
    print(json.dumps({path: scan(path) for path in sys.argv[1:]}))
