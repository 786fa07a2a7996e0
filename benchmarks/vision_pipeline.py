"""Image-loading throughput: embervision vs torchvision on the same generated ImageFolder.

ImageFolder of 2,000 generated JPEGs (sizes like ImageNet's, 256-500 px a side), RandomResizedCrop(224) +
RandomHorizontalFlip + ToTensor + Normalize, batch 64, 2 DataLoader workers; images/s over full epochs
(worker start-up included); ember and torchvision alternate for --rounds rounds and each side's best epoch
counts, so that other load on the machine does not favour one side.

    python benchmarks/vision_pipeline.py
    python benchmarks/vision_pipeline.py --torchvision-python /path/to/venv/bin/python

torchvision is measured in this process when it imports beside ember; otherwise with the interpreter given
by --torchvision-python (a venv with torch + torchvision; ember is not needed there); otherwise only ember's
figure is printed. Both sides run one BLAS/OpenMP thread per worker, as torch's DataLoader workers do.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

N_IMAGES = 2000
N_CLASSES = 10
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def make_folder(root: str, n: int = N_IMAGES, seed: int = 0) -> str:
    """Write ``n`` JPEGs (smooth gradients plus noise, so they compress like photos) under root/class_k/."""
    import numpy as np
    from PIL import Image

    marker = os.path.join(root, f".complete-{n}-{seed}")
    if os.path.exists(marker):
        return root
    rng = np.random.default_rng(seed)
    for k in range(n):
        w, h = int(rng.integers(256, 501)), int(rng.integers(256, 501))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        base = np.stack([xx / w, yy / h, (xx + yy) / (w + h)], axis=-1) * rng.uniform(80, 255, 3)
        img = np.clip(base + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
        folder = os.path.join(root, f"class_{k % N_CLASSES}")
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(img).save(os.path.join(folder, f"img_{k:05d}.jpg"), quality=90)
    open(marker, "w").close()
    return root


def measure(lib: str, root: str, epochs: int, batch_size: int, workers: int) -> dict:
    """images/s of ``lib`` ("ember" or "torchvision") over full epochs of the folder."""
    if lib == "ember":
        import ember as torch
        import embervision as tv
        from ember.utils.data import DataLoader
    else:
        import torch
        import torchvision as tv
        from torch.utils.data import DataLoader
    T = tv.transforms
    transform = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)])
    dataset = tv.datasets.ImageFolder(root, transform=transform)
    torch.manual_seed(0)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers)
    rates, first_batch = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        seen = 0
        for i, (images, labels) in enumerate(loader):
            if i == 0:
                first_batch.append(time.perf_counter() - start)
                assert tuple(images.shape[1:]) == (3, 224, 224), images.shape
            seen += len(labels)
        rates.append(seen / (time.perf_counter() - start))
    return {"lib": lib, "images_per_s": max(rates), "epochs": rates, "first_batch_s": min(first_batch),
            "images": len(dataset)}


def torchvision_importable() -> bool:
    try:
        import torchvision  # noqa: F401
    except Exception:
        return False
    return True


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "ember_vision_pipeline_bench"))
    p.add_argument("--epochs", type=int, default=1, help="epochs per round")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of ember and torchvision")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--torchvision-python", default=os.environ.get("TORCHVISION_PYTHON"),
                   help="a python with torch + torchvision, when torchvision does not import here")
    p.add_argument("--only", choices=["ember", "torchvision"], help=argparse.SUPPRESS)
    args = p.parse_args()

    root = make_folder(args.data)
    if args.only:
        print(json.dumps(measure(args.only, root, args.epochs, args.batch_size, args.workers)))
        return

    print(f"ImageFolder of {N_IMAGES} JPEGs in {root}; RandomResizedCrop(224) + flip + ToTensor + Normalize; "
          f"batch {args.batch_size}, {args.workers} workers; best epoch of {args.rounds} alternating rounds "
          f"of {args.epochs} epoch(s) each")
    if torchvision_importable():
        how = "in this process"

        def run_torchvision():
            return measure("torchvision", root, args.epochs, args.batch_size, args.workers)
    elif args.torchvision_python:
        how = f"with {args.torchvision_python}"
        cmd = [args.torchvision_python, os.path.abspath(__file__), "--only", "torchvision", "--data", root,
               "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--workers", str(args.workers)]

        def run_torchvision():
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            return json.loads(out.strip().splitlines()[-1])
    else:
        how, run_torchvision = None, None
    # the two sides alternate, so a busy spell of the machine hits both rather than one
    runs = {"ember": [], "torchvision": []}
    for _ in range(args.rounds):
        runs["ember"].append(measure("ember", root, args.epochs, args.batch_size, args.workers))
        if run_torchvision is not None:
            runs["torchvision"].append(run_torchvision())
    results = {}
    for lib, rs in runs.items():
        if rs:
            results[lib] = {"images_per_s": max(r["images_per_s"] for r in rs),
                            "epochs": [e for r in rs for e in r["epochs"]],
                            "first_batch_s": min(r["first_batch_s"] for r in rs)}
    for lib, r in results.items():
        print(f"{lib:12s} {r['images_per_s']:8.1f} images/s   (epochs: "
              f"{', '.join(f'{x:.1f}' for x in r['epochs'])}; first batch after {r['first_batch_s']:.2f} s)")
    if how is None:
        print("torchvision is not importable here (and no --torchvision-python given): ember's figure only")
    else:
        ratio = results["ember"]["images_per_s"] / results["torchvision"]["images_per_s"]
        print(f"ember / torchvision = {ratio:.2f}x  (torchvision measured {how})")


if __name__ == "__main__":
    main()
