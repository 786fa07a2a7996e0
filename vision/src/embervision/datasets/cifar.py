"""CIFAR10 and CIFAR100 from the python-pickle release, read with a restricted unpickler (no code runs)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image

from .utils import NOT_FOUND_OR_CORRUPTED, default_root, fetch_record, safe_pickle_load
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images in 10 classes; ``root/cifar-10-batches-py`` as torchvision lays it out.

    ``data`` is uint8 (N, 32, 32, 3), ``targets`` a list of ints; samples are (PIL RGB image, int).
    """

    catalog_name = "cifar-10"
    base_folder = "cifar-10-batches-py"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(default_root(root), transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        data, self.targets = [], []
        for name in self.train_list if self.train else self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            entry = safe_pickle_load(path)
            if not isinstance(entry, dict) or "data" not in entry:
                raise RuntimeError(f"{path}: not a CIFAR batch (no 'data' entry)")
            labels = entry.get("labels", entry.get("fine_labels"))
            batch = np.asarray(entry["data"], dtype=np.uint8)
            if labels is None or batch.ndim != 2 or batch.shape[1] != 3072 or len(labels) != len(batch):
                raise RuntimeError(f"{path}: corrupt CIFAR batch (data {batch.shape}, "
                                   f"{'no' if labels is None else len(labels)} labels)")
            data.append(batch)
            self.targets.extend(int(t) for t in labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # to HWC
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not os.path.isfile(path):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use download=True to download it")
        meta = safe_pickle_load(path)
        self.classes = list(meta[self.meta["key"]])
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        # the archive's md5 is checked before extraction, and extraction is all-or-nothing
        folder = os.path.join(self.root, self.base_folder)
        return all(os.path.isfile(os.path.join(folder, f)) for f in self.train_list + self.test_list)

    def download(self) -> None:
        if self._check_integrity():
            return
        fetch_record(self.catalog_name, self.root, extract=True)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: 100 fine classes (targets) in 20 coarse superclasses."""

    catalog_name = "cifar-100"
    base_folder = "cifar-100-python"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
