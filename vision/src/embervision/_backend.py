"""The one place embervision touches ember's internals: a tensor's backing array and wrapping an array back.

Transforms that resample or look up pixels work on the backing array through its array module (numpy on
CPU, cupy on CUDA), so one code path serves both devices; everything else uses public ember ops.
"""

from __future__ import annotations

import numpy as np

from ember._device import xp_of
from ember._tensor import Tensor

__all__ = ["Tensor", "array_of", "is_tensor", "np_dtype", "to_numpy", "wrap", "xp_of_array", "xp_of_tensor"]

xp_of_array = xp_of  # numpy or cupy, for an array


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def array_of(t: Tensor):
    """The numpy/cupy array behind ``t`` (no copy)."""
    return t._data


def xp_of_tensor(t: Tensor):
    """numpy for a CPU tensor, cupy for a CUDA tensor."""
    return xp_of(t._data)


def wrap(array) -> Tensor:
    """A tensor over ``array`` (numpy or cupy; no copy). Numpy scalars become 0-d arrays."""
    if isinstance(array, np.generic):
        array = np.asarray(array)
    return Tensor._make(array)


def to_numpy(t: Tensor) -> np.ndarray:
    """A host numpy array of ``t`` (copies from the GPU)."""
    data = t._data
    return data if data.__class__ is np.ndarray else data.get()


def np_dtype(dtype) -> np.dtype:
    """The numpy dtype of an ember dtype."""
    return dtype.np
