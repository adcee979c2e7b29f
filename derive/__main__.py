"""``python -m derive``: the command line, exactly as the ``derive`` command runs it."""

from cli import app

if __name__ == "__main__":
    app(prog_name="derive")
