"""Optimizer step time over ResNet-18's parameters (62 float32 tensors, 11.7M values): ember vs torch.

Both run in this one process on one thread, in alternating rounds; the figure per side is the best round.
torch runs its CPU default (the for-loop path) and, for reference, fused=True. Usage:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/optim.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402


def resnet18_shapes() -> list[tuple[int, ...]]:
    """torchvision resnet18's parameter shapes, in named_parameters order."""
    shapes = [(64, 3, 7, 7), (64,), (64,)]
    in_ch = 64
    for out_ch, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        for block in range(2):
            s = stride if block == 0 else 1
            shapes += [(out_ch, in_ch, 3, 3), (out_ch,), (out_ch,), (out_ch, out_ch, 3, 3), (out_ch,), (out_ch,)]
            if block == 0 and (s != 1 or in_ch != out_ch):
                shapes += [(out_ch, in_ch, 1, 1), (out_ch,), (out_ch,)]
            in_ch = out_ch
    return shapes + [(1000, 512), (1000,)]


def make_side(lib, values, grads, cls_name, kwargs):
    params = [lib.tensor(v, requires_grad=True) for v in values]
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g)
    opt = getattr(lib.optim, cls_name)(params, **kwargs)
    opt.step()  # state allocation happens on the first step: keep it out of the timing
    return opt.step


def best_round(step, steps_per_round: int, clock) -> float:
    t0 = clock()
    for _ in range(steps_per_round):
        step()
    return (clock() - t0) / steps_per_round


def bench(cls_name, kwargs, values, grads, torch, rounds, steps_per_round, clock):
    sides = {"ember": make_side(ember, values, grads, cls_name, kwargs)}
    if torch is not None:
        sides["torch"] = make_side(torch, values, grads, cls_name, kwargs)
        if cls_name in ("Adam", "SGD"):
            sides["torch fused"] = make_side(torch, values, grads, cls_name, {**kwargs, "fused": True})
    best = {name: float("inf") for name in sides}
    for _ in range(rounds):
        for name, step in sides.items():
            best[name] = min(best[name], best_round(step, steps_per_round, clock))
    line = f"{cls_name}{kwargs}: " + ", ".join(f"{n} {t * 1e3:.1f} ms" for n, t in best.items())
    if "torch" in best:
        line += f"  ratio ember/torch {best['ember'] / best['torch']:.2f}x"
        if "torch fused" in best:
            line += f" (vs torch fused {best['ember'] / best['torch fused']:.2f}x)"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=3, help="steps per round")
    parser.add_argument("--wall", action="store_true",
                        help="time wall-clock, not this process's CPU time (which a shared machine disturbs less)")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    shapes = resnet18_shapes()
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in shapes]
    print(f"{len(shapes)} tensors, {sum(v.size for v in values) / 1e6:.2f}M float32 params, one thread, "
          f"{'wall' if args.wall else 'CPU'} time per step, best of {args.rounds} rounds")
    for cls_name, kwargs in (("Adam", {"lr": 1e-3}), ("AdamW", {"lr": 1e-3}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                             ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4})):
        bench(cls_name, kwargs, values, grads, torch, args.rounds, args.steps, clock)


if __name__ == "__main__":
    main()
