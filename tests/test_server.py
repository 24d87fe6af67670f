"""The language server, driven over stdio by pygls' client (the ``lsp`` extra)."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("pygls.lsp.server", reason="the language server needs pygls 2")

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

API102 = "import time\nasync def f():\n    time.sleep(1)\n"
TIMEOUT = 15.0


def _offset(text: str, position: types.Position) -> int:
    """Offset of an LSP position (UTF-16 columns) in ``text`` (lines end with \\n)."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    if position.line >= len(lines):
        return len(text)
    units = 0
    for index, char in enumerate(lines[position.line]):
        if units >= position.character:
            return offset + index
        units += 2 if ord(char) > 0xFFFF else 1
    return offset + len(lines[position.line])


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    assert edit is not None
    if edit.document_changes:
        return [
            e
            for change in edit.document_changes
            if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
            for e in change.edits
            if isinstance(e, types.TextEdit)
        ]
    return list((edit.changes or {}).get(uri, []))


class Session:
    """A client talking to ``fastapi-lint server`` in a subprocess."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client = LanguageClient("fastapi-lint-tests", "1")
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.messages: list[str] = []
        self.arrived = asyncio.Event()
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)
            self.arrived.set()

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        await self.client.start_io(
            sys.executable, "-m", "fastapi_lint.cli", "server", cwd=str(self.root), env=env
        )
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
            ),
            text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(
                    resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])
                )
            ),
        )
        root_uri = from_fs_path(str(self.root))
        assert root_uri is not None
        await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=capabilities,
                    root_uri=root_uri,
                    workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="project")],
                )
            ),
            TIMEOUT,
        )
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
        finally:
            await self.client.stop()

    def uri(self, relative: str) -> str:
        uri = from_fs_path(str(self.root / self.prefix / relative))
        assert uri is not None
        return uri

    def open(self, relative: str, text: str) -> str:
        uri = self.uri(relative)
        self.published.pop(uri, None)
        self.versions[uri] = 1
        self.texts[uri] = text
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    async def diagnostics(self, uri: str, version: int | None = None) -> list[types.Diagnostic]:
        """The diagnostics published for ``version`` (default: the current one)."""
        wanted = self.versions[uri] if version is None else version
        deadline = time.monotonic() + TIMEOUT
        while True:
            for params in self.published.get(uri, []):
                if params.version == wanted:
                    return list(params.diagnostics)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no diagnostics for version {wanted} of {uri}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def until(self, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out")
            await asyncio.sleep(0.02)

    async def actions(
        self, uri: str, diagnostic: types.Diagnostic | None = None, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        whole = types.Range(types.Position(0, 0), types.Position(len(self.texts[uri]), 0))
        result = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=diagnostic.range if diagnostic is not None else whole,
                    context=types.CodeActionContext(
                        diagnostics=[diagnostic] if diagnostic is not None else [], only=only
                    ),
                )
            ),
            TIMEOUT,
        )
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    async def apply(self, uri: str, action: types.CodeAction) -> int:
        if action.edit is None:
            action = await asyncio.wait_for(self.client.code_action_resolve_async(action), TIMEOUT)
        new = apply_edits(self.texts[uri], edits_of(action.edit, uri))
        return self.change(uri, new)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One server for the module (starting Python and pygls dominates a test's time),
    driven from an event loop in a background thread; each test uses its own project."""
    root = tmp_path_factory.mktemp("workspace")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> Session:
        session = Session(root)
        await session.start()
        return session

    session = asyncio.run_coroutine_threadsafe(start(), loop).result(60)
    try:
        yield session
    finally:
        asyncio.run_coroutine_threadsafe(session.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def run(session: Session, scenario: Callable[[Session], Awaitable[None]]) -> None:
    loop = session.loop
    assert loop is not None
    asyncio.run_coroutine_threadsafe(scenario(session), loop).result(60)


_projects = itertools.count()


@pytest.fixture
def project(server: Session) -> Path:
    """A new project folder in the server's workspace; ``server.prefix`` points to it."""
    root = server.root / f"project{next(_projects)}"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    server.prefix = root.name
    return root


def test_diagnostic_quick_fix_and_edit(server: Session, project: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", API102)
        diagnostics = await s.diagnostics(uri)
        assert [d.code for d in diagnostics] == ["API102"]
        d = diagnostics[0]
        assert d.source == "fastapi-lint"
        assert d.severity == types.DiagnosticSeverity.Warning
        assert d.code_description is None  # links only when FASTAPI_LINT_DOCS_URL is set
        assert (d.range.start.line, d.range.start.character) == (2, 4)
        assert (d.range.end.line, d.range.end.character) == (2, 17)

        # Saving publishes again (the same findings).
        before = len(s.published[uri])
        s.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await s.until(lambda: len(s.published[uri]) > before)
        assert list(s.published[uri][-1].diagnostics) == diagnostics

        actions = await s.actions(uri, d)
        kinds = {a.title: a.kind for a in actions}
        assert "API102: Add `# noqa: API102`" in kinds
        fix = next(a for a in actions if "asyncio.sleep" in a.title)
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        await s.apply(uri, fix)
        assert "await asyncio.sleep(1)" in s.texts[uri]
        assert "import asyncio" in s.texts[uri]
        assert await s.diagnostics(uri) == []

        # Back to the problem, then edit it away.
        s.change(uri, API102)
        assert [d.code for d in await s.diagnostics(uri)] == ["API102"]
        s.change(uri, API102.replace("time.sleep(1)", "pass"))
        assert await s.diagnostics(uri) == []

    run(server, scenario)


def test_syntax_error_while_typing_leaves_no_stale_diagnostics(
    server: Session, project: Path
) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", API102)
        assert [d.code for d in await s.diagnostics(uri)] == ["API102"]
        s.change(uri, API102 + "    time.sleep(\n")
        assert await s.diagnostics(uri) == []
        s.change(uri, API102 + "    x = [\n")
        assert await s.diagnostics(uri) == []
        s.change(uri, API102 + "    time.sleep(2)\n")
        assert [d.code for d in await s.diagnostics(uri)] == ["API102", "API102"]
        # Code actions on a broken buffer: none, and no crash.
        s.change(uri, "async def f(:\n")
        assert await s.diagnostics(uri) == []
        assert await s.actions(uri) == []

    run(server, scenario)


def test_noqa_action_and_fix_all(server: Session, project: Path) -> None:
    source = API102 + "    time.sleep(2)\n"

    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", source)
        diagnostics = await s.diagnostics(uri)
        assert len(diagnostics) == 2
        noqa = next(a for a in await s.actions(uri, diagnostics[0]) if "noqa" in a.title)
        await s.apply(uri, noqa)
        assert "time.sleep(1)  # noqa: API102" in s.texts[uri]
        assert [d.range.start.line for d in await s.diagnostics(uri)] == [3]

        s.change(uri, source)
        await s.diagnostics(uri)
        actions = await s.actions(uri, only=[types.CodeActionKind.SourceFixAll])
        assert [a.kind for a in actions] == ["source.fixAll.fastapi-lint"]
        assert actions[0].edit is None  # resolved lazily
        await s.apply(uri, actions[0])
        assert s.texts[uri].count("await asyncio.sleep") == 2
        assert await s.diagnostics(uri) == []
        # Nothing left to fix: no fix-all action.
        assert await s.actions(uri, only=[types.CodeActionKind.SourceFixAll]) == []

    run(server, scenario)


def test_columns_are_utf16_code_units(server: Session, project: Path) -> None:
    source = 'import time\nasync def f():\n    x = "\U0001f60b\u00e9"; time.sleep(1)\n'

    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", source)
        (d,) = await s.diagnostics(uri)
        # `    x = "😋é"; ` is 14 code points, 15 UTF-16 units (the emoji takes two).
        assert (d.range.start.line, d.range.start.character) == (2, 15)
        assert d.range.end.character == 15 + len("time.sleep(1)")

    run(server, scenario)


def test_configuration_is_read_like_the_cli(server: Session, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.fastapi-lint]\nper-file-ignores = { "app/quiet.py" = ["API102"] }\n'
    )
    (project / "broken").mkdir()
    (project / "broken" / "pyproject.toml").write_text('[tool.fastapi-lint]\nselect = ["API9"]\n')

    async def scenario(s: Session) -> None:
        loud = s.open("app/main.py", API102)
        quiet = s.open("app/quiet.py", API102)
        assert [d.code for d in await s.diagnostics(loud)] == ["API102"]
        assert await s.diagnostics(quiet) == []
        broken = s.open("broken/main.py", API102)
        assert await s.diagnostics(broken) == []
        assert any("unknown rule code" in m for m in s.messages)

    run(server, scenario)


def test_changed_project_file_refreshes_the_index(server: Session, project: Path) -> None:
    helpers = project / "app" / "helpers.py"
    helpers.write_text("def wait():\n    return 1\n")
    main = "from app.helpers import wait\n\n\nasync def handler():\n    wait()\n"

    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", main)
        assert await s.diagnostics(uri) == []
        helpers.write_text("import time\n\n\ndef wait():\n    time.sleep(1)\n")
        before = len(s.published[uri])
        s.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=s.uri("app/helpers.py"), type=types.FileChangeType.Changed)
                ]
            )
        )
        await s.until(lambda: len(s.published[uri]) > before)
        assert [d.code for d in s.published[uri][-1].diagnostics] == ["API107"]

    run(server, scenario)


def test_superseded_versions_are_not_published(server: Session, project: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("app/main.py", API102)
        await s.diagnostics(uri)
        for n in range(2, 30):
            s.change(uri, API102 + f"    time.sleep({n})\n" * (n % 3))
        last = s.versions[uri]
        assert len(await s.diagnostics(uri, last)) == 1 + last % 3
        await asyncio.sleep(0.3)
        versions = [p.version for p in s.published[uri]]
        assert versions[-1] == last
        assert len(versions) < 10  # debounced: not one check per keystroke
        assert versions == sorted(versions)

    run(server, scenario)


def test_server_without_pygls_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi_lint.cli import main

    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fastapi-lint[lsp]" in err


def test_monorepo_services_with_the_same_package_name(server: Session, project: Path) -> None:
    """Both services have `app.database`: each file's imports resolve in its own service."""
    import shutil

    from tests.fixture_support import FIXTURES, expected_findings

    shutil.rmtree(project / "app")
    shutil.copytree(FIXTURES / "projects" / "monorepo", project, dirs_exist_ok=True)
    files = sorted(p for p in project.rglob("*.py") if "__pycache__" not in p.parts)

    async def scenario(s: Session) -> None:
        # Orders first: with names alone, billing's `app.database` was orders'.
        for path in sorted(files, key=lambda p: "orders" not in p.parts):
            relative = path.relative_to(project).as_posix()
            uri = s.open(relative, path.read_text())
            found = {(d.range.start.line + 1, str(d.code)) for d in await s.diagnostics(uri)}
            assert found == expected_findings(path), relative

    run(server, scenario)
