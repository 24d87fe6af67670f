"""Speed work (issue 20) that must not change what is reported."""

from __future__ import annotations

import tokenize

import pytest

from fastapi_lint import noqa as noqa_module
from fastapi_lint.noqa import NoqaMap, has_noqa, line_ranges, noqa_rows

SOURCE = (
    "import os\n"
    'x = f(\n    """\n    text\n    """,\n)\n'
    "y = 1 + \\\n    2\n"
    "z = '''a\nb'''\n"
    "w = 3\n"
)


def test_noqa_map_without_the_word_never_tokenizes(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("tokenized a file without noqa")

    monkeypatch.setattr(noqa_module.tokenize, "generate_tokens", fail)
    noqa = NoqaMap(SOURCE)
    assert not has_noqa(SOURCE)
    assert not noqa.is_silenced(3, "API101")
    assert not noqa.file_level


def test_noqa_word_test_ignores_case() -> None:
    assert has_noqa("x = 1  # NoQA\n")
    assert NoqaMap("x = 1  # NOQA\n").is_silenced(1, "API101")


@pytest.mark.parametrize("until", range(1, 14))
def test_partial_noqa_rows_agree_with_the_whole_file(until: int) -> None:
    whole = noqa_rows(SOURCE)
    partial = noqa_rows(SOURCE, until=until)
    assert {k: v for k, v in partial.items() if k <= until} == {
        k: v for k, v in whole.items() if k <= until
    }


def test_line_ranges_untokenizable_file_is_empty() -> None:
    assert line_ranges("x = (\n") == {}
    assert tokenize.NL  # the module is the real one after the monkeypatch test


def test_noqa_map_rows_reuse_its_ranges() -> None:
    source = SOURCE + "v = 1  # noqa\n"
    noqa = NoqaMap(source)
    assert noqa.is_silenced(12, "API101")  # tokenizes the whole file
    assert noqa.rows(until=3) == noqa_rows(source)
    assert NoqaMap(source).rows() == noqa_rows(source)
