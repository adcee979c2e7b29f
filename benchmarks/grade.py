"""Budget of `derive grade` (issue 10): 300 students x 20 fields in under 5 s, and 10,000 x 20 in
under 60 s on this 2-core machine, with the shares spent reading, deciding and writing, and the
ratio to `python -c "import sympy, numpy"` measured in the same run.

Run:  python benchmarks/grade.py [--students 300 10000] [--runs 1]

The key is real: every student gets checked variants of six items (forward pass 6 fields, conv
size 2, activation 2, softmax + CE 3, parameter counts 6, a symbolic delta 1: 20 fields), built
by `problems.homework.make_item_variant` as `derive homework` builds them (the kinds' variant
capacity is not enforced here, so a 10,000-student key can repeat variants) and cached in
benchmarks/.cache. The answers are synthetic but shaped like a class: right as printed, right
but written differently (more decimals, scientific notation, a decimal comma, an equivalent
expression), a named mistake's value, a wrong number, blank, unreadable text. Then the real
command runs end to end (`derive grade KEY --answers CSV --out DIR`), and the phases are timed
in-process too (read key + answers / decide / write).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
sys.path.insert(0, str(ROOT))

ITEMS = [
    {"id": "fwd", "kind": "forward_pass", "points": 3, "difficulty": "easy"},
    {"id": "size", "kind": "conv_size", "points": 1},
    {"id": "act", "kind": "activation", "points": 1, "difficulty": "easy"},
    {"id": "soft", "kind": "softmax_ce", "points": 2},
    {"id": "params", "kind": "param_count", "points": 2},
    {"id": "delta", "kind": "symbolic_delta", "points": 2},
]


@functools.lru_cache(maxsize=1)
def _spec():
    from problems.spec import spec_from_dict

    return spec_from_dict({"title": "Benchmark", "seed": 2026, "items": ITEMS})


def _sheet(sid: str) -> dict:
    from problems.homework import make_item_variant
    from problems.writer import key_document

    spec = _spec()  # validated once per process, not once per student

    class _S:
        def __init__(self, sid):
            self.id, self.name = sid, ""

    class _Sheet:
        def __init__(self, sid):
            self.student = _S(sid)
            self.variants = tuple((item, *make_item_variant(spec.seed, item, sid)) for item in spec.items)

    return key_document(spec, [_Sheet(sid)])["students"][0]


def build_key(students: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"key-{students}.json"
    if path.exists():
        return path
    from concurrent.futures import ProcessPoolExecutor

    from problems.writer import key_document

    ids = [f"st{i:05d}" for i in range(students)]
    with ProcessPoolExecutor(2) as pool:
        entries = list(pool.map(_sheet, ids, chunksize=50))
    doc = key_document(_spec(), [])
    doc["students"] = entries
    path.write_text(json.dumps(doc, sort_keys=True))
    return path


def _answer(rng: random.Random, f: dict) -> str:
    r = rng.random()
    text = f["answer_text"]
    wrong = [v for v in f["mistakes"].values() if v is not None and v != f["answer"]]
    if f["type"] == "expression":
        if r < 0.6:
            return text
        if r < 0.75:
            return f"1*({text}) + 0"
        if r < 0.85 and wrong:
            return wrong[0]
        return "" if r < 0.93 else "a^(1)_1 * q("
    if r < 0.55:
        return text
    if r < 0.65 and f["type"] == "number":
        return rng.choice([repr(f["answer"]), f"{f['answer']:.6e}", text.replace(".", ",")])
    if r < 0.80 and wrong:
        v = rng.choice(wrong)
        return json.dumps(v) if isinstance(v, list) else (f"{v:.4f}" if isinstance(v, float) else str(v))
    if r < 0.88 and f["type"] in ("number", "integer"):
        return str(round(float(f["answer"]) * 1.37 + 0.5, 4))
    return "" if r < 0.95 else rng.choice(["two", "1/0", "[1, 2", "0.5.5"])


def build_answers(key_path: Path, students: int, folder: Path) -> Path:
    doc = json.loads(key_path.read_text())
    cols = []
    for s in doc["students"]:
        for iid, it in s["items"].items():
            for f in it["fields"]:
                c = f"{iid}.{f['id']}"
                if c not in cols:
                    cols.append(c)
    rng = random.Random(7)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student_id", *cols])
    for s in doc["students"]:
        row = {f"{iid}.{f['id']}": _answer(rng, f) for iid, it in s["items"].items() for f in it["fields"]}
        w.writerow([s["id"], *(row.get(c, "") for c in cols)])
    path = folder / f"answers-{students}.csv"
    path.write_text(buf.getvalue())
    return path


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def phases(key_path: Path, answers: Path, out: Path) -> dict[str, float]:
    """The same work in-process, timed by phase."""
    from problems.grading.grader import grade_class
    from problems.grading.key import load_key
    from problems.grading.outputs import write_outputs
    from problems.grading.sandbox import Sandbox
    from problems.grading.submissions import read_answers

    t0 = time.perf_counter()
    key = load_key(key_path)
    batch = read_answers(answers, key.columns(), key.students.keys())
    t1 = time.perf_counter()
    with Sandbox(workers=2) as box:
        grades = grade_class(key, batch, sandbox=box)
    t2 = time.perf_counter()
    write_outputs(grades, out, force=True)
    t3 = time.perf_counter()
    fields = sum(len(s.verdicts()) for s in grades.students)
    return {"read": t1 - t0, "decide": t2 - t1, "write": t3 - t2, "fields": fields}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, nargs="+", default=[300, 10000])
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.students:
            key = build_key(n)
            answers = build_answers(key, n, Path(tmp))
            base, times = [], []
            for run in range(args.runs):
                base.append(wall([sys.executable, "-c", "import sympy, numpy"]))
                out = Path(tmp) / f"out{n}-{run}"
                times.append(wall([sys.executable, "cli.py", "grade", str(key), "--answers", str(answers), "--out",
                                   str(out)]))  # fmt: skip
            ph = phases(key, answers, Path(tmp) / f"phases{n}")
            t, b = statistics.median(times), statistics.median(base)
            total = ph["read"] + ph["decide"] + ph["write"]
            print(
                f"{n} students, {ph['fields']} fields: derive grade {t:.2f} s wall (median of {args.runs}); "
                f"baseline import sympy, numpy {b:.2f} s; ratio {t / b:.1f}x. In-process phases: "
                + ", ".join(f"{k} {ph[k]:.2f} s ({100 * ph[k] / total:.0f}%)" for k in ("read", "decide", "write"))
            )


if __name__ == "__main__":
    main()
