"""SVHN cropped digits (.mat files; reading them needs scipy: pip install ember-vision[scipy])."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image

import emberdata

from .utils import NOT_FOUND_OR_CORRUPTED, default_root, fetch_record, verify_str_arg
from .vision import VisionDataset

__all__ = ["SVHN"]


def load_mat(path: str) -> dict:
    """scipy.io.loadmat, with a clear message when scipy is missing and an error naming a corrupt file."""
    try:
        from scipy.io import loadmat
    except ImportError:
        raise RuntimeError(
            f"reading {os.path.basename(path)} (a MATLAB file) needs scipy: pip install 'ember-vision[scipy]'"
        ) from None
    try:
        return loadmat(path, squeeze_me=False)
    except Exception as e:  # scipy raises ValueError/TypeError/OSError for damaged files
        raise RuntimeError(f"{path}: corrupt MATLAB file ({type(e).__name__}: {e})") from None


class SVHN(VisionDataset):
    """Street View House Numbers: 32x32 RGB digits; label 10 (the digit 0) is mapped to 0 as in torchvision."""

    catalog_name = "svhn"
    split_list = {"train": "train_32x32.mat", "test": "test_32x32.mat", "extra": "extra_32x32.mat"}

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(default_root(root), transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list))
        self.filename = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        path = os.path.join(self.root, self.filename)
        mat = load_mat(path)
        if "X" not in mat or "y" not in mat:
            raise RuntimeError(f"{path}: not an SVHN file (needs variables X and y)")
        self.data = np.transpose(mat["X"], (3, 2, 0, 1))  # (H, W, C, N) -> (N, C, H, W)
        self.labels = mat["y"].astype(np.int64).squeeze(axis=-1) if mat["y"].ndim == 2 else mat["y"].astype(np.int64)
        np.place(self.labels, self.labels == 10, 0)

    def _check_integrity(self) -> bool:
        spec = emberdata.catalog.get(self.catalog_name).file(self.filename)
        return emberdata.check_integrity(os.path.join(self.root, self.filename), spec.md5)

    def download(self) -> None:
        fetch_record(self.catalog_name, self.root, files=[self.filename])

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
