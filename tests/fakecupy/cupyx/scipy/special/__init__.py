"""Fake cupyx.scipy.special: SciPy's functions on device arrays (needs scipy)."""

import scipy.special as _sp

import cupy as _cp


def __getattr__(name):
    return _cp._device_fn(getattr(_sp, name), name)
