"""Helpers shared by the datasets: argument checks, catalog downloads, IDX files, a safe pickle reader."""

from __future__ import annotations

import gzip
import io
import lzma
import os
import pickle
from collections.abc import Iterable, Sequence

import numpy as np

import emberdata
from emberdata import check_integrity, download_and_extract_archive, download_url, extract_archive

__all__ = [
    "check_integrity",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "fetch_record",
    "read_idx",
    "safe_pickle_load",
    "verify_str_arg",
]

NOT_FOUND = "Dataset not found. You can use download=True to download it"
NOT_FOUND_OR_CORRUPTED = "Dataset not found or corrupted. You can use download=True to download it"


def verify_str_arg(value: str, arg: str | None = None, valid_values: Iterable[str] | None = None,
                   custom_msg: str | None = None) -> str:
    """``value`` if it is one of ``valid_values``; ValueError naming them otherwise (torchvision's message)."""
    if not isinstance(value, str):
        msg = f"Expected type str for argument {arg}, but got type {type(value)}." if arg else (
            f"Expected type str, but got type {type(value)}.")
        raise ValueError(msg)
    if valid_values is None:
        return value
    valid_values = tuple(valid_values)
    if value not in valid_values:
        if custom_msg is not None:
            raise ValueError(custom_msg)
        iterable = "{" + ", ".join(f"'{v}'" for v in valid_values) + "}"
        raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are {iterable}.")
    return value


def default_root(root) -> str:
    """``root`` expanded, or emberdata's datasets folder (``$EMBER_HOME/datasets``) when None."""
    if root is None:
        return emberdata.get_datasets_dir()
    return os.path.expanduser(os.fspath(root))


def fetch_record(name: str, folder: str, files: Sequence[str] | None = None, extract: bool = False) -> list[str]:
    """Download ``files`` of catalog record ``name`` into ``folder`` (checksummed); extract archives if asked.

    Single compressed files (.gz/.xz) are decompressed beside themselves; tar/zip archives into ``folder``.
    """
    paths = emberdata.catalog.fetch(name, folder, files=files)
    if extract:
        for path in paths:
            if path.lower().endswith(_EXTRACTABLE) and not emberdata.is_extracted(path, folder):
                extract_archive(path, folder)
    return paths


_EXTRACTABLE = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".zip", ".gz", ".bz2", ".xz")


# ------------------------------------------------------------------------------------------ IDX (MNIST's format)

_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _open_maybe_compressed(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".xz"):
        return lzma.open(path, "rb")
    return open(path, "rb")


def read_idx(path: str, expected_dtype: np.dtype | None = None, expected_ndim: int | None = None) -> np.ndarray:
    """An IDX ("SN3 Pascal Vincent") file as a native-endian array; RuntimeError naming the file if malformed."""
    try:
        with _open_maybe_compressed(path) as f:
            data = f.read()
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise RuntimeError(f"{path}: cannot read ({e})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise RuntimeError(f"{path}: not an IDX file (magic number {data[:4].hex() or 'missing'})")
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_TYPES or not 1 <= ndim <= 4:
        raise RuntimeError(f"{path}: bad IDX magic number 0x{data[:4].hex()} (type 0x{type_code:02x}, {ndim} dims)")
    header = 4 * (ndim + 1)
    if len(data) < header:
        raise RuntimeError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(ndim))
    dtype = _IDX_TYPES[type_code]
    expected_bytes = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected_bytes:
        raise RuntimeError(
            f"{path}: IDX header says shape {shape} ({expected_bytes} bytes) but the file holds "
            f"{len(data) - header} bytes of data: the file is corrupt or truncated"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    arr = arr.astype(dtype.newbyteorder("="), copy=True)
    if expected_dtype is not None and arr.dtype != expected_dtype:
        raise RuntimeError(f"{path}: expected {np.dtype(expected_dtype)} IDX data, got {arr.dtype}")
    if expected_ndim is not None and arr.ndim != expected_ndim:
        raise RuntimeError(f"{path}: expected {expected_ndim}-d IDX data, got shape {arr.shape}")
    return arr


# ------------------------------------------------------------------------------------------ safe pickles


def _numpy_reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only plain containers, strings, numbers and numpy arrays; any other global is refused."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how Python 3's protocol-2 pickles spell bytes
    }

    def __init__(self, file, path: str):
        super().__init__(file, encoding="latin1")
        self._path = path

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"{self._path}: refusing to unpickle global '{module}.{name}'; only dicts, lists, strings, numbers "
                "and numpy arrays are allowed in dataset files"
            )
        if name == "_reconstruct":
            return _numpy_reconstruct()
        if module == "_codecs":
            import codecs

            return codecs.encode
        return getattr(np, name)

    def persistent_load(self, pid):
        raise pickle.UnpicklingError(f"{self._path}: persistent ids are not allowed in dataset files")


def safe_pickle_load(path: str):
    """Load a dataset pickle (CIFAR's batches) without running arbitrary code; RuntimeError names bad files."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return _RestrictedUnpickler(io.BytesIO(data), path).load()
    except pickle.UnpicklingError as e:
        msg = str(e)
        raise RuntimeError(msg if msg.startswith(path) else f"{path}: not a valid dataset pickle ({msg})") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as e:
        raise RuntimeError(f"{path}: corrupt or truncated pickle ({type(e).__name__}: {e})") from None
