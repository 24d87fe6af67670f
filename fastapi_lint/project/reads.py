"""The module files a check reads through the project index (models it asks
about, and the files every fact it uses depends on): the CLI's result cache
keeps a file's findings while these are unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

# The files whose models or facts the current check read (see ``record_reads``).
_reads: set[str] | None = None


def note_read(path: str) -> None:
    if _reads is not None and path:
        _reads.add(os.path.abspath(path))


def note_reads(paths: set[str] | frozenset[str]) -> None:
    if _reads is not None:
        _reads.update(paths)


def record_reads() -> None:
    """Start recording the module files that the next check reads through the
    index: models it asks about and the files every fact it uses depends on.
    The CLI's result cache keeps a file's findings while these are unchanged."""
    global _reads
    _reads = set()


def recorded_reads() -> frozenset[str]:
    """The files read since ``record_reads``; recording stops."""
    global _reads
    reads, _reads = _reads, None
    return frozenset(reads or ())


@contextmanager
def reads_unrecorded() -> Iterator[None]:
    """Read without recording: for an answer the check depends on through a stamp of
    its content (the route table), not through the files it was computed from."""
    global _reads
    saved, _reads = _reads, None
    try:
        yield
    finally:
        _reads = saved
