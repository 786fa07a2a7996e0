"""STL-10 from its binary release: 96x96 colour images stored column-major, one channel after another."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image

from .utils import NOT_FOUND_OR_CORRUPTED, default_root, fetch_record, verify_str_arg
from .vision import VisionDataset

__all__ = ["STL10"]

_IMAGE_BYTES = 3 * 96 * 96


class STL10(VisionDataset):
    """STL-10; ``split`` is train, train+unlabeled, unlabeled or test; ``folds`` (0-9) picks a training fold.

    Unlabeled images have target -1.
    """

    catalog_name = "stl10"
    base_folder = "stl10_binary"
    class_names_file = "class_names.txt"
    folds_list_file = "fold_indices.txt"
    train_list = ["train_X.bin", "train_y.bin", "unlabeled_X.bin"]
    test_list = ["test_X.bin", "test_y.bin"]
    splits = ("train", "train+unlabeled", "unlabeled", "test")

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train", folds: int | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(default_root(root), transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", self.splits)
        self.folds = self._verify_folds(folds)
        if download:
            self.download()
        elif not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        if self.split == "train":
            self.data, self.labels = self._loadfile("train_X.bin", "train_y.bin")
            self._load_folds(folds)
        elif self.split == "train+unlabeled":
            self.data, self.labels = self._loadfile("train_X.bin", "train_y.bin")
            self._load_folds(folds)
            unlabeled, _ = self._loadfile("unlabeled_X.bin")
            self.data = np.concatenate((self.data, unlabeled))
            self.labels = np.concatenate((self.labels, np.full(len(unlabeled), -1, dtype=np.int64)))
        elif self.split == "unlabeled":
            self.data, _ = self._loadfile("unlabeled_X.bin")
            self.labels = np.full(len(self.data), -1, dtype=np.int64)
        else:
            self.data, self.labels = self._loadfile("test_X.bin", "test_y.bin")
        class_file = os.path.join(self.root, self.base_folder, self.class_names_file)
        if os.path.isfile(class_file):
            with open(class_file) as f:
                self.classes = f.read().splitlines()

    @staticmethod
    def _verify_folds(folds):
        if folds is None:
            return folds
        if isinstance(folds, int):
            if folds in range(10):
                return folds
            raise ValueError(f"Value for argument folds should be in the range [0, 10), but got {folds}.")
        raise ValueError(f"Expected type None or int for argument folds, but got type {type(folds)}.")

    def _loadfile(self, data_file: str, labels_file: str | None = None):
        labels = None
        if labels_file:
            path = os.path.join(self.root, self.base_folder, labels_file)
            labels = np.fromfile(path, dtype=np.uint8).astype(np.int64) - 1  # 1-based on disk
        path = os.path.join(self.root, self.base_folder, data_file)
        everything = np.fromfile(path, dtype=np.uint8)
        if everything.size % _IMAGE_BYTES:
            raise RuntimeError(f"{path}: {everything.size} bytes is not a whole number of 96x96x3 images")
        images = everything.reshape(-1, 3, 96, 96).transpose(0, 1, 3, 2)  # stored column-major
        if labels is not None and len(labels) != len(images):
            raise RuntimeError(f"{path}: {len(images)} images but {len(labels)} labels in {labels_file}")
        return images, labels

    def _load_folds(self, folds) -> None:
        if folds is None:
            return
        path = os.path.join(self.root, self.base_folder, self.folds_list_file)
        with open(path) as f:
            idx = np.array(f.read().splitlines()[folds].split(), dtype=np.int64)
        self.data = self.data[idx]
        self.labels = self.labels[idx]

    def _check_integrity(self) -> bool:
        folder = os.path.join(self.root, self.base_folder)
        return all(os.path.isfile(os.path.join(folder, f)) for f in self.train_list + self.test_list)

    def download(self) -> None:
        if self._check_integrity():
            return
        fetch_record(self.catalog_name, self.root, extract=True)

    def __getitem__(self, index: int):
        img, target = self.data[index], int(self.labels[index])
        img = Image.fromarray(np.transpose(img, (1, 2, 0)))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
