"""`derive homework` and `derive key`: determinism, roster independence, the code round trip, the
machine key and its schema, and every bad input as one line with nothing half-written."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from problems.answers import judge
from problems.codes import decode_code, variant_seed
from problems.fields import Field, Rule
from problems.homework import build_variants, make_item_variant, write_homework
from problems.roster import Student, parse_roster
from problems.spec import spec_from_dict
from problems.writer import KEY_SCHEMA

SPEC = {
    "title": "CNN sizes",
    "seed": 7,
    "items": [
        {"id": "q1", "kind": "conv_size", "points": 2},
        {"id": "q2", "kind": "conv_size", "difficulty": "hard", "options": {"square": False}},
        {
            "id": "alex",
            "kind": "conv_size",
            "fixed": {"input": [227, 227, 3], "kernel": 11, "stride": 4, "padding": 0, "filters": 96},
        },
    ],
}
ROSTER = "Name,SIS User ID,Section\nAda,s1,A\nAlan,s2,B\nGrace,s3,A\n"
runner = CliRunner()


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(tmp_path: Path, name: str, roster: str = ROSTER, pdf: bool = False, workers: int = 1) -> Path:
    spec = spec_from_dict(SPEC)
    out = tmp_path / name
    write_homework(spec, build_variants(spec, parse_roster(roster), workers=workers), out, pdf=pdf)
    return out


def test_running_twice_gives_byte_identical_files(tmp_path):
    a, b = _build(tmp_path, "a"), _build(tmp_path, "b", workers=2)
    assert _tree(a) == _tree(b)
    assert {
        "key.json",
        "key.schema.json",
        "solutions.md",
        "solutions.tex",
        "answers-template.csv",
        "students/s1/assignment.md",
        "students/s1/assignment.tex",
        "students/s1/answers.txt",
        "students/s1/code-q1.png",
    } <= set(_tree(a))


def test_a_variant_depends_only_on_seed_item_and_student():
    spec = spec_from_dict(SPEC)
    one = build_variants(spec, [Student("s1"), Student("s2")], workers=1)
    other = build_variants(spec, [Student("s9"), Student("s1"), Student("s7"), Student("s3")], workers=1)
    s1_a, s1_b = one[0], other[1]
    assert [v.params for _, v, _ in s1_a.variants] == [v.params for _, v, _ in s1_b.variants]
    assert one[0].variants[0][1].params != one[1].variants[0][1].params  # two students, two variants
    # the seed is a hash of exactly those three things
    assert variant_seed(7, "q1", "s1") == variant_seed(7, "q1", "s1") != variant_seed(8, "q1", "s1")


def test_the_key_follows_its_schema_and_every_code_regenerates_its_variant(tmp_path):
    out = _build(tmp_path, "hw")
    key = json.loads((out / "key.json").read_text())
    assert json.loads((out / "key.schema.json").read_text()) == KEY_SCHEMA
    jsonschema.validate(key, KEY_SCHEMA)
    assert key["format"] == "derive-homework-key" and key["version"] == 1
    for student in key["students"]:
        for item_id, entry in student["items"].items():
            ref = decode_code(entry["code"])
            assert ref.seed == entry["seed"] == variant_seed(7, item_id, student["id"])
            r = runner.invoke(app, ["key", entry["code"], "--format", "json"])
            assert r.exit_code == 0, r.output
            regenerated = json.loads(r.output)
            assert [f["answer"] for f in regenerated["fields"]] == [f["answer_text"] for f in entry["fields"]]


def test_the_key_passes_its_own_rules_and_the_alexnet_item_is_the_textbook_one(tmp_path):
    key = json.loads((_build(tmp_path, "hw") / "key.json").read_text())
    for student in key["students"]:
        for entry in student["items"].values():
            for f in entry["fields"]:
                field = Field(
                    f["id"], f["quantity"], f["type"], Rule.from_json(f["rule"]), ("", ""), answer=f["answer"]
                )
                assert judge(field, f["answer_text"])
        # AlexNet conv1: (227 - 11)/4 + 1 = 55; 96*(11*11*3) + 96 = 34,944 parameters
        alex = {f["id"]: f["answer"] for f in student["items"]["alex"]["fields"]}
        assert alex == {"W_2": 55, "params": 34_944}


def test_answer_templates(tmp_path):
    out = _build(tmp_path, "hw")
    header = (out / "answers-template.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["student_id", "name"] and "q1.W_2" in header and "q2.H_2" in header
    lines = (out / "students" / "s2" / "answers.txt").read_text().splitlines()
    assert "q1.W_2 = " in lines and "alex.params = " in lines


def test_without_a_roster_one_version(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps(SPEC))  # JSON is YAML
    r = runner.invoke(app, ["homework", str(spec), "--out", str(tmp_path / "one"), "--no-pdf"])
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "one" / "students").iterdir()] == ["all"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_pdfs_are_made_and_reproducible(tmp_path):
    a, b = _build(tmp_path, "a", pdf=True), _build(tmp_path, "b", pdf=True)
    pdf = "students/s1/assignment.pdf"
    assert _tree(a)[pdf][:5] == b"%PDF-" and _tree(a)[pdf] == _tree(b)[pdf]


def _spec_file(tmp_path, doc) -> str:
    p = tmp_path / "spec.yaml"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


@pytest.mark.parametrize(
    "doc, message",
    [
        ({**SPEC, "items": [{"id": "q1", "kind": "nope"}]}, "unknown kind 'nope'; the kinds are: forward_pass"),
        ({**SPEC, "items": [{"id": "q1", "kind": "conv_size", "options": {"colour": 1}}]}, "no option 'colour'"),
        ({**SPEC, "items": [{"kind": "conv_size"}]}, "'id' is a required property"),
        ({"title": "x", "items": []}, "'seed' is a required property"),
        ({**SPEC, "items": [{"id": "q1", "kind": "conv_size"}, {"id": "q1", "kind": "conv_size"}]}, "two items"),
        (
            {
                **SPEC,
                "items": [
                    {
                        "id": "q1",
                        "kind": "conv_size",
                        "fixed": {"input": [4, 4, 1], "kernel": 9, "stride": 1, "padding": 0, "filters": 2},
                    }
                ],
            },
            "larger than the padded",
        ),
        ("title: [unclosed", "malformed YAML"),
    ],
)
def test_bad_specs_are_one_line_and_write_nothing(tmp_path, doc, message):
    out = tmp_path / "out"
    r = runner.invoke(app, ["homework", _spec_file(tmp_path, doc), "--out", str(out), "--no-pdf"])
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and message in r.stderr and "Traceback" not in r.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["spec.yaml"]  # no temporary folder left


@pytest.mark.parametrize(
    "roster, message",
    [
        ("id,name\ns1,A\ns1,B\n", "student id 's1' appears twice (lines 2 and 3)"),
        ("", "the file is empty"),
        ("name,section\nAda,A\n", "no student id column"),
        ("id\n", "a header but no students"),
        (b"\xff\xfe\x00bad", "not UTF-8 text"),
    ],
)
def test_bad_rosters(tmp_path, roster, message):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster if isinstance(roster, bytes) else roster.encode())
    r = runner.invoke(
        app, ["homework", _spec_file(tmp_path, SPEC), "--roster", str(path), "--out", str(tmp_path / "out"), "--no-pdf"]
    )
    assert r.exit_code == 2 and message in r.stderr and r.stderr.count("\n") == 1, r.output


def test_rosters_as_lms_export_them():
    # Canvas: BOM, "SIS User ID"; Moodle: semicolons, "Email address"; an explicit column
    assert [s.id for s in parse_roster("\ufeffStudent,SIS User ID\nAda,s1\n")] == ["s1"]
    assert [s.id for s in parse_roster("First name;Email address\nAda;ada@x.org\n")] == ["ada@x.org"]
    assert [s.id for s in parse_roster("name,matric,email\nA,m1,a@x\n", id_column="matric")] == ["m1"]


def test_an_existing_folder_is_refused_then_replaced_with_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    args = ["homework", _spec_file(tmp_path, SPEC), "--out", str(out), "--no-pdf"]
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "exists" in r.stderr and (out / "mine.txt").exists()
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert not (out / "mine.txt").exists() and (out / "key.json").exists()


def test_more_students_than_a_kind_has_variants(monkeypatch):
    from problems.kinds import get_kind

    monkeypatch.setattr(type(get_kind("conv_size")), "capacity", 2)  # capacity_for reads it
    with pytest.raises(Exception, match="3 students but conv_size makes about 2 distinct variants"):
        build_variants(spec_from_dict(SPEC), parse_roster(ROSTER), workers=1)


def test_preview_and_key_commands():
    r = runner.invoke(app, ["homework", "--preview", "conv_size", "--seed", "3"])
    assert r.exit_code == 0 and "Key" in r.stdout and "Worked solution" in r.stdout
    v, code = make_item_variant(7, spec_from_dict(SPEC).items[0], "s1")
    k = runner.invoke(app, ["key", code.lower()])
    assert k.exit_code == 0 and str(v.fields[0].answer) in k.stdout
    for bad, says in [("zzzz", "checksum"), ("not a code!", "is not a variant code")]:
        r = runner.invoke(app, ["key", bad])
        assert r.exit_code == 2 and says in r.stderr


def test_the_shipped_example_is_what_the_command_produces(tmp_path):
    # examples/homework/output is regenerated by:
    #   derive homework examples/homework/spec.yaml --roster examples/homework/roster.csv \
    #       --out examples/homework/output --force
    root = Path(__file__).resolve().parent.parent / "examples" / "homework"
    out = tmp_path / "output"
    r = runner.invoke(
        app, ["homework", str(root / "spec.yaml"), "--roster", str(root / "roster.csv"), "--out", str(out), "--no-pdf"]
    )
    assert r.exit_code == 0, r.output
    shipped = {k: v for k, v in _tree(root / "output").items() if not k.endswith(".pdf")}
    assert _tree(out) == shipped
    # one item of every kind, and the textbook 2-2-1 step reproduced exactly (checked by hand in
    # tests/test_kind_backprop_step.py): the same key for every student
    key = json.loads((out / "key.json").read_text())
    from problems.kinds import MODULES

    assert {i["kind"] for i in key["items"]} == set(MODULES)
    textbook = [json.dumps(s["items"]["textbook"]["fields"]) for s in key["students"]]
    assert len(set(textbook)) == 1


def test_list_shows_every_kind_in_text_and_json():
    from problems.kinds import MODULES

    text = runner.invoke(app, ["homework", "--list"])
    assert text.exit_code == 0 and all(k in text.stdout for k in MODULES)
    doc = json.loads(runner.invoke(app, ["homework", "--list", "--format", "json"]).stdout)
    kinds = {k["kind"]: k for k in doc["kinds"]}
    assert set(kinds) == set(MODULES)
    assert kinds["backprop_step"]["difficulties"] == ["easy", "medium", "hard"]
    assert "lr" in kinds["backprop_step"]["fixable"] and "square" in kinds["conv_size"]["options"]
    r = runner.invoke(app, ["homework", "--preview", "nope"])
    assert r.exit_code == 2 and "unknown kind 'nope'" in r.stderr


def test_the_class_files_are_the_whole_documents_rendered_at_once(tmp_path):
    # Each student's share of solutions.md/.tex and key.json is rendered apart (in the worker that
    # built their variants) and joined; the result must be what rendering the whole document at
    # once gives. A title and names with characters that Markdown, LaTeX and JSON escape.
    from derive.render.formats import render_latex, render_markdown
    from problems.homework import make_homework
    from problems.writer import _solutions_report, key_document

    spec = spec_from_dict({**SPEC, "title": 'Sizes & "shapes" 100% #1 ü'})
    roster = 'id,name\ns1,"Ada ""the"" first"\ns2,Zoë_2\ns3,\ns4,A & B\n'
    students = parse_roster(roster)
    sheets = build_variants(spec, students, workers=1)
    out = tmp_path / "one"
    write_homework(spec, sheets, out, pdf=False)
    assert (out / "solutions.md").read_text() == render_markdown(_solutions_report(spec, sheets))
    assert (out / "solutions.tex").read_text() == render_latex(_solutions_report(spec, sheets))
    whole = json.dumps(key_document(spec, sheets), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert (out / "key.json").read_text() == whole
    # built and written in two worker processes: the same bytes
    summary = make_homework(spec, students, tmp_path / "two", pdf=False, workers=2)
    assert summary["students"] == 4 and summary["variants"] == 12
    assert _tree(tmp_path / "two") == _tree(out)


_json_trees = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(_json_trees, st.integers(0, 3))
def test_the_key_is_written_as_json_dumps_writes_it(tree, level):
    from problems.writer import dumps_indented

    reference = json.dumps(tree, indent=1, sort_keys=True, ensure_ascii=False)
    assert dumps_indented(tree, level=level) == reference.replace("\n", "\n" + " " * level)


def test_only_json_types_are_written():
    from problems.writer import dumps_indented

    assert dumps_indented({"b": [1, 2.5, None], "a": {}}) == '{\n "a": {},\n "b": [\n  1,\n  2.5,\n  null\n ]\n}'
    for bad in [{1: "x"}, {"x": {1, 2}}, object()]:
        with pytest.raises(TypeError):
            dumps_indented(bad)


@given(
    st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=1, max_size=60),
    st.sampled_from(["l", "m", "q"]),
    st.integers(1, 5),
    st.integers(0, 4),
)
def test_qr_pictures_are_the_bytes_segno_writes(code, error, scale, border):
    import io

    import segno

    from problems.writer import qr_png

    qr = segno.make(code, error=error)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    assert qr_png(qr, scale=scale, border=border) == out.getvalue()
