"""Budget of `derive homework` (issue 9): 300 students x 10 items with keys, PDFs excluded, in
under 15 s on this 2-core machine, also as a ratio to `python -c "import sympy, numpy"` measured
in the same run.

Run:  python benchmarks/homework.py [--students 300] [--runs 3] [--spec FILE]

Without --spec it uses examples/homework/spec.yaml (one item of every kind). It writes a roster of
synthetic ids, runs the real command (`derive homework SPEC --roster R --out D --no-pdf`) end to
end, and reports the median wall time and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--spec", type=Path, default=ROOT / "examples" / "homework" / "spec.yaml")
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
    print("all runs: " + ", ".join(f"{x:.2f}" for x in times))


if __name__ == "__main__":
    main()
