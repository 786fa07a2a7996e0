"""SKLearnDigits: the UCI handwritten digits (1,797 8x8 images) that ship inside scikit-learn's wheel.

Works with no network: the data is read from scikit-learn's installed package files.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
from collections.abc import Callable

import numpy as np
from PIL import Image

import ember

from .vision import VisionDataset

__all__ = ["Digits", "SKLearnDigits"]


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (1797, 8, 8) scaled from 0..16 to 0..255, labels int64 (1797,))."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("SKLearnDigits reads the digits that ship with scikit-learn: pip install scikit-learn")
    path = os.path.join(spec.submodule_search_locations[0], "datasets", "data", "digits.csv.gz")
    if os.path.isfile(path):  # read the file directly: importing sklearn costs about a second
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.float64)
        values, labels = table[:, :-1], table[:, -1]
    else:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        values, labels = bunch.data, bunch.target
    if values.shape[1] != 64:
        raise RuntimeError(f"{path}: expected 64 pixel columns per digit, got {values.shape[1]}")
    images = np.round(values.reshape(-1, 8, 8) * (255.0 / 16.0)).astype(np.uint8)
    return images, labels.astype(np.int64)


def _stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices holding ``test_fraction`` of every class in the test part."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(idx) * test_fraction))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


class SKLearnDigits(VisionDataset):
    """8x8 grayscale digits 0-9 as PIL "L" images (values 0..255) with int labels.

    ``train`` picks a fixed stratified split (``test_fraction`` of each class is held out, chosen with
    ``split_seed``); ``train=None`` gives all 1,797 images. ``root`` and ``download`` are accepted for
    torchvision-style signatures; the data comes from the installed scikit-learn package.
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root: str | os.PathLike | None = None, train: bool | None = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False, test_fraction: float = 0.2, split_seed: int = 0) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
        images, labels = _load_digits()
        if train is not None:
            train_idx, test_idx = _stratified_split(labels, test_fraction, split_seed)
            keep = train_idx if train else test_idx
            images, labels = images[keep], labels[keep]
        self.train = train
        self.data = ember.from_numpy(np.ascontiguousarray(images))
        self.targets = ember.from_numpy(labels)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        img = Image.fromarray(self.data[index].numpy(), mode="L")
        target = int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'All' if self.train is None else ('Train' if self.train else 'Test')}"


Digits = SKLearnDigits
