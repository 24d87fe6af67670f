"""``python -m fastapi_lint``: the same as the ``fastapi-lint`` command."""

from __future__ import annotations

import sys

from fastapi_lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
