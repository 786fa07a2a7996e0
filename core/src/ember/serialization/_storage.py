"""Storages: the flat typed buffers tensors are views of, named as torch pickles them (`torch.FloatStorage`)."""

from __future__ import annotations

import numpy as np

from .. import _dtype

# torch's legacy typed-storage class names, which its pickles reference as globals
STORAGE_DTYPES = {
    "DoubleStorage": _dtype.float64, "FloatStorage": _dtype.float32, "HalfStorage": _dtype.float16,
    "BFloat16Storage": _dtype.bfloat16, "LongStorage": _dtype.int64, "IntStorage": _dtype.int32,
    "ShortStorage": _dtype.int16, "CharStorage": _dtype.int8, "ByteStorage": _dtype.uint8,
    "BoolStorage": _dtype.bool_,
}
STORAGE_NAMES = {dt: name for name, dt in STORAGE_DTYPES.items()}


class StorageType:
    """What `torch.FloatStorage` unpickles to: only a dtype tag, never instantiated."""

    def __init__(self, name: str):
        self.name = name
        self.dtype = STORAGE_DTYPES[name]

    def __repr__(self):
        return f"StorageType({self.name})"


class Storage:
    """A loaded storage: a flat array of one dtype plus where it was saved (`location`, e.g. 'cpu', 'cuda:0')."""

    __slots__ = ("array", "location")

    def __init__(self, array: np.ndarray, location: str):
        self.array = array
        self.location = location

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.array.dtype)

    def __len__(self):
        return self.array.size
