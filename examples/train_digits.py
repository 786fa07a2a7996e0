"""Train a small CNN end to end with embervision + ember, offline by default.

    nox -s demo                      # scikit-learn's 8x8 digits (ships in its wheel: no network needed)
    python examples/train_digits.py --dataset mnist --epochs 3      # the real MNIST (downloaded once)
    python examples/train_digits.py --dataset fashionmnist / cifar10

Prints a progress bar per epoch and the test accuracy, and saves into --out:
predictions.png (a make_grid of test images with predicted labels; green right, red wrong) and
curves.png (training loss and test accuracy per epoch), both drawn with Pillow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from PIL import Image, ImageDraw, ImageFont

import ember
import ember.nn as nn
import ember.nn.functional as F
import embervision.transforms as T
from ember.utils.data import DataLoader
from embervision import datasets
from embervision.transforms import functional as TF
from embervision.utils import make_grid

# ------------------------------------------------------------------------------------------ data

MEANS = {"digits": ((0.5,), (0.5,)), "mnist": ((0.1307,), (0.3081,)), "fashionmnist": ((0.2860,), (0.3530,)),
         "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))}


def build_datasets(name: str, root: str | None):
    mean, std = MEANS[name]
    normalize = [T.ToTensor(), T.Normalize(mean, std)]
    if name == "digits":
        train_tf = T.Compose([T.RandomAffine(degrees=8, translate=(0.08, 0.08)), *normalize])
        return (datasets.SKLearnDigits(root, train=True, transform=train_tf),
                datasets.SKLearnDigits(root, train=False, transform=T.Compose(normalize)))
    if name in ("mnist", "fashionmnist"):
        cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
        train_tf = T.Compose([T.RandomAffine(degrees=10, translate=(0.1, 0.1)), *normalize]) if name == "mnist" \
            else T.Compose([T.RandomHorizontalFlip(), *normalize])
        return (cls(root, train=True, download=True, transform=train_tf),
                cls(root, train=False, download=True, transform=T.Compose(normalize)))
    train_tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize])
    return (datasets.CIFAR10(root, train=True, download=True, transform=train_tf),
            datasets.CIFAR10(root, train=False, download=True, transform=T.Compose(normalize)))


# ------------------------------------------------------------------------------------------ model


class SmallCNN(nn.Module):
    """conv-bn-relu x2, pool, conv-bn-relu, pool, global average, linear: ~30k weights for 1-channel input."""

    def __init__(self, in_channels: int, num_classes: int = 10, width: int = 32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(2 * width, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = x.mean(dim=(2, 3), keepdim=True)  # (N, C, h, w) -> (N, C, 1, 1)
        return self.classifier(x)


# ------------------------------------------------------------------------------------------ progress


class SimpleBar:
    """A one-line text progress bar for when tqdm is not installed."""

    def __init__(self, total: int, desc: str):
        self.total, self.desc, self.n, self.postfix = total, desc, 0, ""
        self.start = time.perf_counter()
        self.live = sys.stderr.isatty()  # redraw in place on a terminal; one final line in a log
        if self.live:
            self._draw()

    def update(self, n: int = 1):
        self.n += n
        if self.live:
            self._draw()

    def set_postfix_str(self, s: str):
        self.postfix = s

    def _draw(self):
        done = int(30 * self.n / max(self.total, 1))
        rate = self.n / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(f"\r{self.desc} [{'#' * done}{'.' * (30 - done)}] {self.n}/{self.total} "
                         f"{rate:.1f} it/s {self.postfix}")
        sys.stderr.flush()

    def close(self):
        self._draw()
        sys.stderr.write("\n")


def progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, leave=True, dynamic_ncols=True)
    except ImportError:
        return SimpleBar(total, desc)


# ------------------------------------------------------------------------------------------ train / eval


def train_epoch(model, loader, optimizer, scheduler, epoch, epochs, show):
    model.train()
    bar = progress(len(loader), f"epoch {epoch}/{epochs}", show)
    total_loss, seen = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += float(loss) * len(labels)
        seen += len(labels)
        if bar is not None:
            bar.set_postfix_str(f"loss {total_loss / seen:.4f}")
            bar.update(1)
    if bar is not None:
        bar.close()
    return total_loss / seen


def evaluate(model, loader):
    """(accuracy, predictions as a list) over ``loader``."""
    model.eval()
    correct, preds = 0, []
    with ember.no_grad():
        for images, labels in loader:
            p = model(images).argmax(dim=1)
            correct += int((p == labels).sum())
            preds.extend(p.tolist())
    return correct / len(preds), preds


# ------------------------------------------------------------------------------------------ pictures


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one fixed-size bitmap font
        return ImageFont.load_default()


def save_predictions(dataset, preds, classes, path: str, count: int = 32, cell: int = 64):
    """make_grid of the first ``count`` test images (upscaled), each captioned with its predicted label."""
    tiles, labels = [], []
    for i in range(min(count, len(dataset))):
        img, label = dataset.data[i], int(dataset.targets[i]) if hasattr(dataset, "targets") else dataset[i][1]
        tensor = img.permute(2, 0, 1) if img.ndim == 3 else img.unsqueeze(0)  # CIFAR stores HWC, MNIST HW
        if not isinstance(tensor, ember.Tensor):
            tensor = ember.from_numpy(tensor.copy())
        tensor = TF.resize(tensor, [cell, cell], T.InterpolationMode.NEAREST)
        tiles.append(TF.convert_image_dtype(tensor, ember.float32))
        labels.append(label)
    nrow, padding = 8, 2
    grid = make_grid(tiles, nrow=nrow, padding=padding, pad_value=1.0)
    caption = 18
    picture = TF.to_pil_image(grid)
    canvas = Image.new("RGB", (picture.width, picture.height + caption * ((len(tiles) + nrow - 1) // nrow)), "white")
    draw = ImageDraw.Draw(canvas)
    font = _font(14)
    step = cell + padding
    for k in range(len(tiles)):
        row, col = divmod(k, nrow)
        top = row * (step + caption)
        canvas.paste(picture.crop((col * step, row * step, col * step + step + padding, row * step + step + padding)),
                     (col * step, top))
        ok = preds[k] == labels[k]
        text = f"{classes[preds[k]]}" if ok else f"{classes[preds[k]]} ({classes[labels[k]]})"
        draw.text((col * step + padding + 2, top + step + 1), text[:10], fill=(0, 140, 0) if ok else (200, 0, 0),
                  font=font)
    canvas.save(path)


def save_curves(losses, accuracies, path: str, size=(640, 360)):
    """Training loss (blue, left axis) and test accuracy (orange, right axis) per epoch, drawn with Pillow."""
    w, h = size
    left, right, top, bottom = 60, 60, 30, 40
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    font = _font(12)
    d.rectangle((left, top, w - right, h - bottom), outline="black")
    n = len(losses)
    xs = [left + (w - left - right) * (i / max(n - 1, 1)) for i in range(n)]
    lmax = max(losses) * 1.05 or 1.0

    def ly(v):
        return top + (h - top - bottom) * (1 - v / lmax)

    def ay(v):
        return top + (h - top - bottom) * (1 - v)

    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + (h - top - bottom) * (1 - frac)
        d.line((left, y, w - right, y), fill=(225, 225, 225))
        d.text((6, y - 7), f"{lmax * frac:.2f}", fill=(31, 119, 180), font=font)
        d.text((w - right + 6, y - 7), f"{frac:.0%}", fill=(230, 120, 20), font=font)
    for i, x in enumerate(xs):
        d.text((x - 4, h - bottom + 6), str(i + 1), fill="black", font=font)
    if n > 1:
        d.line([(x, ly(v)) for x, v in zip(xs, losses)], fill=(31, 119, 180), width=3)
        d.line([(x, ay(v)) for x, v in zip(xs, accuracies)], fill=(230, 120, 20), width=3)
    for x, lv, av in zip(xs, losses, accuracies):
        d.ellipse((x - 3, ly(lv) - 3, x + 3, ly(lv) + 3), fill=(31, 119, 180))
        d.ellipse((x - 3, ay(av) - 3, x + 3, ay(av) + 3), fill=(230, 120, 20))
    d.text((left, 8), "training loss (left)", fill=(31, 119, 180), font=font)
    d.text((w - right - 150, 8), "test accuracy (right)", fill=(230, 120, 20), font=font)
    d.text((w // 2 - 20, h - 18), "epoch", fill="black", font=font)
    img.save(path)


# ------------------------------------------------------------------------------------------ main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="digits", choices=["digits", "mnist", "fashionmnist", "cifar10"])
    p.add_argument("--epochs", type=int, default=None, help="default: 15 for digits, 3 for the others")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    p.add_argument("--root", default=None, help="dataset folder (default: $EMBER_HOME/datasets)")
    p.add_argument("--out", default="demo_out", help="folder for predictions.png, curves.png, metrics.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p.parse_args(argv)


def main(argv=None) -> float:
    args = parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (15 if args.dataset == "digits" else 3)
    ember.manual_seed(args.seed)
    start = time.perf_counter()
    train_set, test_set = build_datasets(args.dataset, args.root)
    in_channels = 3 if args.dataset == "cifar10" else 1
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
                              drop_last=True)
    test_loader = DataLoader(test_set, batch_size=256, num_workers=args.workers)
    model = SmallCNN(in_channels, width=64 if args.dataset == "cifar10" else 32)
    optimizer = ember.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    print(f"{args.dataset}: {len(train_set)} training and {len(test_set)} test images; "
          f"{sum(p.numel() for p in model.parameters())} weights; {epochs} epochs")
    losses, accuracies = [], []
    for epoch in range(1, epochs + 1):
        losses.append(train_epoch(model, train_loader, optimizer, scheduler, epoch, epochs, not args.no_progress))
        acc, preds = evaluate(model, test_loader)
        accuracies.append(acc)
        print(f"epoch {epoch}: train loss {losses[-1]:.4f}  test accuracy {acc:.2%}")
    elapsed = time.perf_counter() - start
    os.makedirs(args.out, exist_ok=True)
    classes = [str(c).split(" - ")[0] for c in getattr(test_set, "classes", range(10))]
    save_predictions(test_set, preds, classes, os.path.join(args.out, "predictions.png"))
    save_curves(losses, accuracies, os.path.join(args.out, "curves.png"))
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump({"dataset": args.dataset, "epochs": epochs, "test_accuracy": accuracies[-1],
                   "train_loss": losses, "test_accuracies": accuracies, "seconds": elapsed}, f, indent=2)
    print(f"test accuracy: {accuracies[-1]:.2%} in {elapsed:.1f} s; pictures in {os.path.abspath(args.out)}")
    return accuracies[-1]


if __name__ == "__main__":
    main()
