"""The README's test command is a light install (no PyTorch); CI adds the pinned CPU PyTorch for the oracle tests."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Set up", 1)[1].split("\n## ", 1)[0]


def test_readme_test_command_installs_no_torch():
    commands = [line for line in _setup_section().splitlines() if "pytest" in line and "pip install" in line]
    assert commands, "the README's set-up section shows the test command"
    for line in commands:
        extras = re.findall(r"\.\[([^\]]*)\]", line)
        assert extras == ["test"], line  # not [test,torch]
        assert "torch" not in line


def test_ci_installs_the_pinned_torch_after_the_light_install():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if "pip install" in line]
    light = [i for i, line in enumerate(lines) if "-e '.[test]'" in line]
    pinned = [i for i, line in enumerate(lines) if line.endswith("torch==2.13.0")]
    assert light and pinned and light[0] < pinned[0], lines
    assert not any("[test,torch]" in line for line in lines)
