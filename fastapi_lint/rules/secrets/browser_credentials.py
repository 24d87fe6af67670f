"""Does this project have browser credentials for CORS to expose? The decision API507 rests on.

``allow_credentials=True`` lets a cross-origin page send what the browser
holds for the API on its own: cookies (a session, a login cookie an auth proxy
or the app sets) and HTTP Basic/Digest credentials. An app that authenticates
with a bearer header or an API key header, which a browser never attaches by
itself, has nothing for the flag to expose: `allow_origins=["*"]` alone already
lets every page call it. Read on 39 applications (session 8), 16 of 17 API507
findings were such apps (inference servers, gateways with bearer keys); the
one worth changing authenticated browsers with auth-proxy cookies.

The evidence: any module of the project (tests included: a suite that sends
cookies tests an app that reads them) mentions a cookie or a browser-managed
credential: ``cookie`` in any spelling (``request.cookies``, ``set_cookie``,
``APIKeyCookie``, ``Cookie()``, ``CookieTransport``), ``SessionMiddleware``
(Starlette's ``request.session`` needs it), ``HTTPBasic``/``HTTPDigest``, a
``Basic``/``Digest`` ``WWW-Authenticate`` challenge (not ``Bearer``). A byte
search, no parse: the word is how every cookie API is spelled, and a mention
that is not auth (a client passing ``cookies=``) only keeps a finding.

The answer is an index fact keyed by the project root, like the Pydantic
version (``pydantic_v1/project_version.py``). Without a project index (one
file on its own) the rule cannot know the other modules and keeps reporting.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable

from fastapi_lint.lazy_re import lazy_compile
from fastapi_lint.project.index import index_of
from fastapi_lint.settings import DEFAULT_EXCLUDED_TREES, NON_SOURCE_FOLDERS

if TYPE_CHECKING:
    from fastapi_lint.semantic.model import ModuleModel

# Searched in the lowercased bytes. Not ``request.session``: Starlette's needs
# ``SessionMiddleware``, and model servers name their requests' conversations so. A
# ``Basic``/``Digest`` challenge, but not the ``Bearer`` one every token dependency sends
# (``headers={"WWW-Authenticate": "Bearer"}``).
_MARKERS = lazy_compile(
    rb"cookie|sessionmiddleware|httpbasic|httpdigest"
    rb"|www-authenticate['\"]?\s*[:,=]\s*f?['\"](?:basic|digest)|(?:basic|digest) realm"
)
_SKIPPED_FOLDERS = NON_SOURCE_FOLDERS | {"env", *DEFAULT_EXCLUDED_TREES}
_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
_MAX_FILES = 20_000


def mentions_browser_credentials(data: bytes) -> bool:
    """Whether source bytes mention a cookie or a browser-managed credential."""
    return _MARKERS.search(data.lower()) is not None


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def decide(root: str, depends_on: Callable[[str], None]) -> bool:
    """True when a module under ``root`` (not a nested project) mentions browser credentials,
    or when the project is too big to read whole (unsure: keep reporting)."""
    seen = 0
    for folder, folders, files in os.walk(root):
        depends_on(folder)  # a folder's stamp changes when a file is added or removed
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".")
            and name not in _SKIPPED_FOLDERS
            and not any(
                os.path.exists(os.path.join(folder, name, marker)) for marker in _ROOT_MARKERS
            )
        )
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > _MAX_FILES:
                return True
            path = os.path.join(folder, name)
            depends_on(path)
            if mentions_browser_credentials(_read(path)):
                return True
    return False


def project_has_browser_credentials(model: ModuleModel) -> bool:
    """The decision for the project of ``model``; True (report) when there is no index."""
    if mentions_browser_credentials("\n".join(model.lines).encode("utf-8", "surrogatepass")):
        return True  # the module itself: no walk needed
    project = index_of(model)
    if project is None:
        return True
    root = str(project.root)
    return bool(
        project.fact("browser-credentials", root, lambda: decide(root, project.depends_on_path))
    )
