"""Oxford 102 Flowers (label files are .mat: needs scipy, pip install ember-vision[scipy])."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

import emberdata

from .svhn import load_mat
from .utils import NOT_FOUND_OR_CORRUPTED, default_root, fetch_record, verify_str_arg
from .vision import VisionDataset

__all__ = ["Flowers102"]


class Flowers102(VisionDataset):
    """102 flower categories; ``split`` is train, val or test; targets are 0-based class indices."""

    catalog_name = "flowers-102"
    _splits_map = {"train": "trnid", "val": "valid", "test": "tstid"}

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(default_root(root), transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "val", "test"))
        self._base_folder = Path(self.root) / "flowers-102"
        self._images_folder = self._base_folder / "jpg"
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        set_ids = load_mat(str(self._base_folder / "setid.mat"))
        labels = load_mat(str(self._base_folder / "imagelabels.mat"))
        image_ids = np.asarray(set_ids[self._splits_map[self._split]]).ravel().tolist()
        image_id_to_label = dict(enumerate((np.asarray(labels["labels"]).ravel() - 1).tolist(), 1))
        self._labels = [int(image_id_to_label[i]) for i in image_ids]
        self._image_files = [self._images_folder / f"image_{int(i):05d}.jpg" for i in image_ids]

    def __len__(self) -> int:
        return len(self._image_files)

    def __getitem__(self, idx: int):
        image = Image.open(self._image_files[idx]).convert("RGB")
        label = self._labels[idx]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def _check_integrity(self) -> bool:
        if not self._images_folder.is_dir():
            return False
        record = emberdata.catalog.get(self.catalog_name)
        return all(emberdata.check_integrity(str(self._base_folder / f), record.file(f).md5)
                   for f in ("imagelabels.mat", "setid.mat"))

    def download(self) -> None:
        if self._check_integrity():
            return
        fetch_record(self.catalog_name, str(self._base_folder), extract=True)

    def extra_repr(self) -> str:
        return f"split={self._split}"
