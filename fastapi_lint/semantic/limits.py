"""How deep evaluation may go, and how often a limit or a cycle guard cut an answer short.

Cycle guards and depth limits (in the model and in the project index) answer
"unknown" for a question already being asked. How often they did is counted so
that memos keep only answers no guard cut short: those do not depend on the
order in which files and questions came.
"""

from __future__ import annotations

MAX_EVAL_DEPTH = 16

_cuts = 0


def note_cut() -> None:
    """A cycle guard or depth limit answered "unknown" somewhere below."""
    global _cuts
    _cuts += 1


def cut_count() -> int:
    return _cuts
