"""Whether a module is test code, asked the same way by every rule that exempts tests.

The contract's definition ("Test code"): ``test_*.py``, ``*_test.py``,
``conftest.py``, or any path component named ``tests``/``test`` (see
``settings.is_test_file``), read on the path inside the project. The test
itself lives with the serving-code analysis that needs it first
(``project.one_shot.in_test_file``); rules ask it through this name.
"""

from __future__ import annotations

from fastapi_lint.project.one_shot import in_test_file as is_test_module

__all__ = ["is_test_module"]
