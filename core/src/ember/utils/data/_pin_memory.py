"""pin_memory for batches: copy CPU tensors into page-locked host memory (CuPy) so host->GPU copies can be async."""

from __future__ import annotations

import collections
import copy

import numpy as np

from ..._tensor import Tensor


def pinned_array(arr: np.ndarray) -> np.ndarray:
    from ..._device import cupy_module

    mem = cupy_module().cuda.alloc_pinned_memory(arr.nbytes)
    out = np.frombuffer(mem, arr.dtype, arr.size).reshape(arr.shape)  # keeps mem alive
    out[...] = arr
    return out


def pin_memory(data):
    """The same structure with every CPU tensor copied into pinned memory (other leaves unchanged)."""
    if isinstance(data, Tensor):
        arr = data._data
        if arr.__class__ is not np.ndarray or arr.nbytes == 0:
            return data
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: pin_memory(v) for k, v in data.items()})
                return clone
            return type(data)({k: pin_memory(v) for k, v in data.items()})
        except TypeError:
            return {k: pin_memory(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(pin_memory(sample) for sample in data))
    if isinstance(data, tuple):
        return [pin_memory(sample) for sample in data]  # as torch: tuples come back as lists
    if isinstance(data, collections.abc.Sequence):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, item in enumerate(data):
                    clone[i] = pin_memory(item)
                return clone
            return type(data)([pin_memory(sample) for sample in data])
        except TypeError:
            return [pin_memory(sample) for sample in data]
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    return data
