"""Budgets of the `derive backprop` issue, measured end to end as a user runs the command.

1. `derive backprop --net 2-2-1` within 1.5x of `python -c "import sympy, numpy"` (the floor:
   SymPy's import), both measured here, interleaved, median of N runs.
2. `derive backprop --net 8-16-16-4 --verify` under 10 s.

Run:  python benchmarks/backprop_cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    derive = shutil.which("derive") or sys.exit("install the package first: pip install -e .")
    floor_cmd = [sys.executable, "-c", "import sympy, numpy"]
    main_cmd = [derive, "backprop", "--net", "2-2-1"]
    wall(floor_cmd), wall(main_cmd)  # warm the file cache
    floor, ours = [], []
    for _ in range(args.runs):
        floor.append(wall(floor_cmd))
        ours.append(wall(main_cmd))
    f, o = statistics.median(floor), statistics.median(ours)
    print(f"import sympy, numpy            median {f:.3f} s  ({args.runs} runs)")
    print(f"derive backprop --net 2-2-1    median {o:.3f} s  ratio {o / f:.2f}  (budget 1.5)")
    big = [wall([derive, "backprop", "--net", "8-16-16-4", "--verify"]) for _ in range(3)]
    print(f"derive backprop --net 8-16-16-4 --verify  median {statistics.median(big):.2f} s  (budget 10 s)")


if __name__ == "__main__":
    main()
