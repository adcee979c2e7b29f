"""`derive grade` end to end: answers as they arrive (our CSV, Canvas and Moodle exports, a folder of
answer files), hostile answers graded invalid without side effects, every student in the outputs,
atomic and reproducible writing, one answer checked on the spot, bad input as one line."""

import csv
import io
import json
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from problems.grading.grader import grade_class
from problems.grading.key import load_key
from problems.grading.sandbox import Sandbox
from problems.grading.submissions import Batch, Submission, parse_answers_csv, read_answers
from problems.homework import build_variants, write_homework
from problems.roster import parse_roster
from problems.spec import spec_from_dict

runner = CliRunner()
SPEC = {
    "title": "Quiz",
    "seed": 5,
    "items": [
        {"id": "size", "kind": "conv_size", "points": 2},
        {"id": "fm", "kind": "feature_map"},
        {"id": "d", "kind": "symbolic_delta"},
    ],
}
ROSTER = "Name,SIS User ID\nAda,s1\nAlan,s2\nGrace,s3\nEdsger,s4\n"


@pytest.fixture(scope="module")
def hw(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw") / "hw"
    spec = spec_from_dict(SPEC)
    write_homework(spec, build_variants(spec, parse_roster(ROSTER), workers=1), out, pdf=False)
    return out


@pytest.fixture(scope="module")
def key(hw):
    return load_key(hw / "key.json")


def _answers_csv(key, rows: dict[str, dict[str, str]]) -> str:
    cols = key.columns()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student_id", *cols])
    for sid, answers in rows.items():
        w.writerow([sid, *(answers.get(c, "") for c in cols)])
    return buf.getvalue()


def _right(key, sid):
    return {f.column: f.answer_text for it in key.students[sid].items for f in it.fields}


HOSTILE = [
    "__import__('os').system('touch {canary}')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: open('{canary}', 'w')",
    "9**9**9**9",
    "factorial(10**7)",
    "(" * 10_000 + "1" + ")" * 10_000,
    "(" * 100_000 + "1" + ")" * 100_000,
    "1" * 1_000_000,
    "1\x002",
    "\u202e1\u200d2\u0301",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "",
    "   ",
    "exec('import os')",
    "{{}}.__class__",
]


def test_hostile_answers_are_invalid_without_side_effects_and_the_class_is_graded(key, tmp_path):
    canary = tmp_path / "CANARY"
    cols = key.columns()
    rows = {}
    for n, sid in enumerate(key.students):
        rows[sid] = {c: HOSTILE[(n * len(cols) + j) % len(HOSTILE)].format(canary=canary) for j, c in enumerate(cols)}
    rows["s4"] = _right(key, "s4")

    def alarm(*_):
        raise TimeoutError("grading hostile answers hung")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(120)
    try:
        batch = parse_answers_csv(_answers_csv(key, rows), cols, key.students)
        with Sandbox(workers=1) as box:
            grades = grade_class(key, batch, sandbox=box)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert not canary.exists()
    assert [s.id for s in grades.students] == list(key.students)
    for s in grades.students[:3]:
        for v in s.verdicts():
            assert v.status in ("invalid", "blank"), (v.column, v.given, v.status)
            assert v.status == "blank" or v.message
            assert len(v.message) < 200 and len(v.given) <= 60
    assert grades.students[3].total == grades.students[3].max


def test_hypothesis_any_text_is_a_verdict_never_a_crash(key):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from problems.grading.grader import grade_student

    sk = key.students["s1"]
    cols = sk.columns()

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.text(max_size=40), min_size=len(cols), max_size=len(cols)))
    def check(texts):
        g = grade_student(sk, Submission("s1", dict(zip(cols, texts)), "t"))
        assert len(g.verdicts()) == len(cols)
        assert 0 <= g.total <= g.max

    check()


def test_lms_exports_map_to_fields(key):
    cols = key.columns()
    right = _right(key, "s2")
    # Canvas "Student Analysis": name, id (Canvas's), sis_id, questions headed "<id>: <text>".
    header = ["name", "id", "sis_id", "section", *[f"{1000 + j}: Give [{c}] here" for j, c in enumerate(cols)], "n"]
    body = ["Alan", "77", "s2", "A", *[right.get(c, "") for c in cols], "3"]
    text = "\ufeff" + ";".join(header) + "\n" + ";".join(f'"{x}"' for x in body) + "\n"
    batch = parse_answers_csv(text, cols, key.students)
    assert [s.id for s in batch.submissions] == ["s2"]  # sis_id matched the key, not Canvas's id
    assert {c: a for c, a in batch.submissions[0].answers.items() if a} == right
    # Moodle "Responses": Response 1..n in the key's field order; "-" is no response.
    header = ["Surname", "First name", "Email address", "State", *[f"Response {j + 1}" for j in range(len(cols))]]
    body = ["Turing", "Alan", "s2", "Finished", *[right.get(c, "") for c in cols[:-1]], "-"]
    batch = parse_answers_csv(",".join(header) + "\n" + ",".join(f'"{x}"' for x in body) + "\n", cols, key.students)
    assert batch.submissions[0].answers[cols[0]] == right[cols[0]]
    assert batch.submissions[0].answers[cols[-1]] == ""
    assert any("Moodle" in n for n in batch.notes)


def test_a_folder_of_answer_files(hw, key, tmp_path):
    folder = tmp_path / "in"
    for sid in ("s1", "s3"):
        d = folder / sid
        d.mkdir(parents=True)
        text = (hw / "students" / sid / "answers.txt").read_text()
        right = _right(key, sid)
        lines = [
            ln + " " + right[ln.split("=")[0].strip()] if "=" in ln and not ln.startswith("#") else ln
            for ln in text.splitlines()
        ]
        (d / "answers.txt").write_text("\n".join(lines) + "\n")
    batch = read_answers(folder, key.columns(), key.students)
    assert sorted(s.id for s in batch.submissions) == ["s1", "s3"]
    with Sandbox(workers=1) as box:
        grades = grade_class(key, batch, sandbox=box)
    by = {s.id: s for s in grades.students}
    assert by["s1"].total == by["s1"].max and by["s3"].total == by["s3"].max
    assert [s.id for s in grades.missing] == ["s2", "s4"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_command_writes_every_output_and_twice_gives_the_same_files(hw, key, tmp_path):
    rows = {"s1": _right(key, "s1"), "s2": {key.columns()[0]: "<script>alert(1)</script>"}, "zz9": {}}
    answers = tmp_path / "answers.csv"
    answers.write_text(_answers_csv(key, rows))
    out = tmp_path / "graded"
    r = runner.invoke(app, ["grade", str(hw / "key.json"), "--answers", str(answers), "--out", str(out)])
    assert r.exit_code == 0, r.output
    first = _tree(out)
    r = runner.invoke(app, ["grade", str(hw / "key.json"), "--answers", str(answers), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert _tree(out) == first
    grades = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [g["student_id"] for g in grades] == list(key.students)  # every student, in the key's order
    assert grades[0]["total"] == grades[0]["max"] == "4"
    assert grades[2]["status"] == "no submission"
    for sid in key.students:
        assert (out / "feedback" / f"{sid}.md").exists() and (out / "feedback" / f"{sid}.html").exists()
        doc = json.loads((out / "gradescope" / sid / "results.json").read_text())
        assert {"score", "tests"} <= doc.keys() and all(
            {"name", "score", "max_score"} <= t.keys() for t in doc["tests"]
        )
    assert "<script>" not in (out / "feedback" / "s2.html").read_text()
    report = (out / "report.md").read_text()
    assert "zz9" in report and "s3" in report  # the unknown id and a missing student


def test_one_answer_on_the_spot(hw, key):
    f = key.students["s1"].items[0].fields[0]
    r = runner.invoke(
        app, ["grade", str(hw / "key.json"), "--student", "s1", "--field", f.column, "--answer", f.answer_text]
    )
    assert r.exit_code == 0 and "right" in r.output
    r = runner.invoke(
        app,
        ["grade", str(hw / "key.json"), "--student", "s1", "--field", f.column, "--answer", "x", "--format", "json"],
    )
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "invalid"


@pytest.mark.parametrize(
    "args, says",
    [
        (["grade", "nokey.json", "--answers", "a.csv"], "no such key"),
        (["grade", "{key}", "--answers", "missing.csv"], "no such file"),
        (["grade", "{key}", "--student", "s1"], "together"),
        (["grade", "{key}", "--student", "nobody", "--field", "a.b", "--answer", "1"], "no student"),
        (["grade", "{key}"], "--answers"),
        (["grade", "{answers}", "--answers", "{answers}"], "not"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(hw, tmp_path, args, says):
    answers = tmp_path / "a.csv"
    answers.write_text("x,y\n1,2\n")
    args = [a.format(key=hw / "key.json", answers=answers) for a in args]
    r = runner.invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 2
    assert says in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_a_folder_not_made_by_grade_is_not_replaced(hw, key, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    answers = tmp_path / "answers.csv"
    answers.write_text(_answers_csv(key, {"s1": _right(key, "s1")}))
    r = runner.invoke(app, ["grade", str(hw / "key.json"), "--answers", str(answers), "--out", str(out)])
    assert r.exit_code == 2 and (out / "thesis.tex").read_text() == "keep me"


def test_batch_keeps_duplicates_and_unknowns(key):
    subs = [Submission("s1", {}, "row 2"), Submission("s1", _right(key, "s1"), "row 3"), Submission("", {}, "row 4")]
    grades = grade_class(key, Batch(subs))
    assert grades.students[0].total == grades.students[0].max  # the last row was graded
    assert any("s1" in n and "row 3" in n for n in grades.notes)
    assert [u.source for u in grades.unknown] == ["row 4"]


def test_an_instructors_worked_example_lists_each_wrong_step(tmp_path):
    # The classic 2-2-1 example with every parameter fixed, no roster: one key ("all"). The
    # instructor's draft has delta^(2)_1 without f'(z): (0.69028 - 0.5) = 0.1903 (by hand), and the
    # gradient after it from that delta: a^(1)_1 * 0.1903 = 0.68026 * 0.1903 = 0.1295.
    spec = {"title": "Worked example", "seed": 1, "items": [{"id": "ex", "kind": "backprop_step", "fixed": {
        "net": "2-2-1", "bias": False, "x": [0.35, 0.9], "y": [0.5], "W1": [[0.1, 0.8], [0.4, 0.6]],
        "W2": [[0.3, 0.9]], "lr": 1}}]}  # fmt: skip
    import yaml

    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    r = runner.invoke(app, ["homework", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "hw"), "--no-pdf"])
    assert r.exit_code == 0, r.output
    answers = tmp_path / "mine.csv"
    answers.write_text("student_id,ex.a2_1,ex.delta2_1,ex.dJ_dw2_1-1\nall,0.6903,0.1903,0.1295\n")
    out = tmp_path / "checked"
    r = runner.invoke(app, ["grade", str(tmp_path / "hw" / "key.json"), "--answers", str(answers), "--out", str(out)])
    assert r.exit_code == 0, r.output
    feedback = (out / "feedback" / "all.md").read_text()
    line = next(ln for ln in feedback.splitlines() if "ex.delta2_1" in ln)
    assert "wrong" in line and "missing_fprime" in line
    line = next(ln for ln in feedback.splitlines() if "ex.dJ_dw2_1-1" in ln)
    assert "follow-through" in line


def test_the_shipped_example_answers(tmp_path):
    """examples/homework/answers.csv was written to show each verdict (see the README): Ada is right
    throughout; Alan leaves out f'(z) in one delta, forgets the + 1 of a size, leaves a blank, types
    code, transposes a map, writes a decimal comma and a delta as tanh(z) instead of a; Grace works the
    step in the (t - o) convention and slips on a^(1)_2 (0.7530 for 0.7350), then follows through."""
    root = Path(__file__).resolve().parent.parent / "examples" / "homework"
    out = tmp_path / "graded"
    r = runner.invoke(
        app, ["grade", str(root / "output" / "key.json"), "--answers", str(root / "answers.csv"), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    key = load_key(root / "output" / "key.json")
    batch = read_answers(root / "answers.csv", key.columns(), key.students)
    with Sandbox(workers=1) as box:
        grades = {s.id: s for s in grade_class(key, batch, sandbox=box).students}
    assert grades["s001"].total == grades["s001"].max
    v = {x.column: x for x in grades["s002"].verdicts()}
    assert "missing_fprime" in v["step.delta2_1"].mistakes
    assert "missing_plus_one" in v["size.W_2"].mistakes
    assert v["act.a"].status == "blank" and v["fwd.a2_1"].status == "invalid"
    assert "transpose" in v["fmap.y"].message
    assert v["softmax.J"].status == "right"  # 0,4791
    delta = next(c for c in v if c.startswith("delta."))
    assert v[delta].status == "right"  # written with tanh(z^(1)_2) for a^(1)_2
    g = grades["s003"]
    assert next(it for it in g.items if it.item == "step").convention == "t-o"
    v = {x.column: x for x in g.verdicts()}
    assert v["fwd.a1_2"].status == "wrong"
    assert v["fwd.z2_1"].status == v["fwd.a2_1"].status == "follow"


def test_the_terminal_summary_fits_the_width_and_names_each_item(hw, key, tmp_path, monkeypatch, capsys):
    import cli

    rows = {"s1": _right(key, "s1"), "s2": {}}
    batch = parse_answers_csv(_answers_csv(key, rows), key.columns(), key.students)
    grades = grade_class(key, batch)
    from problems.grading.outputs import report_data

    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(cli.shutil, "get_terminal_size", lambda *_: __import__("os").terminal_size((60, 24)))
    monkeypatch.setenv("NO_COLOR", "1")
    cli._grade_summary(grades, report_data(grades), tmp_path)
    err = capsys.readouterr().err.splitlines()
    table = err[:-1]
    assert all(len(line) <= 60 for line in table)
    for item in ("size", "fm", "d"):
        assert any(line.startswith(item + " ") for line in table)
    assert err[-1].startswith("derive: graded 2 of 4 students")


def test_a_confusable_answer_is_counted_once_in_the_report():
    # Two students type the value that flipped_update and mixed_sign both give; one types the
    # missing_fprime value: the report counts 2 answers for the pair, not 2 for each name.
    from problems.grading.decide import Verdict
    from problems.grading.grader import ClassGrades, ItemGrade, StudentGrade, mistake_counts

    def student(sid, mistakes):
        v = Verdict("bp.w", "wrong", 0.0, "1", "2", mistakes=mistakes)
        return StudentGrade(sid, "", (ItemGrade("bp", "backprop_step", 1.0, (v,)),), "t")

    pair = ("flipped_update", "mixed_sign")
    grades = ClassGrades("T", [student("a", pair), student("b", pair), student("c", ("missing_fprime",))])
    assert mistake_counts(grades) == {"bp": {"flipped_update or mixed_sign": 2, "missing_fprime": 1}}
