"""What the caches are keyed on besides their inputs: this very version of the tool."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi_lint import __version__


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The version plus a digest of the package's own files (size, mtime).

    A cache written by another build of the rules (an editable install whose
    code changed, a development checkout) is never read: the version string
    alone does not change when a rule does.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(
            f"{path.relative_to(package).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode()
        )
    return f"{__version__}-{digest.hexdigest()[:12]}"
