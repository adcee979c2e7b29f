"""Every example in a docstring and in the README's Python blocks runs and prints what it says."""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import derive

MODULES = sorted(m.name for m in pkgutil.walk_packages(derive.__path__, "derive."))
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def _readme_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]


def test_some_modules_and_the_readme_have_examples():
    assert sum(doctest.DocTestFinder().find(importlib.import_module(n)) != [] for n in MODULES) > 5
    assert _readme_blocks()


def test_readme_python_examples():
    # The blocks run in order in one namespace, as a reader types them into one session.
    namespace: dict = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for index, block in enumerate(_readme_blocks()):
        test = doctest.DocTestParser().get_doctest(block, namespace, f"README block {index + 1}", str(README), 0)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # DocTest copies its globals; carry them to the next block
    assert runner.summarize(verbose=False).failed == 0
