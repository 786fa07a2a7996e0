"""MNIST and its relatives in the IDX format: MNIST, FashionMNIST, KMNIST, EMNIST, QMNIST."""

from __future__ import annotations

import os
import shutil
import string
from collections.abc import Callable

import numpy as np
from PIL import Image

import ember

from .utils import NOT_FOUND, default_root, extract_archive, fetch_record, read_idx, verify_str_arg
from .vision import VisionDataset

__all__ = ["EMNIST", "KMNIST", "MNIST", "QMNIST", "FashionMNIST"]


class MNIST(VisionDataset):
    """MNIST: 28x28 grayscale digits; files under ``root/MNIST/raw`` as torchvision lays them out.

    Samples are (PIL "L" image, int label); ``data`` is a uint8 (N, 28, 28) tensor, ``targets`` int64 (N,).
    """

    catalog_name = "mnist"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(default_root(root), transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(NOT_FOUND)
        self.data, self.targets = self._load_data()

    def _split_files(self) -> tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _load_data(self):
        image_file, label_file = self._split_files()
        data = read_idx(os.path.join(self.raw_folder, image_file), np.dtype(np.uint8), 3)
        targets = read_idx(os.path.join(self.raw_folder, label_file), np.dtype(np.uint8), 1).astype(np.int64)
        if len(data) != len(targets):
            raise RuntimeError(f"{self.raw_folder}: {len(data)} images but {len(targets)} labels in {label_file}")
        return ember.from_numpy(data), ember.from_numpy(targets)

    def __getitem__(self, index: int):
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        return all(os.path.isfile(os.path.join(self.raw_folder, f)) for f in self._split_files())

    def download(self) -> None:
        """Fetch the catalog record's files (checksummed) and decompress them into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        fetch_record(self.catalog_name, self.raw_folder, extract=True)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST: Zalando's 28x28 clothing images in MNIST's format."""

    catalog_name = "fashion-mnist"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: cursive Japanese characters in MNIST's format."""

    catalog_name = "kmnist"
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """EMNIST letters and digits; ``split`` picks byclass, bymerge, balanced, letters, digits or mnist."""

    catalog_name = "emnist"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | os.PathLike | None, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.classes = self.classes_split_dict[self.split]
        super().__init__(root, **kwargs)

    def _split_files(self) -> tuple[str, str]:
        kind = "train" if self.train else "test"
        return f"emnist-{self.split}-{kind}-images-idx3-ubyte", f"emnist-{self.split}-{kind}-labels-idx1-ubyte"

    def download(self) -> None:
        """Fetch gzip.zip, extract it, and decompress its .gz files into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        fetch_record(self.catalog_name, self.raw_folder, extract=True)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in sorted(os.listdir(gzip_folder)):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, name), self.raw_folder)
        shutil.rmtree(gzip_folder)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"


class QMNIST(MNIST):
    """QMNIST: MNIST rebuilt from NIST with extended labels.

    ``what`` is train, test, test10k, test50k or nist. With ``compat=True`` a target is the digit; otherwise
    the 8 extended label fields as an int64 tensor.
    """

    catalog_name = "qmnist"
    subsets = {"train": "train", "test": "test", "test10k": "test", "test50k": "test", "nist": "nist"}
    _files = {
        "train": ("qmnist-train-images-idx3-ubyte.gz", "qmnist-train-labels-idx2-int.gz"),
        "test": ("qmnist-test-images-idx3-ubyte.gz", "qmnist-test-labels-idx2-int.gz"),
        "nist": ("xnist-images-idx3-ubyte.xz", "xnist-labels-idx2-int.xz"),
    }

    def __init__(self, root: str | os.PathLike | None = None, what: str | None = None, compat: bool = True,
                 train: bool = True, **kwargs) -> None:
        if what is None:
            what = "train" if train else "test"
        self.what = verify_str_arg(what, "what", tuple(self.subsets))
        self.compat = compat
        super().__init__(root, train, **kwargs)

    def _split_files(self) -> tuple[str, str]:
        return tuple(os.path.splitext(f)[0] for f in self._files[self.subsets[self.what]])

    def download(self) -> None:
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        fetch_record(self.catalog_name, self.raw_folder, files=self._files[self.subsets[self.what]], extract=True)

    def _load_data(self):
        image_file, label_file = self._split_files()
        data = read_idx(os.path.join(self.raw_folder, image_file), np.dtype(np.uint8), 3)
        targets = read_idx(os.path.join(self.raw_folder, label_file), np.dtype(np.int32), 2).astype(np.int64)
        if self.what == "test10k":
            data, targets = data[:10000].copy(), targets[:10000].copy()
        elif self.what == "test50k":
            data, targets = data[10000:].copy(), targets[10000:].copy()
        return ember.from_numpy(data), ember.from_numpy(targets)

    def __getitem__(self, index: int):
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img.numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        target = int(target[0]) if self.compat else target
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {self.what}"
