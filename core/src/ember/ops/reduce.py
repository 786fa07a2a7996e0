"""Reductions over `dim` (None = all) with `keepdim`: sum, mean, amax/amin, max/min (with indices),
argmax/argmin, all/any.

Integer and bool sums are int64, as torch. The backward of a reduction re-inserts the reduced
dims (`_expand_back`) and broadcasts the incoming gradient over them.
"""

from __future__ import annotations

import collections

import numpy as np

from .. import _dtype
from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import norm_dims, record1, wrap

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _axes(dim, ndim):
    """dim -> numpy axis argument (None or tuple); empty dim lists mean all dims, as torch."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return norm_dims(dim, ndim) if ndim else None


def expand_back(g: Tensor, in_shape, axes, keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back to the input's shape."""
    if not keepdim and in_shape:
        kept = list(in_shape)
        for a in (range(len(in_shape)) if axes is None else axes):
            kept[a] = 1
        g = g.reshape(tuple(kept))
    return g.expand(in_shape)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    d = input._data
    axes = _axes(dim, d.ndim)
    if dtype is not None:
        d = d.astype(_dtype.to_dtype(dtype).np)
    elif d.dtype.kind in "biu":
        d = d.astype(np.int64)
    out = wrap(d.sum(axis=axes, keepdims=keepdim))
    if grad_state.enabled and input._requires_grad:
        record1(out, SumBackward0, input, data=(input._data.shape, axes, keepdim))
    return out


def SumBackward0(ctx, g):
    shape, axes, keepdim = ctx.data
    return expand_back(g, shape, axes, keepdim)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    return sum(input.nan_to_num(0.0, float("inf"), float("-inf")) if input.is_floating_point() else input, dim,
               keepdim, dtype=dtype) if not input.isnan().any() else sum(
        input.masked_fill(input.isnan(), 0), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    d = input._data
    if dtype is not None:
        d = d.astype(_dtype.to_dtype(dtype).np)
    elif d.dtype.kind in "biu":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_legacy_name(input.dtype)}")
    axes = _axes(dim, d.ndim)
    out = wrap(d.mean(axis=axes, keepdims=keepdim) if d.size else _xp(d).full(
        _reduced_shape(d.shape, axes, keepdim), np.nan, dtype=d.dtype))
    if grad_state.enabled and input._requires_grad:
        n = d.size // max(out._data.size, 1) if d.size else 0
        record1(out, MeanBackward0, input, data=(d.shape, axes, keepdim, n))
    return out


def _reduced_shape(shape, axes, keepdim):
    axes = range(len(shape)) if axes is None else axes
    return tuple(1 if i in axes else s for i, s in enumerate(shape) if keepdim or i not in axes)


def MeanBackward0(ctx, g):
    shape, axes, keepdim, n = ctx.data
    return expand_back(g / n if n else g, shape, axes, keepdim)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    keep = ~input.isnan()
    return sum(input.masked_fill(~keep, 0), dim, keepdim, dtype=dtype) / sum(keep, dim, keepdim)


def _legacy_name(dt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(
        dt.name, dt.name)


# ---------------------------------------------------------------------------- amax / amin
def _check_nonempty(d, axes, name):
    if d.size == 0 and (axes is None or any(d.shape[a] == 0 for a in axes)):
        raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                         f"reduction dim with the 'dim' argument." if axes is None else
                         f"{name}(): Expected reduction dim {list(axes)} to have non-zero size.")


def amax(input, dim=(), keepdim: bool = False):
    d = input._data
    axes = _axes(dim, d.ndim)
    _check_nonempty(d, axes, "amax")
    out = wrap(d.max(axis=axes, keepdims=keepdim))
    if grad_state.enabled and input._requires_grad:
        record1(out, AmaxBackward0, input, saved=(input, out), data=(axes, keepdim))
    return out


def amin(input, dim=(), keepdim: bool = False):
    d = input._data
    axes = _axes(dim, d.ndim)
    _check_nonempty(d, axes, "amin")
    out = wrap(d.min(axis=axes, keepdims=keepdim))
    if grad_state.enabled and input._requires_grad:
        record1(out, AminBackward0, input, saved=(input, out), data=(axes, keepdim))
    return out


def _extremum_backward(ctx, g):
    """Ties share the gradient equally, as torch's amax/amin and full max()/min()."""
    x, out = ctx.saved_tensors
    axes, keepdim = ctx.data
    out_b = expand_back(out, x.shape, axes, keepdim)
    mask = (x == out_b).to(g.dtype)
    count = expand_back(mask.sum(axes if axes is not None else None, keepdim=keepdim), x.shape, axes, keepdim)
    return expand_back(g, x.shape, axes, keepdim) * mask / count


def AmaxBackward0(ctx, g):
    return _extremum_backward(ctx, g)


def AminBackward0(ctx, g):
    return _extremum_backward(ctx, g)


# ---------------------------------------------------------------------------- max / min with indices
class _ValuesIndices(collections.namedtuple("_ValuesIndices", ["values", "indices"])):
    __slots__ = ()


def _make_result_type(name):
    return type(name, (_ValuesIndices,), {"__slots__": ()})


max_result = _make_result_type("max")
min_result = _make_result_type("min")


def _max_min(input, dim, keepdim, other, is_max):
    from .compare import maximum, minimum

    if isinstance(dim, Tensor):  # max(a, b) spelled as max(input, other)
        other, dim = dim, None
    if other is not None:
        return maximum(input, other) if is_max else minimum(input, other)
    if dim is None:
        return amax(input) if is_max else amin(input)
    d = input._data
    nd = d.ndim
    ax = norm_dims(dim, nd)[0] if nd else None
    name = "max" if is_max else "min"
    if d.size == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    xp = _xp(d)
    if nd == 0:
        idx = xp.zeros((), dtype=np.int64)
        vals = d.copy()
    else:
        idx = (xp.argmax if is_max else xp.argmin)(d, axis=ax, keepdims=True)
        vals = xp.take_along_axis(d, idx, axis=ax)
        if not keepdim:
            idx = idx.squeeze(ax)
            vals = vals.squeeze(ax)
    values = wrap(vals)
    indices = wrap(idx.astype(np.int64))
    if grad_state.enabled and input._requires_grad:
        record1(values, MaxBackward0 if is_max else MinBackward0, input, saved=(indices,),
                data=(d.shape, ax, keepdim))
    return (max_result if is_max else min_result)(values, indices)


def _indexed_backward(ctx, g):
    (indices,) = ctx.saved_tensors
    shape, ax, keepdim = ctx.data
    if ax is None:
        return g.reshape(shape)
    if not keepdim:
        g, indices = g.unsqueeze(ax), indices.unsqueeze(ax)
    return g.new_zeros(shape).scatter(ax, indices, g)


def MaxBackward0(ctx, g):
    return _indexed_backward(ctx, g)


def MinBackward0(ctx, g):
    return _indexed_backward(ctx, g)


def max(input, dim=None, keepdim: bool = False, *, other=None):
    return _max_min(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim: bool = False, *, other=None):
    return _max_min(input, dim, keepdim, other, False)


def argmax(input, dim=None, keepdim: bool = False):
    d = input._data
    xp = _xp(d)
    if dim is None:
        r = xp.argmax(d.reshape(-1))
        return wrap(xp.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    ax = norm_dims(dim, d.ndim)[0] if d.ndim else None
    return wrap(xp.argmax(d, axis=ax, keepdims=keepdim).astype(np.int64))


def argmin(input, dim=None, keepdim: bool = False):
    d = input._data
    xp = _xp(d)
    if dim is None:
        r = xp.argmin(d.reshape(-1))
        return wrap(xp.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    ax = norm_dims(dim, d.ndim)[0] if d.ndim else None
    return wrap(xp.argmin(d, axis=ax, keepdims=keepdim).astype(np.int64))


def all(input, dim=None, keepdim: bool = False):
    d = input._data
    return wrap(d.astype(bool, copy=False).all(axis=_axes(dim, d.ndim), keepdims=keepdim))


def any(input, dim=None, keepdim: bool = False):
    d = input._data
    return wrap(d.astype(bool, copy=False).any(axis=_axes(dim, d.ndim), keepdims=keepdim))


def count_nonzero(input, dim=None):
    d = input._data
    return wrap(_xp(d).count_nonzero(d, axis=_axes(dim, d.ndim)).astype(np.int64))
