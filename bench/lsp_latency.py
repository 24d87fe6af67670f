"""Latency of ``fastapi-lint server``: last change -> diagnostics published.

Generates a 2,000-line FastAPI route module (routes, dependencies, sessions,
blocking calls) in a temporary project, starts the server over stdio with
pygls' client, opens the module, then types: bursts of keystrokes (one change
every 30 ms, as a person types) and measures the time from the *last* change
of each burst to the ``publishDiagnostics`` for that version. The debounce
(75 ms by default, ``FASTAPI_LINT_LSP_DEBOUNCE_MS``) is part of the number.

    python bench/lsp_latency.py [--lines 2000] [--bursts 20]

Needs the ``lsp`` extra (pygls 2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

HEADER = """import time

import httpx
import requests
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

app = FastAPI()
router = APIRouter(prefix="/items")


def get_db():
    db = Session()
    try:
        yield db
    finally:
        db.close()


async def get_session():
    async with AsyncSession() as session:
        yield session

"""

# One route per block, about 25 lines, as application code is: mostly clean,
# every tenth route with a blocking call (API102) and a requests call (API101).
BLOCK = '''

class Thing{n}(BaseModel):
    name: str
    size: int = 0


@router.get("/things{n}/{{item_id}}", response_model=Thing{n})
async def read_thing{n}(item_id: int, db: AsyncSession = Depends(get_session)) -> Thing{n}:
    """Read thing {n}."""
    row = await db.get(Thing{n}, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="not found")
    async with httpx.AsyncClient() as client:
        response = await client.get("https://example.invalid/{n}", timeout=5)
    values = [value * 2 for value in range(10) if value % 2]
    return Thing{n}(name=response.text, size=len(values)){blocking}


@router.post("/things{n}", status_code=201)
async def create_thing{n}(body: Thing{n}, db: AsyncSession = Depends(get_session)) -> Thing{n}:
    db.add(body)
    await db.commit()
    return body
'''

BLOCKING = """


@router.delete("/things{n}/{{item_id}}")
async def delete_thing{n}(item_id: int) -> None:
    time.sleep(0.1)
    requests.delete("https://example.invalid/{n}", timeout=5)"""

# --dense: two routes every 20 lines, each with findings (a worst case).
DENSE_BLOCK = '''
@router.get("/things{n}/{{item_id}}")
async def read_thing{n}(item_id: int, db: Session = Depends(get_db)) -> dict:
    """Read thing {n}."""
    row = db.get(dict, item_id)
    time.sleep(0.1)
    payload = requests.get("https://example.invalid/{n}", timeout=5).json()
    values = [value * 2 for value in range(10) if value % 2]
    return {{"id": item_id, "row": row, "payload": payload, "values": values}}


@router.post("/things{n}")
def create_thing{n}(body: dict, db: Session = Depends(get_db)) -> dict:
    total = 0
    for key, value in body.items():
        if isinstance(value, int):
            total += value
    db.add(body)
    db.commit()
    return {{"total": total}}

'''


def route_module(lines: int, dense: bool = False) -> str:
    parts = [HEADER]
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        if dense:
            parts.append(DENSE_BLOCK.format(n=n))
        else:
            blocking = BLOCKING.format(n=n) if n % 10 == 0 else ""
            parts.append(BLOCK.format(n=n, blocking=blocking))
        n += 1
    parts.append("\napp.include_router(router)\n")
    return "".join(parts)


async def measure(lines: int, bursts: int, keystrokes: int, dense: bool) -> list[float]:
    root = Path(tempfile.mkdtemp(prefix="fastapi-lint-lsp-"))
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    path = root / "app" / "routes.py"
    text = route_module(lines, dense)
    path.write_text(text)
    uri = from_fs_path(str(path))
    assert uri is not None

    client = LanguageClient("lsp-latency", "1")
    arrived: dict[int, float] = {}
    counts: dict[int, int] = {}
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()
            counts[params.version] = len(params.diagnostics)
            event.set()

    async def wait_for(version: int) -> float:
        while version not in arrived:
            event.clear()
            await asyncio.wait_for(event.wait(), 30)
        return arrived[version]

    await client.start_io(sys.executable, "-m", "fastapi_lint.cli", "server", cwd=str(root))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root))
        )
    )
    client.initialized(types.InitializedParams())
    opened = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    first = await wait_for(1) - opened
    print(
        f"{text.count(chr(10))} lines, {counts[1]} findings; "
        f"first check after open (cold: imports, index): {first * 1000:.0f} ms"
    )

    version = 1
    latencies: list[float] = []
    anchor = "    values = [value * 2"
    targets = [i for i, t in enumerate(text.split("\n")) if t.startswith(anchor)]
    for burst in range(bursts):
        target = targets[(burst * 7) % len(targets)]
        for key in range(keystrokes):
            version += 1
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                types.Position(target, 4 + key), types.Position(target, 4 + key)
                            ),
                            text="x",
                        )
                    ],
                )
            )
            sent = time.perf_counter()
            if key < keystrokes - 1:
                await asyncio.sleep(0.03)
        latencies.append(await wait_for(version) - sent)
        # Undo the burst so the text stays the same size.
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            types.Position(target, 4), types.Position(target, 4 + keystrokes)
                        ),
                        text="",
                    )
                ],
            )
        )
        await wait_for(version)
        await asyncio.sleep(0.05)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies


def engine_cpu(lines: int, dense: bool) -> float:
    """The engine's CPU time on the same module (a machine under load inflates wall time)."""
    from fastapi_lint.engine import check_source
    from fastapi_lint.settings import RuleOptions

    root = Path(tempfile.mkdtemp(prefix="fastapi-lint-engine-"))
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    path = root / "app" / "routes.py"
    text = route_module(lines, dense)
    path.write_text(text)
    options = RuleOptions(use_cache=False)
    check_source(text, str(path), options)
    best = float("inf")
    for n in range(5):
        start = time.process_time()
        check_source(text + f"# {n}\n", str(path), options)
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--keystrokes", type=int, default=5)
    parser.add_argument(
        "--dense", action="store_true", help="two routes with findings every 20 lines"
    )
    args = parser.parse_args()
    engine_ms = engine_cpu(args.lines, args.dense)
    latencies = sorted(asyncio.run(measure(args.lines, args.bursts, args.keystrokes, args.dense)))
    ms = [value * 1000 for value in latencies]
    p90 = ms[max(0, int(len(ms) * 0.9) - 1)]
    print(
        f"engine alone (check_source in this process, CPU time, best of 5): {engine_ms:.0f} ms; "
        f"debounce {float(os.environ.get('FASTAPI_LINT_LSP_DEBOUNCE_MS', '75')):.0f} ms"
    )
    print(
        f"last change -> diagnostics over {len(ms)} bursts of {args.keystrokes} keystrokes: "
        f"median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
