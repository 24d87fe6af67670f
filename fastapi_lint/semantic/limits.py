"""How deep evaluation may go, and how often a limit or a cycle guard cut an answer short.

Cycle guards and depth limits (in the model and in the project index) answer
"unknown" for a question already being asked. How often they did is counted so
that memos keep only answers no guard cut short: those do not depend on the
order in which files and questions came.
"""

from __future__ import annotations

MAX_EVAL_DEPTH = 16

# How many cuts so far (read as `limits.cuts` on hot paths, else through cut_count()).
cuts = 0


def note_cut() -> None:
    """A cycle guard or depth limit answered "unknown" somewhere below."""
    global cuts
    cuts += 1


def cut_count() -> int:
    return cuts


# The deepest depth a depth limit has looked at since the current memoized
# evaluation began. A memoized answer records how far below its own depth it
# reached, and is reused only where that reach still fits under the limit:
# asked deeper, a fresh computation would have been cut, so it is computed
# again (and cut, and not remembered). An answer then never depends on which
# question was asked first.
deepest = 0


def too_deep(depth: int) -> bool:
    """Whether a depth limit cuts a question asked at ``depth`` (a cut is counted)."""
    global deepest
    if depth > deepest:
        deepest = depth
    if depth > MAX_EVAL_DEPTH:
        note_cut()
        return True
    return False


def fresh_depths() -> int:
    """Start a computation whose depths restart (a project fact); returns what to restore."""
    global deepest
    saved, deepest = deepest, 0
    return saved


def restore_depths(saved: int) -> None:
    global deepest
    deepest = saved
