"""Budget of `derive homework` (issue 9): 300 students x 10 items with keys, PDFs excluded, in
under 15 s on this 2-core machine, also as a ratio to `python -c "import sympy, numpy"` measured
in the same run.

Run:  python benchmarks/homework.py [--students 300] [--runs 3] [--spec FILE] [--phases N]

Without --spec it uses examples/homework/spec.yaml (one item of every kind). It writes a roster of
synthetic ids, runs the real command (`derive homework SPEC --roster R --out D --no-pdf`) end to
end, and reports the median wall time and the ratio. With --phases N it also builds and writes N
students in this process (one worker's share of the work, after a warm-up of 20 students) and
prints the CPU time of each phase: what to look at before optimising (a profile, not a wall clock).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


CPU: list[float] = []  # CPU seconds (user + system, all processes) of each homework run


def wall(cmd: list[str]) -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return took


def phases(spec_path: Path, n: int) -> None:
    """CPU time per phase for ``n`` students built and written in this process."""
    import functools
    import tempfile

    import problems.kind as kind_module
    import problems.writer as writer
    from problems.homework import make_homework
    from problems.kinds import get_kind
    from problems.roster import Student
    from problems.spec import load_spec

    spec = load_spec(spec_path)
    spent: dict[str, float] = {}
    depth = [0]

    def timed(obj, name: str, label: str) -> None:
        inner = getattr(obj, name)

        @functools.wraps(inner)
        def wrapper(*a, **k):
            if depth[0]:  # count each phase once, not inside another timed phase
                return inner(*a, **k)
            depth[0] += 1
            start = time.process_time()
            try:
                return inner(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - start
                depth[0] -= 1

        setattr(obj, name, wrapper)

    with tempfile.TemporaryDirectory() as tmp:
        make_homework(spec, [Student(f"warm{i}") for i in range(20)], Path(tmp) / "warm", pdf=False, workers=1)
        for cls in {type(get_kind(i.kind)) for i in spec.items}:
            for method, label in [
                ("compute", "derive computations (key and mistakes)"),
                ("solution", "worked-solution reports"),
                ("statement", "statements"),
                ("second_route", "second routes"),
                ("fields", "fields"),
                ("dull", "dull checks"),
                ("sample", "sampling"),
                ("check", "sampling"),
            ]:
                timed(cls, method, label)
        for fn, label in [("_self_test", "self-tests"), ("confusable_groups", "mistake groups")]:
            timed(kind_module, fn, label)
        for fn, label in [
            ("qr_png", "QR pictures (PNG)"),
            ("_key_entry", "key.json entries"),
            ("_md_piece", "solutions.md/.tex pieces"),
            ("_tex_piece", "solutions.md/.tex pieces"),
            ("_sheet_report", "sheets (md, tex)"),
            ("render_markdown", "sheets (md, tex)"),
            ("render_latex", "sheets (md, tex)"),
        ]:
            timed(writer, fn, label)
        import segno

        timed(segno, "make", "QR codes (segno encodes)")
        start = time.process_time()
        make_homework(spec, [Student(f"s{i:05d}") for i in range(n)], Path(tmp) / "out", pdf=False, workers=1)
        total = time.process_time() - start
    print(f"\none process, {n} students x {len(spec.items)} items: {total / n * 1000:.1f} ms CPU a student")
    spent["the rest (mistake checks, answers.txt, files...)"] = total - sum(spent.values())
    for label, t in sorted(spent.items(), key=lambda x: -x[1]):
        print(f"  {label:48s} {t / n * 1000:6.1f} ms  {t / total:6.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--spec", type=Path, default=ROOT / "examples" / "homework" / "spec.yaml")
    ap.add_argument("--phases", type=int, default=0, metavar="N", help="also time each phase for N students")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        roster.write_text("id,name\n" + "".join(f"st{i:05d},Student {i}\n" for i in range(args.students)))
        base, times = [], []
        for run in range(args.runs):
            base.append(wall([sys.executable, "-c", "import sympy, numpy"]))
            out = Path(tmp) / f"out{run}"
            times.append(
                wall(
                    [
                        sys.executable,
                        "cli.py",
                        "homework",
                        str(args.spec),
                        "--roster",
                        str(roster),
                        "--out",
                        str(out),
                        "--no-pdf",
                    ]
                )
            )
        import yaml

        items = len(yaml.safe_load(args.spec.read_text())["items"])
    b, t = statistics.median(base), statistics.median(times)
    print(f"import sympy, numpy               median {b:.3f} s  ({args.runs} runs)")
    print(f"derive homework {args.students} x {items} items   median {t:.2f} s  ratio {t / b:.1f}  (budget 15 s)")
    print("all runs: " + ", ".join(f"{x:.2f}" for x in times) + "; baseline: " + ", ".join(f"{x:.3f}" for x in base))
    homework_cpu = CPU[1::2]  # runs alternate: baseline, homework
    print(
        f"CPU time of the homework runs (all processes): median {statistics.median(homework_cpu):.1f} s "
        f"(on 2 cores the wall time cannot be below half of it); load average {os.getloadavg()[0]:.1f}"
    )
    if args.phases:
        phases(args.spec, args.phases)


if __name__ == "__main__":
    main()
