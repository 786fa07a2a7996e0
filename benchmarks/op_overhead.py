"""Per-op overhead on small CPU tensors: ember vs torch side by side in one process (ratio ember/torch).

Run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. torch is optional: without it only ember's figures print.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _best_of(fn, repeat=7, number=200):
    """Best time per call in microseconds (minimum over repeats filters out scheduler noise)."""
    fn()  # warm up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best * 1e6


def programs(lib):
    """The same small-tensor programs written once against a torch-like module."""
    lib.manual_seed(0)
    a = lib.randn(8, requires_grad=True)
    b = lib.randn(8, requires_grad=True)
    a0, b0 = a.detach(), b.detach()
    w = lib.randn(16, 16, requires_grad=True)
    x = lib.randn(4, 16)

    def add_grad_100():
        for _ in range(100):
            a + b

    def add_nograd_100():
        for _ in range(100):
            a0 + b0

    def chain_fwd_bwd():
        y = a * b
        y = y + a
        y = y.exp()
        y = y * 2.0
        y = y.tanh()
        y = y.sum()
        y.backward()

    def mlp_fwd_bwd():
        h = (x @ w).relu()
        h = (h @ w).sigmoid()
        loss = (h * h).mean()
        loss.backward()

    return {
        "a + b with grad (x100)": (add_grad_100, 100),
        "a + b no grad (x100)": (add_nograd_100, 100),
        "6-op chain fwd+bwd": (chain_fwd_bwd, 6),
        "2-layer MLP fwd+bwd (16x16)": (mlp_fwd_bwd, 7),
    }


def _import_time(module: str, after: str = "") -> float:
    """Best of 5 fresh interpreters: seconds to import `module` (after importing `after`, untimed).

    Bytecode caching is allowed (as in any pip install) and warmed by the first run, whatever
    PYTHONDONTWRITEBYTECODE says in the calling shell.
    """
    pre = f"import {after}; " if after else ""
    code = f"{pre}import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  env=env).stdout) for _ in range(6)]
    return min(times[1:])


def main():
    import ember

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    rows = []
    ember_progs = programs(ember)
    torch_progs = programs(torch) if torch is not None else {}
    for name, (fn, n_ops) in ember_progs.items():
        number = 50 if "x100" in name else 500
        # alternate the two libraries round by round so load changes on the machine hit both alike
        e = t = float("inf")
        for _ in range(5):
            e = min(e, _best_of(fn, repeat=2, number=number))
            if torch is not None:
                t = min(t, _best_of(torch_progs[name][0], repeat=2, number=number))
        rows.append((name, e / n_ops, None if torch is None else t / n_ops))
    print(f"{'program':32s} {'ember us/op':>12s} {'torch us/op':>12s} {'ember/torch':>12s}")
    for name, e, t in rows:
        ratio = "" if t is None else f"{e / t:12.2f}"
        print(f"{name:32s} {e:12.2f} {'' if t is None else f'{t:12.2f}':>12s} {ratio}")
    ie = _import_time("ember")
    own = _import_time("ember", after="numpy, ml_dtypes")
    line = f"import time: ember {ie:.3f} s (ember's own modules {own:.3f} s on top of numpy)"
    if torch is not None:
        it = _import_time("torch")
        line += f", torch {it:.3f} s, ratio {ie / it:.2f}"
    print(line)


if __name__ == "__main__":
    main()
