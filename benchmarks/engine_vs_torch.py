"""Engine vs PyTorch CPU: the budgets of issue 3, as time ratios on this machine.

    python benchmarks/engine_vs_torch.py [--dtype float64|float32] [--repeat N]
                                         [--threads N] [--keep-coretype]

Both sides run the same computation in the same process with the same number of
threads (OpenBLAS's for NumPy, ``torch.set_num_threads`` for PyTorch); each figure is
the median (and the best) of ``--repeat`` timed runs after warm-up, in alternating
blocks. Prints the machine, the GEMM rates and a Markdown table (ratio = engine time /
torch time; the budget is judged on the median).

``OPENBLAS_CORETYPE`` forces OpenBLAS's kernel choice and is read when NumPy loads, so if
it is set the script re-runs itself without it (this command only) unless
``--keep-coretype`` is given; the header says what was done.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import platform
import statistics
import sys
import time
from pathlib import Path

if "OPENBLAS_CORETYPE" in os.environ and "--keep-coretype" not in sys.argv:
    env = dict(os.environ)
    env["DERIVE_BENCH_REMOVED_CORETYPE"] = env.pop("OPENBLAS_CORETYPE")
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import numpy as np  # after the environment is settled

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's derive/

from derive.engine import (
    SGD,
    Activation,
    Conv2D,
    Dense,
    Sequential,
    get_loss,
    lenet5,
    train_step,
)
from derive.engine.lenet import C3_TABLE

BUDGETS = {"LeNet-5": 2.0, "MLP 784-500-10": 1.3, "Conv2D 3->64": 2.0}


def openblas():
    """(config, core name, threads) of the OpenBLAS that NumPy loaded, read through ctypes."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    if not libs:
        return "unknown", "unknown", os.cpu_count()
    lib = ctypes.CDLL(libs[0])
    for suffix in ("64_", ""):
        try:
            config = getattr(lib, f"scipy_openblas_get_config{suffix}")
            core = getattr(lib, f"scipy_openblas_get_corename{suffix}")
            threads = getattr(lib, f"scipy_openblas_get_num_threads{suffix}")
        except AttributeError:
            continue
        config.restype = core.restype = ctypes.c_char_p
        return config().decode(), core().decode(), threads()
    return "unknown", "unknown", os.cpu_count()


def set_openblas_threads(n: int) -> None:
    for lib in glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*")):
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads"):
            fn = getattr(ctypes.CDLL(lib), name, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return


def gemm_gflops(dtype, torch=None, n=1000, runs=5) -> float:
    """GEMM rate of NumPy (or torch): what bounds the conv and dense layers."""
    a = np.random.default_rng(0).random((n, n)).astype(dtype)
    if torch is not None:
        a = torch.from_numpy(a)
    a @ a
    t0 = time.perf_counter()
    for _ in range(runs):
        a @ a
    return 2 * n**3 * runs / (time.perf_counter() - t0) / 1e9


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def compare(ours, theirs, repeat, rounds=5):
    """Run times of each over ``rounds`` alternating blocks of ``repeat // rounds`` runs.

    Blocks, not single interleaved runs: OpenBLAS and OpenMP worker threads spin for a
    while after each call, and on a 2-core machine the idle side's spinning threads would
    slow the other side down. A pause after each block lets them go to sleep.
    """
    a, b = [], []
    per_block = max(1, repeat // rounds)
    for _ in range(rounds):
        for fn, out in ((theirs, b), (ours, a)):
            for _ in range(3):  # warm-up: allocator, BLAS buffers, torch kernels
                fn()
            out += timed(fn, per_block)
            time.sleep(0.3)
    return a, b


def lenet_case(torch, dtype, tdtype):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    model = lenet5("dense", seed=0, dtype=dtype)
    x = rng.random((64, 1, 32, 32)).astype(dtype)
    y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 64)]
    loss = get_loss("ce")

    def ours():  # a training step's backward: no gradient for the images (torch: none either)
        loss.forward(model.forward(x), y)
        model.backward(loss.backward(), input_grad=False)

    params = [torch.tensor(getattr(layer, n), dtype=tdtype, requires_grad=True) for layer, n in model.parameters()]
    tx, ty = torch.tensor(x, dtype=tdtype), torch.tensor(y, dtype=tdtype)
    mask = torch.tensor(C3_TABLE[:, :, None, None], dtype=tdtype)

    def sub(h, coef, b):
        return F.avg_pool2d(h, 2, divisor_override=1) * coef[:, None, None] + b[:, None, None]

    def theirs():
        c1w, c1b, s2c, s2b, c3w, c3b, s4c, s4b, c5w, c5b, f6w, f6b, ow, ob = params
        h = torch.sigmoid(F.conv2d(tx, c1w, c1b))
        h = torch.sigmoid(sub(h, s2c, s2b))
        h = torch.sigmoid(F.conv2d(h, c3w * mask, c3b))
        h = torch.sigmoid(sub(h, s4c, s4b))
        h = torch.sigmoid(F.conv2d(h, c5w, c5b)).flatten(1)
        h = torch.sigmoid(F.linear(h, f6w, f6b))
        J = -(ty * torch.log_softmax(F.linear(h, ow, ob), -1)).sum() / 64
        for p in params:
            p.grad = None
        J.backward()

    return ours, theirs


def mlp_case(torch, dtype, tdtype):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    model = Sequential(
        Dense(784, 500, seed=rng, dtype=dtype), Activation("sigmoid"), Dense(500, 10, seed=rng, dtype=dtype)
    )
    x = rng.random((100, 784)).astype(dtype)
    y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 100)]
    loss, opt = get_loss("ce"), SGD(model, lr=0.01)

    def ours():
        train_step(model, loss, opt, x, y)

    params = [torch.tensor(getattr(layer, n), dtype=tdtype, requires_grad=True) for layer, n in model.parameters()]
    topt = torch.optim.SGD(params, lr=0.01)
    tx, ty = torch.tensor(x, dtype=tdtype), torch.tensor(y, dtype=tdtype)

    def theirs():
        w1, b1, w2, b2 = params
        out = F.linear(torch.sigmoid(F.linear(tx, w1, b1)), w2, b2)
        J = -(ty * torch.log_softmax(out, -1)).sum() / 100
        topt.zero_grad()
        J.backward()
        topt.step()

    return ours, theirs


def conv_case(torch, dtype, tdtype):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    layer = Conv2D(3, 64, 3, padding=1, seed=rng, dtype=dtype)
    x = rng.random((32, 3, 56, 56)).astype(dtype)
    r = rng.standard_normal((32, 64, 56, 56)).astype(dtype)

    def ours():
        layer.forward(x)
        layer.backward(r)

    tx = torch.tensor(x, dtype=tdtype, requires_grad=True)
    tw = torch.tensor(layer.W, dtype=tdtype, requires_grad=True)
    tb = torch.tensor(layer.b, dtype=tdtype, requires_grad=True)
    tr = torch.tensor(r, dtype=tdtype)

    def theirs():
        for p in (tx, tw, tb):
            p.grad = None
        F.conv2d(tx, tw, tb, padding=1).backward(tr)

    return ours, theirs


CASES = {
    "LeNet-5": ("1x32x32, batch 64, fwd+bwd (dense output, softmax CE)", lenet_case),
    "MLP 784-500-10": ("batch 100, sigmoid hidden, fwd+bwd+SGD", mlp_case),
    "Conv2D 3->64": ("3x3, pad 1, 56x56, batch 32, fwd+bwd", conv_case),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--threads", type=int, default=None, help="threads for both sides (default: OpenBLAS's own count)")
    ap.add_argument(
        "--keep-coretype", action="store_true", help="keep OPENBLAS_CORETYPE if it is set (default: remove it)"
    )
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        raise SystemExit("PyTorch is the baseline here: pip install 'torch==2.13.0'") from None

    if args.threads:
        set_openblas_threads(args.threads)
    config, core, threads = openblas()
    torch.set_num_threads(threads)
    dtype = np.dtype(args.dtype)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    print(f"- machine: {platform.machine()}, nproc {os.cpu_count()}, CPU {cpu_model()}")
    print(f"- Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    removed = os.environ.get("DERIVE_BENCH_REMOVED_CORETYPE")
    coretype = (
        f"OPENBLAS_CORETYPE={removed} was set and removed for this run"
        if removed
        else f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
    )
    print(f"- NumPy BLAS: {config}; core in use {core}; {coretype}")
    print(
        f"- NumPy {args.dtype} GEMM 1000x1000: {gemm_gflops(dtype):.0f} GFLOP/s; "
        f"torch: {gemm_gflops(dtype, torch):.0f} GFLOP/s"
    )
    print(
        f"- threads: OpenBLAS {threads}, torch {torch.get_num_threads()}; dtype {args.dtype}; "
        f"median of {args.repeat} runs"
    )
    print()
    print(f"- load average before: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    print()
    print("| case | engine ms | torch ms | ratio (median) | ratio (best) | budget |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (what, make) in CASES.items():
        ours, theirs = make(torch, dtype, tdtype)
        ta, tb = compare(ours, theirs, args.repeat)
        a, b = statistics.median(ta), statistics.median(tb)
        ok = "within" if a / b <= BUDGETS[name] else "OVER"
        print(
            f"| {name} ({what}) | {a * 1e3:.2f} | {b * 1e3:.2f} | {a / b:.2f} | "
            f"{min(ta) / min(tb):.2f} | {BUDGETS[name]}x {ok} |"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
