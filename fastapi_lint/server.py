"""``fastapi-lint server``: a Language Server over stdio (the ``lsp`` extra, pygls 2).

What it does:

- publishes the findings of an open document (its unsaved text) on open,
  change (debounced) and save, with the same configuration as the CLI
  (``[tool.fastapi-lint]`` found upward from the file; per-file ignores and
  ``# noqa`` applied);
- answers ``textDocument/codeAction``: the autofix of a finding (``quickfix``),
  "Add ``# noqa: CODE``" for any finding, and ``source.fixAll.fastapi-lint``
  (the safe fixes of the whole file, as ``check --fix`` would write them);
- drops what the project index remembers of a module when the editor reports
  that its file changed (``workspace/didChangeWatchedFiles``), and forgets the
  configuration when a ``pyproject.toml`` changes.

Responsiveness: every check runs in one worker thread (the engine and the
project index are not shared between threads); a change waits
``DEBOUNCE_SECONDS`` for the next keystroke, a check whose document changed
again before it started is skipped, and a result is published only if the
document still has the version that was checked.

Positions: the engine reports ast positions (1-based lines, UTF-8 byte
columns) and fixes use character columns; both are converted to the position
encoding negotiated with the client (UTF-16 unless it asks otherwise).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from fastapi_lint import __version__
from fastapi_lint.config import ConfigError, Settings, resolve
from fastapi_lint.diagnostics import Diagnostic, Edit
from fastapi_lint.noqa import NoqaMap, add_noqa
from fastapi_lint.source import char_offset, physical_lines

logger = logging.getLogger(__name__)

SOURCE = "fastapi-lint"
FIX_ALL_KIND = "source.fixAll.fastapi-lint"
# Wait this long after a change for the next one before checking.
DEBOUNCE_SECONDS = float(os.environ.get("FASTAPI_LINT_LSP_DEBOUNCE_MS", "75")) / 1000
# A finding whose node spans more lines than this is underlined on its first line only
# (a whole function body underlined hides the code it is about).
MAX_RANGE_LINES = 8
CONFIG_FILES = ("pyproject.toml",)


# ---------------------------------------------------------------------------
# Positions


class Positions:
    """Converts engine positions of one text to LSP positions in the client's encoding."""

    def __init__(self, source: str, codec: PositionCodec) -> None:
        self.lines = [line.rstrip("\r\n") for line in physical_lines(source)]
        self.codec = codec
        ends_with_newline = source.endswith(("\n", "\r"))
        self.last_line = len(self.lines) if ends_with_newline else max(len(self.lines) - 1, 0)

    def _end(self) -> types.Position:
        if self.last_line < len(self.lines):
            return types.Position(self.last_line, self.codec.client_num_units(self.lines[-1]))
        return types.Position(self.last_line, 0)

    def text(self, line: int) -> str:
        """The text of a 1-based line, without its ending ('' past the end)."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def from_bytes(self, line: int, byte_col: int) -> types.Position:
        """An ast position (1-based line, UTF-8 byte column)."""
        if line - 1 > self.last_line:
            return self._end()
        text = self.text(line)
        prefix = text[: char_offset(text, byte_col)]
        return types.Position(max(line - 1, 0), self.codec.client_num_units(prefix))

    def from_chars(self, line: int, char_col: int) -> types.Position:
        """A fix's position (1-based line, 0-based character column)."""
        if line - 1 > self.last_line:
            return self._end()
        text = self.text(line)
        return types.Position(
            max(line - 1, 0), self.codec.client_num_units(text[: max(char_col, 0)])
        )

    def line_end(self, line: int) -> types.Position:
        return types.Position(max(line - 1, 0), self.codec.client_num_units(self.text(line)))

    def diagnostic_range(self, d: Diagnostic) -> types.Range:
        start = self.from_bytes(d.line, d.col)
        end_line = d.end_line or d.line
        if end_line - d.line > MAX_RANGE_LINES:
            return types.Range(start, self.line_end(d.line))
        end = self.from_bytes(end_line, d.end_col) if d.end_line else start
        if (end.line, end.character) <= (start.line, start.character):
            # No extent known: underline to the end of the line.
            end = self.line_end(d.line)
            if (end.line, end.character) <= (start.line, start.character):
                end = types.Position(start.line, start.character + 1)
        return types.Range(start, end)

    def text_edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(
            range=types.Range(
                self.from_chars(edit.start_line, edit.start_col),
                self.from_chars(edit.end_line, edit.end_col),
            ),
            new_text=edit.content,
        )


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a_start, a_end = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b_start, b_end = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a_start <= b_end and b_start <= a_end


# ---------------------------------------------------------------------------
# One checked version of a document


@dataclasses.dataclass
class Checked:
    uri: str
    version: Optional[int]
    source: str
    path: str
    settings: Optional[Settings]
    findings: list[Diagnostic]  # not silenced by noqa comments; same order as ``lsp``
    lsp: list[types.Diagnostic]
    positions: Positions
    with_fixes: Optional[list[Diagnostic]] = None  # computed on the first code action
    fix_all: Optional[list[types.TextEdit]] = None


def _rule_url(code: str) -> str | None:
    from fastapi_lint.registry import all_rules

    rule = all_rules().get(code)
    return rule.url if rule is not None else None


def _severity(code: str) -> types.DiagnosticSeverity:
    from fastapi_lint.registry import all_rules

    rule = all_rules().get(code)
    level = getattr(rule, "severity", None)
    if isinstance(level, str):
        return {
            "error": types.DiagnosticSeverity.Error,
            "information": types.DiagnosticSeverity.Information,
            "info": types.DiagnosticSeverity.Information,
            "hint": types.DiagnosticSeverity.Hint,
        }.get(level.lower(), types.DiagnosticSeverity.Warning)
    return types.DiagnosticSeverity.Warning


def to_lsp(d: Diagnostic, positions: Positions) -> types.Diagnostic:
    url = _rule_url(d.code)
    return types.Diagnostic(
        range=positions.diagnostic_range(d),
        message=d.message,
        severity=_severity(d.code),
        code=d.code,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
    )


# ---------------------------------------------------------------------------
# The server


class FastAPILintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "fastapi-lint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        # One worker: the engine and the project indexes are used from this thread only.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fastapi-lint-check")
        self.debounce = DEBOUNCE_SECONDS
        self.latest: dict[str, Optional[int]] = {}  # uri -> version of the newest text
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.checked: dict[str, Checked] = {}
        self.previous_source: dict[str, str] = {}  # uri -> text of the last check (worker only)
        self._settings: dict[str, Settings | ConfigError] = {}
        self._settings_lock = threading.Lock()
        self._shown_errors: set[str] = set()
        self._event_loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------ scheduling
    def schedule(self, uri: str, delay: float) -> None:
        self._event_loop = asyncio.get_running_loop()
        document = self.workspace.get_text_document(uri)
        self.latest[uri] = document.version
        previous = self.tasks.get(uri)
        if previous is not None and not previous.done():
            previous.cancel()
        self.tasks[uri] = asyncio.get_running_loop().create_task(self._lint(uri, delay))

    async def _lint(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if uri not in self.latest:
            return  # closed meanwhile
        document = self.workspace.get_text_document(uri)
        version, source = document.version, document.source
        codec = document.position_codec
        loop = asyncio.get_running_loop()
        checked = await loop.run_in_executor(self.worker, self._check, uri, version, source, codec)
        if checked is None or uri not in self.latest or self.latest[uri] != version:
            return  # superseded: a newer version is on its way
        self.checked[uri] = checked
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=checked.lsp, version=version)
        )

    async def current(self, uri: str) -> Checked | None:
        """The check of the document's current text (running one if the last is stale)."""
        if uri not in self.latest:
            return None
        document = self.workspace.get_text_document(uri)
        checked = self.checked.get(uri)
        if checked is not None and checked.version == document.version:
            return checked
        loop = asyncio.get_running_loop()
        version = document.version
        checked = await loop.run_in_executor(
            self.worker,
            self._check,
            uri,
            version,
            document.source,
            document.position_codec,
            True,
        )
        if checked is not None and self.latest.get(uri) == version:
            self.checked[uri] = checked
        return checked

    # ------------------------------------------------------------ configuration
    def settings_for(self, path: str | None) -> Settings:
        """The configuration of a file, as the CLI would read it (raises ConfigError)."""
        from fastapi_lint.registry import all_rules

        folder = str(Path(path).parent) if path else (self._workspace_root(None) or os.getcwd())
        with self._settings_lock:
            cached = self._settings.get(folder)
        if cached is None:
            try:
                cached = resolve(
                    config=None, start=Path(folder), overrides={}, codes=list(all_rules())
                )
                if cached.config_path is None:
                    cached = dataclasses.replace(cached, root=self._workspace_root(path) or folder)
            except ConfigError as error:
                cached = error
            with self._settings_lock:
                self._settings[folder] = cached
        if isinstance(cached, ConfigError):
            raise cached
        return cached

    def _workspace_root(self, path: str | None) -> str | None:
        try:
            folders = list(self.workspace.folders.values())
        except Exception:
            folders = []
        roots: list[str] = [r for r in (to_fs_path(folder.uri) for folder in folders) if r]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        if path:
            absolute = os.path.abspath(path)
            inside = [r for r in roots if absolute.startswith(os.path.abspath(r) + os.sep)]
            if inside:
                return max(inside, key=len)
        return roots[0] if roots else None

    def forget_settings(self) -> None:
        with self._settings_lock:
            self._settings.clear()
        self._shown_errors.clear()

    def _show_error(self, message: str) -> None:
        """A configuration error, shown once (from the worker thread)."""
        if message in self._shown_errors:
            return
        self._shown_errors.add(message)
        params = types.ShowMessageParams(
            type=types.MessageType.Error, message=f"fastapi-lint: {message}"
        )
        loop = self._loop()
        if loop is not None:
            loop.call_soon_threadsafe(self.window_show_message, params)

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return self._event_loop

    # ------------------------------------------------------------ checking (worker thread)
    def _check(
        self,
        uri: str,
        version: Optional[int],
        source: str,
        codec: PositionCodec,
        force: bool = False,
    ) -> Checked | None:
        if not force and self.latest.get(uri, version) != version:
            return None  # a newer text arrived while this one waited
        path = to_fs_path(uri) if uri.startswith("file:") else None
        positions = Positions(source, codec)
        empty = Checked(uri, version, source, path or "<stdin>", None, [], [], positions)
        try:
            settings = self.settings_for(path)
        except ConfigError as error:
            self._show_error(str(error))
            return empty
        empty.settings = settings
        if path and self._excluded(path, settings):
            return empty
        findings = self._run_engine(uri, path, source, settings)
        if findings and "noqa" in source.lower():  # tokenizing a long file costs
            noqa = NoqaMap(source)
            findings = [d for d in findings if not noqa.is_silenced(d.line, d.code)]
        return Checked(
            uri,
            version,
            source,
            path or "<stdin>",
            settings,
            findings,
            [to_lsp(d, positions) for d in findings],
            positions,
        )

    def _excluded(self, path: str, settings: Settings) -> bool:
        # As `check --stdin-filename` with --force-exclude: an open file is checked
        # unless the configuration forces its excludes on named files.
        if not settings.force_exclude:
            return False
        from fastapi_lint.discovery import Excluder, is_gitignored

        candidate = Path(path)
        return Excluder(settings).excluded_with_parents(candidate.absolute()) or (
            settings.respect_gitignore
            and is_gitignored(candidate.resolve(), False, Path(settings.root).resolve())
        )

    def _run_engine(
        self, uri: str, path: str | None, source: str, settings: Settings
    ) -> list[Diagnostic]:
        from fastapi_lint.engine import CheckError, check_source

        options = settings.rule_options()
        if path and options.project_index and self.previous_source.get(uri) != source:
            # The module's text changed: facts the index kept in memory may
            # describe the previous text.
            from fastapi_lint.linter import forget_edited

            forget_edited(path, options)
        self.previous_source[uri] = source
        try:
            return check_source(
                source, path or "<stdin>", options, settings.selection_for(path or "<stdin>")
            )
        except CheckError:
            return []  # a syntax error while typing: no findings, and none left over
        except RecursionError:
            return []
        except Exception:  # a bug must not take the server down
            logger.exception("fastapi-lint: internal error while checking %s", path or uri)
            return []

    # ------------------------------------------------------------ fixes (worker thread)
    def _with_fixes(self, checked: Checked) -> list[Diagnostic]:
        if checked.with_fixes is None:
            from fastapi_lint.fixes import attach_fixes

            try:
                checked.with_fixes = attach_fixes(checked.source, checked.findings)
            except Exception:
                logger.exception("fastapi-lint: internal error while computing fixes")
                checked.with_fixes = checked.findings
        return checked.with_fixes

    def _fix_all(self, checked: Checked) -> list[types.TextEdit]:
        if checked.fix_all is None:
            checked.fix_all = []
            if checked.settings is not None and any(
                d.fix is not None and d.fix.safe for d in self._with_fixes(checked)
            ):
                from fastapi_lint.fixes import line_edit
                from fastapi_lint.linter import Job, check_text

                outcome = check_text(checked.path, checked.source, Job(checked.settings, fix=True))
                # check_text registered the fixed text as the module: the buffer is what counts.
                self.previous_source.pop(checked.uri, None)
                if outcome.fixed_source is not None:
                    edit = line_edit(checked.source, outcome.fixed_source)
                    if edit is not None:
                        checked.fix_all = [checked.positions.text_edit(edit)]
        return checked.fix_all

    def _actions(
        self, checked: Checked, request: types.Range, only: Sequence[str] | None, resolve: bool
    ) -> list[types.CodeAction]:
        from fastapi_lint.fixes import line_edit

        def wanted(kind: str) -> bool:
            return only is None or any(kind == k or kind.startswith(k + ".") for k in only)

        actions: list[types.CodeAction] = []
        fixes: list[types.CodeAction] = []
        noqas: list[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix):
            with_fixes = self._with_fixes(checked)
            for finding, diagnostic in zip(with_fixes, checked.lsp):
                if not _overlaps(diagnostic.range, request):
                    continue
                fix = finding.fix
                if fix is not None:
                    title = f"{finding.code}: {fix.description}" + ("" if fix.safe else " (unsafe)")
                    fixes.append(
                        types.CodeAction(
                            title=title,
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            is_preferred=fix.safe,
                            edit=self._edit(
                                checked, [checked.positions.text_edit(e) for e in fix.edits]
                            ),
                        )
                    )
                new_source, changed = add_noqa(checked.source, [(finding.line, finding.code)])
                edit = line_edit(checked.source, new_source) if changed else None
                if edit is not None:
                    noqas.append(
                        types.CodeAction(
                            title=f"{finding.code}: Add `# noqa: {finding.code}`",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            edit=self._edit(checked, [checked.positions.text_edit(edit)]),
                        )
                    )
        actions.extend(fixes)
        actions.extend(noqas)
        if wanted(FIX_ALL_KIND) and any(
            d.fix is not None and d.fix.safe for d in self._with_fixes(checked)
        ):
            action = types.CodeAction(
                title="fastapi-lint: Fix all safely fixable problems", kind=FIX_ALL_KIND
            )
            if resolve:
                action.data = {"uri": checked.uri, "version": checked.version}
            else:
                action.edit = self._edit(checked, self._fix_all(checked))
            if resolve or action.edit is not None:
                actions.append(action)
        return actions

    def _edit(self, checked: Checked, edits: list[types.TextEdit]) -> types.WorkspaceEdit | None:
        if not edits:
            return None
        capabilities = self.client_capabilities
        workspace_edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        if workspace_edit is not None and workspace_edit.document_changes:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=checked.uri, version=checked.version
                        ),
                        edits=list(edits),
                    )
                ]
            )
        return types.WorkspaceEdit(changes={checked.uri: list(edits)})

    def _supports_resolve(self) -> bool:
        document = self.client_capabilities.text_document
        code_action = document.code_action if document else None
        support = code_action.resolve_support if code_action else None
        return support is not None and "edit" in support.properties

    # ------------------------------------------------------------ watched files (worker thread)
    def _forget_files(self, paths: list[str]) -> None:
        from fastapi_lint.linter import forget_files

        forget_files(paths)

    def _forget_all(self) -> None:
        from fastapi_lint.linter import forget_all

        forget_all()
        self.previous_source.clear()


server = FastAPILintServer()


@server.feature(types.INITIALIZED)
async def initialized(ls: FastAPILintServer, params: types.InitializedParams) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched is not None and watched.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[
                types.FileSystemWatcher(glob_pattern="**/*.py"),
                types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
            ]
        )
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="fastapi-lint-watched-files",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=options,
                        )
                    ]
                )
            )
        except Exception:  # the client says no: edits to other files are seen on reopen
            logger.info("fastapi-lint: the client did not accept the file watcher")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: FastAPILintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: FastAPILintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: FastAPILintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    checked = ls.checked.get(uri)
    task = ls.tasks.get(uri)
    current = ls.workspace.get_text_document(uri).version
    if checked is not None and checked.version == current and (task is None or task.done()):
        # The saved text is the one last checked: publish its findings again.
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=checked.lsp, version=current)
        )
    else:
        ls.schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: FastAPILintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.latest.pop(uri, None)
    ls.checked.pop(uri, None)
    ls.previous_source.pop(uri, None)
    task = ls.tasks.pop(uri, None)
    if task is not None and not task.done():
        task.cancel()
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(
    ls: FastAPILintServer, params: types.DidChangeWatchedFilesParams
) -> None:
    paths = [to_fs_path(change.uri) for change in params.changes]
    files = [p for p in paths if p]
    loop = asyncio.get_running_loop()
    if any(os.path.basename(p) in CONFIG_FILES for p in files):
        ls.forget_settings()
        await loop.run_in_executor(ls.worker, ls._forget_all)
    else:
        await loop.run_in_executor(ls.worker, ls._forget_files, files)
    for uri in list(ls.latest):
        ls.schedule(uri, ls.debounce)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
        resolve_provider=True,
    ),
)
async def code_action(
    ls: FastAPILintServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    checked = await ls.current(params.text_document.uri)
    if checked is None:
        return None
    only = params.context.only
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        ls.worker, ls._actions, checked, params.range, only, ls._supports_resolve()
    )


@server.feature(types.CODE_ACTION_RESOLVE)
async def code_action_resolve(ls: FastAPILintServer, action: types.CodeAction) -> types.CodeAction:
    data: Any = action.data
    if action.kind != FIX_ALL_KIND or not isinstance(data, dict) or "uri" not in data:
        return action
    checked = await ls.current(data["uri"])
    if checked is None or checked.version != data.get("version"):
        return action  # the text changed: nothing to apply
    loop = asyncio.get_running_loop()
    edits = await loop.run_in_executor(ls.worker, ls._fix_all, checked)
    action.edit = ls._edit(checked, edits)
    return action


def serve() -> int:
    """Run the server on stdin/stdout until the client says exit."""
    stdout = sys.stdout.buffer
    # Anything printed by mistake must not corrupt the protocol stream.
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    server.start_io(sys.stdin.buffer, stdout)
    return 0


__all__ = ["FIX_ALL_KIND", "SOURCE", "FastAPILintServer", "Positions", "serve"]
