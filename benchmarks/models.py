"""Training-step time of four small models, ember against torch, on one thread.

The model code is written once against a torch-like module (`lib` is either `ember` or `torch`); both sides
start from the same weights (torch's, copied into ember), train on the same fixed batch with Adam, and run in
alternating rounds in this one process. The figure per side is its best round; the ratio is ember / torch.
Usage (torch must be importable, e.g. the torch venv with ember installed):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/models.py [--rounds 7] [--only lstm] [--profile]

Targets (issue 3): MLP <= 1.0x, CNN <= 1.3x, LSTM <= 1.2x, transformer <= 1.1x.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402

TARGETS = {"mlp": 1.0, "cnn": 1.3, "lstm": 1.2, "transformer": 1.1, "transformer-p0": 1.1}


# --------------------------------------------------------------------------- the models, written once
def mlp(lib):
    """MLP 784-512-512-10 on a (128, 784) batch."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return model, (128, 784)


def cnn(lib):
    """Three conv3x3 + BatchNorm + ReLU + max-pool blocks and a linear head on a (64, 3, 32, 32) batch."""
    nn = lib.nn

    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]

    model = nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128), nn.Flatten(), nn.Linear(128 * 4 * 4, 10))
    return model, (64, 3, 32, 32)


def lstm(lib):
    """One-layer LSTM, hidden 256, over (50, 32, 128) inputs; a linear head on the last step."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(128, 256)
            self.head = nn.Linear(256, 10)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[-1])

    model = Net()
    return model, (50, 32, 128)


def transformer(lib, dropout=0.1):
    """2-layer TransformerEncoder, d_model 256, 8 heads, feed-forward 1024, dropout 0.1, on (16, 128, 256)."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(256, 8, 1024, dropout=dropout, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(256, 10)

        def forward(self, x):
            return self.head(self.encoder(x).mean(1))

    model = Net()
    return model, (16, 128, 256)


def transformer_p0(lib):
    """The transformer without dropout: the same compute minus the random masks (whose cost differs most)."""
    return transformer(lib, dropout=0.0)


MODELS = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "transformer": transformer, "transformer-p0": transformer_p0}
BATCH = {"mlp": 128, "cnn": 64, "lstm": 32, "transformer": 16, "transformer-p0": 16}


# --------------------------------------------------------------------------- timing
def make_step(lib, build, state, x, y):
    """A closure running one train step (zero_grad, forward, cross-entropy, backward, Adam) on `lib`."""
    model, _ = build(lib)
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    model.train()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    inputs, target = lib.tensor(x), lib.tensor(y)
    loss_fn = lib.nn.functional.cross_entropy
    losses = []

    def step():
        opt.zero_grad()
        loss = loss_fn(model(inputs), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())

    return step, losses


def best_round(step, steps_per_round: int, clock) -> float:
    t0 = clock()
    for _ in range(steps_per_round):
        step()
    return (clock() - t0) / steps_per_round


def initial_state(lib, build) -> dict:
    """The starting weights as arrays: torch's seeded init when torch is there (shared by both sides)."""
    lib.manual_seed(0)
    model, _ = build(lib)
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def bench(name, torch, rounds, steps_per_round, clock, profile):
    build = MODELS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(build(ember)[1]).astype(np.float32)
    y = rng.integers(0, 10, BATCH[name])
    state = initial_state(torch if torch is not None else ember, build)
    sides = {}
    if torch is not None:
        sides["torch"] = make_step(torch, build, state, x, y)
    sides["ember"] = make_step(ember, build, state, x, y)
    for step, _ in sides.values():  # warm-up: first-step allocations (Adam state) stay out of the timing
        step()
    best = {k: float("inf") for k in sides}
    for _ in range(rounds):
        for k, (step, _) in sides.items():
            best[k] = min(best[k], best_round(step, steps_per_round, clock))
    line = f"{name:15s}" + ", ".join(f"{k} {t * 1e3:7.1f} ms" for k, t in best.items())
    ratio = None
    if torch is not None:
        ratio = best["ember"] / best["torch"]
        verdict = "ok" if ratio <= TARGETS[name] else "MISSED"
        # same weights and batch: the first losses agree up to float32 rounding (and dropout draws)
        first_t, first_e = sides["torch"][1][0], sides["ember"][1][0]
        line += (f"   ember/torch {ratio:4.2f}x (target <= {TARGETS[name]}x: {verdict}); first loss "
                 f"{first_e:.5f} vs {first_t:.5f}")
    print(line, flush=True)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for _ in range(steps_per_round):
            sides["ember"][0]()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=3, help="steps per round")
    parser.add_argument("--only", choices=sorted(MODELS), action="append")
    parser.add_argument("--wall", action="store_true",
                        help="time wall-clock, not this process's CPU time (which a shared machine disturbs less)")
    parser.add_argument("--profile", action="store_true", help="cProfile ember's steps after timing")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
        print("torch is not importable: ember timings only")
    print(f"one thread, {'wall' if args.wall else 'CPU'} time per train step (Adam), best of {args.rounds} rounds "
          f"of {args.steps} steps, alternating sides")
    for name in args.only or MODELS:
        try:
            bench(name, torch, args.rounds, args.steps, clock, args.profile)
        except (AttributeError, NotImplementedError, ImportError) as e:  # a layer the model needs is missing
            print(f"{name:15s}n/a ({type(e).__name__}: {e})", flush=True)


if __name__ == "__main__":
    main()
