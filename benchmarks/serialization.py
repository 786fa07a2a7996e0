"""Save and load of a ~100 MB state_dict: ember vs torch side by side in one process (ratio ember/torch),
plus ember's mmap=True load against its full read. torch is optional."""

from __future__ import annotations

import collections
import os
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402


def _state_dict_arrays():
    """ResNet-like shapes totalling ~100 MB of float32."""
    rng = np.random.default_rng(0)
    shapes = [(512, 512, 3, 3)] * 12 + [(256, 256, 3, 3)] * 10 + [(1000, 512), (1000,)] + [(512,)] * 40
    return collections.OrderedDict((f"layer{i}.weight", rng.standard_normal(s, dtype=np.float32))
                                   for i, s in enumerate(shapes))


def _save_without_fsync(sd, path):
    """ember.save minus its durability step (torch.save never fsyncs), to show what the flush costs."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        ember.save(sd, path)
    finally:
        os.fsync = real


def _best(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    arrays = _state_dict_arrays()
    mb = sum(a.nbytes for a in arrays.values()) / 2**20
    folder = tempfile.mkdtemp()
    e_path, t_path = os.path.join(folder, "e.pt"), os.path.join(folder, "t.pt")
    esd = collections.OrderedDict((k, ember.from_numpy(a)) for k, a in arrays.items())
    rows = [("save", lambda: ember.save(esd, e_path)), ("save, no fsync", lambda: _save_without_fsync(esd, e_path)),
            ("load", lambda: ember.load(e_path)),
            ("load mmap=True", lambda: ember.load(e_path, mmap=True))]
    try:
        import torch

        torch.set_num_threads(1)
        tsd = collections.OrderedDict((k, torch.from_numpy(a)) for k, a in arrays.items())
        torch_rows = {"save": lambda: torch.save(tsd, t_path), "save, no fsync": lambda: torch.save(tsd, t_path),
                      "load": lambda: torch.load(t_path, weights_only=True),
                      "load mmap=True": lambda: torch.load(t_path, weights_only=True, mmap=True)}
    except ImportError:
        torch_rows = {}
    print(f"state_dict: {len(arrays)} tensors, {mb:.0f} MB")
    print(f"{'':16s} {'ember s':>9s} {'torch s':>9s} {'ember/torch':>12s}")
    results = {}
    for name, fn in rows:
        e = t = float("inf")
        for _ in range(3):  # alternate so load changes on the machine hit both alike
            e = min(e, _best(fn, 1))
            if name in torch_rows:
                t = min(t, _best(torch_rows[name], 1))
        results[name] = e
        ratio = f"{e / t:12.2f}" if name in torch_rows else ""
        print(f"{name:16s} {e:9.3f} {t if name in torch_rows else float('nan'):9.3f} {ratio}")
    print(f"ember mmap load / full load: {results['load mmap=True'] / results['load']:.3f}")


if __name__ == "__main__":
    main()
