"""Writers of tiny fake dataset files in the exact on-disk formats of the real releases."""

from __future__ import annotations

import gzip
import io
import lzma
import pickle
import tarfile
import zipfile

import numpy as np
from PIL import Image

IDX_TYPE = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C}


def idx_bytes(arr: np.ndarray) -> bytes:
    """IDX: 0x00 0x00 <type> <ndim>, big-endian int32 dims, then the big-endian data."""
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    code = IDX_TYPE[np.dtype(big.dtype)]
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + big.tobytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def xz(data: bytes) -> bytes:
    return lzma.compress(data)


def tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def cifar_pickle(obj) -> bytes:
    """Protocol 2, as the CIFAR python release (written by Python 2's cPickle)."""
    return pickle.dumps(obj, protocol=2)


def jpeg_bytes(rng: np.random.Generator, h: int = 12, w: int = 16) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


def png_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()
