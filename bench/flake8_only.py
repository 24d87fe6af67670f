"""Run flake8 with only some of the installed plugins (for benchmarks).

Usage: ``BENCH_FLAKE8_PLUGINS=F,E,W,C90,API python bench/flake8_only.py [flake8 args]``

flake8 runs every installed plugin and lets ``--select`` filter the results,
so ``--select E,F`` still pays for fastapi-lint, flake8-async and
flake8-bandit. This wrapper moves every checker whose entry-point name
(``F``, ``E``, ``W``, ``C90``, ``API``, ``ASY``, ``S``...) is not listed in
``BENCH_FLAKE8_PLUGINS`` to flake8's "disabled" list before the run, so the
difference between two runs is exactly the cost of the extra plugins.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from flake8.plugins import finder

_KEEP = {
    name.strip() for name in os.environ.get("BENCH_FLAKE8_PLUGINS", "").split(",") if name.strip()
}
_original = finder._classify_plugins


def _classify_only_kept(plugins: list[Any], opts: Any) -> Any:
    if not _KEEP:
        return _original(plugins, opts)
    kept = [
        loaded
        for loaded in plugins
        if loaded.plugin.entry_point.group != "flake8.extension"
        or loaded.plugin.entry_point.name in _KEEP
    ]
    result = _original(kept, opts)
    dropped = [loaded for loaded in plugins if loaded not in kept]
    return result._replace(disabled=[*result.disabled, *dropped])


finder._classify_plugins = _classify_only_kept  # type: ignore[assignment]

if __name__ == "__main__":
    from flake8.main.cli import main

    sys.exit(main())
