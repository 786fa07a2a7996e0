"""DataLoader throughput, ember vs torch side by side in one run (samples/s and the ratio ember/torch).

(a) a TensorDataset of 20,000 3x32x32 uint8 images with int64 labels, batch 256, 0 and 2 workers;
(b) 512 small PNGs decoded with Pillow, random crop + horizontal flip per item in NumPy, batch 64, 2 workers.

The datasets are written once against a torch-like module (`lib` is ember or torch). Each configuration is timed
over whole epochs (iterator creation, so worker start-up, included), alternating the two libraries (and which
goes first), and the best of `--repeat` rounds is kept so load from other processes hits both alike.
One thread per process. torch and Pillow are optional: without torch only ember's figures print.

    PYTHONPATH=core/src /work/torchvenv/bin/python benchmarks/dataloader.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402


def tensor_dataset(lib, images: np.ndarray, labels: np.ndarray):
    return lib.utils.data.TensorDataset(lib.from_numpy(images), lib.from_numpy(labels))


def png_dataset_class(lib):
    """A dataset of PNG files: decode with Pillow, random crop + flip with NumPy's global RNG (seeded per worker)."""
    from PIL import Image

    class PngDataset(lib.utils.data.Dataset):
        def __init__(self, files, labels, crop: int):
            self.files, self.labels, self.crop = files, labels, crop

        def __len__(self):
            return len(self.files)

        def __getitem__(self, i):
            with Image.open(self.files[i]) as im:
                arr = np.asarray(im.convert("RGB"))  # (H, W, 3) uint8
            h, w, _ = arr.shape
            top = np.random.randint(0, h - self.crop + 1)
            left = np.random.randint(0, w - self.crop + 1)
            arr = arr[top:top + self.crop, left:left + self.crop]
            if np.random.rand() < 0.5:
                arr = arr[:, ::-1]
            chw = np.ascontiguousarray(arr.transpose(2, 0, 1))  # (3, crop, crop)
            return lib.from_numpy(chw), self.labels[i]

    return PngDataset


def write_pngs(folder: str, n: int, size: int, seed: int = 0) -> list[str]:
    from PIL import Image

    rng = np.random.default_rng(seed)
    files = []
    for i in range(n):
        # smooth gradients plus noise: compresses like a photo thumbnail rather than pure noise
        yy, xx = np.mgrid[0:size, 0:size]
        base = (np.stack([xx, yy, xx + yy], -1) * (255 / (2 * size))).astype(np.uint8)
        img = np.clip(base + rng.integers(0, 32, base.shape), 0, 255).astype(np.uint8)
        path = os.path.join(folder, f"{i:04d}.png")
        Image.fromarray(img).save(path)
        files.append(path)
    return files


def epoch_rate(lib, dataset, batch_size: int, num_workers: int) -> float:
    """Samples per second over one epoch, iterator creation included."""
    loader = lib.utils.data.DataLoader(dataset, batch_size=batch_size, num_workers=num_workers)
    t0 = time.perf_counter()
    n = 0
    for batch in loader:
        n += len(batch[0])
    return n / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8, help="rounds per configuration; the best is kept")
    args = parser.parse_args()

    import ember

    libs = {"ember": ember}
    try:
        import torch

        torch.set_num_threads(1)
        libs["torch"] = torch
    except ImportError:
        pass

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20000, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, 20000, dtype=np.int64)
    configs = [(f"(a) TensorDataset 20000x3x32x32 uint8, bs 256, {w} workers",
                {name: tensor_dataset(lib, images, labels) for name, lib in libs.items()}, 256, w)
               for w in (0, 2)]

    tmp = None
    try:
        import PIL  # noqa: F401

        tmp = tempfile.mkdtemp(prefix="ember_bench_png_")
        files = write_pngs(tmp, 512, 64)
        png_labels = [i % 10 for i in range(len(files))]
        configs.append(("(b) 512 PNG 64x64 decode + crop 56 + flip, bs 64, 2 workers",
                        {name: png_dataset_class(lib)(files, png_labels, 56) for name, lib in libs.items()}, 64, 2))
    except ImportError:
        print("Pillow is not installed: skipping (b)")

    try:
        print(f"{'configuration':64s} {'ember/s':>10s} {'torch/s':>10s} {'ember/torch':>12s}")
        for title, datasets, bs, workers in configs:
            best = {name: 0.0 for name in libs}
            for name in libs:  # warm up: imports, page cache, first fork
                epoch_rate(libs[name], datasets[name], bs, workers)
            for r in range(args.repeat):
                order = list(libs) if r % 2 == 0 else list(libs)[::-1]  # neither library always goes first
                for name in order:
                    best[name] = max(best[name], epoch_rate(libs[name], datasets[name], bs, workers))
            t = best.get("torch")
            ratio = f"{best['ember'] / t:12.2f}" if t else ""
            print(f"{title:64s} {best['ember']:10.0f} {t if t else float('nan'):10.0f} {ratio}")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
