"""Starting one door from another without either importing the other.

``fastapi-lint server`` is a CLI subcommand, but the language server is a door
of its own (it imports ``linter``, never ``cli``). The CLI asks this module to
start it, and the import happens by name here, at run time: the import graph
of the doors stays free of edges between them (tests/test_structure.py).
"""

from __future__ import annotations

import importlib


def serve_language_server() -> int:
    """Run the language server on stdio until the client exits; its exit code."""
    server = importlib.import_module("fastapi_lint.server")
    code: int = server.serve()
    return code
