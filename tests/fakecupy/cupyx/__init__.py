"""Fake cupyx: scatter_* through NumPy's ufunc.at, pinned allocations as plain host arrays."""

from __future__ import annotations

import numpy as _np

import cupy as _cp


def _scatter(ufunc, a, slices, value):
    if not isinstance(a, _cp.ndarray):
        raise TypeError(f"cupyx.scatter_*: target must be a cupy.ndarray, got {type(a)}")
    _cp._check_operands((slices, value), "cupyx.scatter_*")
    ufunc.at(a.view(_np.ndarray), _cp._unwrap(slices), _cp._unwrap(value))


def scatter_add(a, slices, value):
    _scatter(_np.add, a, slices, value)


def scatter_max(a, slices, value):
    _scatter(_np.maximum, a, slices, value)


def scatter_min(a, slices, value):
    _scatter(_np.minimum, a, slices, value)


def empty_pinned(shape, dtype=float, order="C"):
    return _np.empty(shape, dtype, order)


def zeros_pinned(shape, dtype=float, order="C"):
    return _np.zeros(shape, dtype, order)


def empty_like_pinned(a, dtype=None, order="K", subok=None, shape=None):
    return _np.empty_like(a, dtype=dtype, order=order, shape=shape)


def get_array_module(*args):
    return _cp.get_array_module(*args)
