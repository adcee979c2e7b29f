"""Writing pictures: with or without Graphviz, only the requested file is written, atomically;
what needs ``dot`` and cannot have it fails with install hints. The absence (or a stand-in) of
``dot`` is simulated through PATH, the way a user's machine lacks it."""

import os
import shutil

import pytest

import derive
from derive.errors import InputError
from derive.graphs.graph import build_graph
from derive.mlp.network import net_spec
from derive.render import draw, draw_svg, picture_file
from derive.render.draw import draw_graph, draw_network, network_dot

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in dot is a POSIX shell script")

# Mazur's worked example (as examples/published-2-2-2.json)
PUBLISHED = {
    "x": [0.05, 0.10],
    "y": [0.01, 0.99],
    "W1": [[0.15, 0.20], [0.25, 0.30]],
    "b1": 0.35,
    "W2": [[0.40, 0.45], [0.50, 0.55]],
    "b2": 0.60,
}


@pytest.fixture(scope="module")
def g():
    return build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2})


@pytest.fixture
def out(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH without Graphviz (nor anything else)."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


@pytest.fixture
def fake_dot(tmp_path, monkeypatch):
    """Put a stand-in ``dot`` (a shell script body) first and alone on PATH."""

    def install(body: str) -> None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        exe = bin_dir / "dot"
        exe.write_text("#!/bin/sh\nwhile read -r _; do :; done\n" + body + "\n", encoding="utf-8")
        exe.chmod(0o755)
        monkeypatch.setenv("PATH", str(bin_dir))

    return install


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_svg_without_dot_is_drawn_by_derive(g, out, no_dot):
    (out / "g.dot").write_text("an unrelated file", encoding="utf-8")
    written = draw_graph(g, out / "g.svg")
    assert written == out / "g.svg"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text and "∂J/∂c = 9" in text  # dJ/dc = 3·b = 9
    assert (out / "g.dot").read_text(encoding="utf-8") == "an unrelated file"  # untouched
    assert _names(out) == ["g.dot", "g.svg"]  # nothing else, no temporary file left


def test_network_svg_without_dot(out, no_dot):
    written = draw_network("2-2-1", out / "n.svg")
    assert "<svg" in written.read_text(encoding="utf-8") and _names(out) == ["n.svg"]


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".PNG"])
def test_png_and_pdf_without_dot_fail_with_install_hints(g, out, no_dot, suffix):
    target = out / f"g{suffix}"
    target.write_bytes(b"the user's old picture")
    with pytest.raises(InputError) as info:
        draw_graph(g, target)
    message = str(info.value)
    assert "needs Graphviz's 'dot' program, which is not on PATH" in message
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install -c conda-forge graphviz"):
        assert hint in message
    assert "Windows: winget install" in message and "draw to .svg" in message
    assert "\n" not in message
    assert target.read_bytes() == b"the user's old picture"
    assert _names(out) == [target.name]


def test_dot_files_need_no_graphviz(g, out, no_dot):
    assert draw_graph(g, out / "g.dot").read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize("kind", ["png", "pdf", "svg"])
def test_dot_is_asked_for_the_type_of_the_file(g, out, fake_dot, kind):
    fake_dot('printf "rendered with %s" "$1"')
    written = draw_graph(g, out / f"g.{kind}")
    assert written.read_text(encoding="utf-8") == f"rendered with -T{kind}"
    assert _names(out) == [f"g.{kind}"]


def test_a_slow_dot_is_stopped(g, out, fake_dot, monkeypatch):
    # dot's layout grows steeply with the graph (48 s for 135 nodes here); it gets DOT_TIMEOUT
    fake_dot("while :; do :; done")  # never finishes (shell built-ins only: PATH holds nothing else)
    monkeypatch.setattr(picture_file, "DOT_TIMEOUT", 0.2)
    target = out / "g.png"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match=r"took more than 0.2 s to lay this picture out; draw it to .svg"):
        draw_graph(g, target)
    assert target.read_bytes() == b"old"
    svg = draw_graph(g, out / "g.svg").read_text(encoding="utf-8")  # an SVG: derive draws it instead
    assert draw_svg.MARK in svg and "∂J/∂c = 9" in svg
    assert _names(out) == ["g.png", "g.svg"]


def test_large_pictures_are_laid_out_by_derive(g, out, fake_dot, monkeypatch):
    fake_dot('printf "rendered with %s" "$1"')
    monkeypatch.setattr(draw, "LARGE", 5)  # 3*(a+b*c) has 6 nodes
    assert draw_svg.MARK in draw_graph(g, out / "g.svg").read_text(encoding="utf-8")
    assert draw_graph(g, out / "g.png").read_text(encoding="utf-8") == "rendered with -Tpng"  # PNG: dot's job
    monkeypatch.setattr(draw, "LARGE", 6)
    assert draw_graph(g, out / "g.svg").read_text(encoding="utf-8") == "rendered with -Tsvg"
    assert draw.drawn_note("graph", out / "g.svg") == f"graph drawn to {out / 'g.svg'}"


def test_a_failing_dot_keeps_the_old_file(g, out, fake_dot):
    fake_dot('echo "Error: syntax error in line 3" >&2; exit 3')
    target = out / "g.png"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match=r"Graphviz 'dot' \(.*dot\) failed: Error: syntax error in line 3"):
        draw_graph(g, target)
    assert target.read_bytes() == b"old" and _names(out) == ["g.png"]


def test_a_dot_that_prints_nothing_is_a_failure(g, out, fake_dot):
    fake_dot("exit 0")
    with pytest.raises(InputError, match="failed: no output"):
        draw_graph(g, out / "g.pdf")
    assert _names(out) == []


def test_a_picture_gets_the_usual_permissions(g, out, no_dot):
    # mkstemp makes its file private (0600); the picture is made as open() would make it
    mask = os.umask(0o022)
    os.umask(mask)
    for name in ("g.svg", "g.dot"):
        assert (draw_graph(g, out / name).stat().st_mode & 0o777) == 0o666 & ~mask


def test_writing_is_atomic(g, out, no_dot, monkeypatch):
    target = out / "g.svg"
    target.write_text("old picture", encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(picture_file.os, "replace", full_disk)
    with pytest.raises(InputError, match=r"cannot write it \(No space left on device\)"):
        draw_graph(g, target)
    assert target.read_text(encoding="utf-8") == "old picture"
    assert _names(out) == ["g.svg"]  # the temporary file is gone too


def test_an_unwritable_folder_is_one_clear_error(g, out, no_dot, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(picture_file.tempfile, "mkstemp", read_only)  # as in a folder without write permission
    with pytest.raises(InputError, match=r"cannot write there \(Permission denied\)"):
        draw_graph(g, out / "g.svg")
    assert _names(out) == []


# --- draw_network takes what backprop takes ---------------------------------------------------


def test_draw_network_takes_a_spec_string(out):
    written = draw_network("2-2-1", out / "n.dot")
    assert written.read_text(encoding="utf-8") == network_dot(net_spec("2-2-1"))
    written = draw_network("2-3-2", out / "m.dot", values={"w^(1)_1,1": 0.5})
    assert "label=<0.5>" in written.read_text(encoding="utf-8")


def test_draw_network_takes_a_derivation_with_its_numbers(out):
    d = derive.backprop("2-2-2", values=PUBLISHED)
    text = draw_network(d, out / "n.dot").read_text(encoding="utf-8")
    # published: a^(1)_1 = sigma(0.15·0.05 + 0.2·0.1 + 0.35) = sigma(0.3775) = 0.593269992
    assert "<B>a<SUP>(1)</SUP><SUB>1</SUB></B> = 0.5933" in text and "label=<0.15>" in text
    # a derivation without numbers: names only
    assert "label=<w<SUP>(1)</SUP><SUB>11</SUB>>" in draw_network(derive.backprop("2-2-1"), out / "b.dot").read_text()


def test_draw_network_refuses_other_things(out):
    with pytest.raises(InputError, match="expected a network like '2-2-1', got int"):
        draw_network(221, out / "n.svg")
    with pytest.raises(InputError):
        draw_network("2-x-1", out / "n.svg")
    assert _names(out) == []


def test_the_facade_offers_the_drawing_functions():
    assert derive.draw_network is draw_network and derive.draw_graph is draw_graph
