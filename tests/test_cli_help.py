"""Every command explains itself with an example, as a user sees it in a terminal."""

import subprocess
import sys

import pytest

COMMANDS = ["backprop", "check", "conv", "pool", "params", "graph", "perceptron", "activation", "softmax"]


def _help(*args):
    return subprocess.run(
        [sys.executable, "cli.py", *args, "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_has_an_example(command):
    r = _help(command)
    assert r.returncode == 0, r.stderr
    assert "Example" in r.stdout and f"derive {command}" in r.stdout


def test_top_level_help_lists_every_command():
    r = _help()
    assert r.returncode == 0
    for command in COMMANDS:
        assert command in r.stdout


def test_bare_derive_shows_help_and_version_works():
    bare = subprocess.run([sys.executable, "cli.py"], capture_output=True, text=True)
    assert "Usage" in bare.stdout + bare.stderr
    version = subprocess.run([sys.executable, "cli.py", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("derive ")
