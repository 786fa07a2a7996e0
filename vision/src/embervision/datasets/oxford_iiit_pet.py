"""Oxford-IIIT Pet: 37 breeds of cats and dogs, with binary (cat/dog) labels and trimap segmentations."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image

from .utils import NOT_FOUND, default_root, fetch_record, verify_str_arg
from .vision import VisionDataset

__all__ = ["OxfordIIITPet"]


class OxfordIIITPet(VisionDataset):
    """``target_types``: "category" (breed), "binary-category" (cat 0 / dog 1), "segmentation" (PIL trimap),
    or a list of them (the target is then a tuple)."""

    catalog_name = "oxford-iiit-pet"
    _VALID_TARGET_TYPES = ("category", "binary-category", "segmentation")

    def __init__(self, root: str | os.PathLike | None = None, split: str = "trainval",
                 target_types: str | Sequence[str] = "category", transforms: Callable | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        self._split = verify_str_arg(split, "split", ("trainval", "test"))
        if isinstance(target_types, str):
            target_types = [target_types]
        self._target_types = [verify_str_arg(t, "target_types", self._VALID_TARGET_TYPES) for t in target_types]
        super().__init__(default_root(root), transforms=transforms, transform=transform,
                         target_transform=target_transform)
        self._base_folder = Path(self.root) / "oxford-iiit-pet"
        self._images_folder = self._base_folder / "images"
        self._anns_folder = self._base_folder / "annotations"
        self._segs_folder = self._anns_folder / "trimaps"
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(NOT_FOUND)
        image_ids, self._labels, self._bin_labels = [], [], []
        split_file = self._anns_folder / f"{self._split}.txt"
        with open(split_file) as f:
            for n, line in enumerate(f, 1):
                parts = line.strip().split()
                if not parts:
                    continue
                if len(parts) != 4:
                    raise RuntimeError(f"{split_file}:{n}: expected 'image_id class species breed_id', got {line!r}")
                image_id, label, bin_label, _ = parts
                image_ids.append(image_id)
                self._labels.append(int(label) - 1)
                self._bin_labels.append(int(bin_label) - 1)
        self.bin_classes = ["Cat", "Dog"]
        self.classes = [
            " ".join(part.title() for part in raw_cls.split("_"))
            for raw_cls, _ in sorted({(i.rsplit("_", 1)[0], lab) for i, lab in zip(image_ids, self._labels)},
                                     key=lambda pair: pair[1])
        ]
        self.bin_class_to_idx = dict(zip(self.bin_classes, range(len(self.bin_classes))))
        self.class_to_idx = dict(zip(self.classes, range(len(self.classes))))
        self._images = [self._images_folder / f"{i}.jpg" for i in image_ids]
        self._segs = [self._segs_folder / f"{i}.png" for i in image_ids]

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, idx: int):
        image = Image.open(self._images[idx]).convert("RGB")
        target = []
        for t in self._target_types:
            if t == "category":
                target.append(self._labels[idx])
            elif t == "binary-category":
                target.append(self._bin_labels[idx])
            else:
                target.append(Image.open(self._segs[idx]))
        target = None if not target else (target[0] if len(target) == 1 else tuple(target))
        if self.transforms:
            image, target = self.transforms(image, target)
        return image, target

    def _check_exists(self) -> bool:
        return self._images_folder.is_dir() and self._anns_folder.is_dir()

    def download(self) -> None:
        if self._check_exists():
            return
        fetch_record(self.catalog_name, str(self._base_folder), extract=True)
