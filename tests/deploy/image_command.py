"""tools/image/serve.py (the image's serve command), imported from its file: tools/ is no package."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.deploy.chart import ROOT

SERVE_PY = ROOT / "tools" / "image" / "serve.py"


def load_serve() -> ModuleType:
    spec = importlib.util.spec_from_file_location("image_serve", SERVE_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


serve = load_serve()
