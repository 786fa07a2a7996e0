"""Sorting and searching: sort/argsort/msort, topk, kthvalue, unique/unique_consecutive,
searchsorted/bucketize.

Sorting is stable and puts NaN last (first when descending), as torch. The ops that return
values pick them by index along a dim, so the gradient flows back through those indices.
"""

from __future__ import annotations

import numpy as np

from .._device import cupy_module
from .._tensor import Tensor
from ._util import wrap, wrap_dim
from .reduce import _one_dim, reduction_dim, return_type, take_along, value_selecting_backward

_ndarray = np.ndarray

sort_result = return_type("sort")
topk_result = return_type("topk")
kthvalue_result = return_type("kthvalue")


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _along(ax, sl):
    """Index selecting `sl` along axis ax."""
    return (slice(None),) * ax + (sl,)


def stable_argsort(d, ax):
    """Indices sorting d ascending along ax; ties keep their order, NaN goes last."""
    if d.__class__ is _ndarray:
        return np.argsort(d, axis=ax, kind="stable")
    return _xp(d).argsort(d, axis=ax)  # CuPy's sort is always stable


def sort_order(d, ax, descending=False):
    """Stable ascending or descending order along ax (descending keeps ties in their original order)."""
    if not descending:
        return stable_argsort(d, ax)
    xp = _xp(d)
    # sort the reversed array ascending and reverse the result: descending, with ties back in input order
    rev_order = stable_argsort(xp.flip(d, ax), ax)
    return (d.shape[ax] - 1) - xp.flip(rev_order, ax)


def _check_sortable(input, name):
    if input._data.dtype == np.bool_ and name == "topk":
        raise RuntimeError("topk does not support bool dtypes on CPU")


# ---------------------------------------------------------------------------- sort / argsort / msort
def sort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """(values, indices) sorted along dim; always stable, so `stable=True` costs nothing extra."""
    d = input._data
    ax = _one_dim(dim, d.ndim)
    idx = None if ax is None else sort_order(d, ax, descending)
    return take_along(input, idx, ax, True, SortBackward0, sort_result)


def SortBackward0(ctx, g):
    return value_selecting_backward(ctx, g)


def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    d = input._data
    ax = _one_dim(dim, d.ndim)
    if ax is None:
        return wrap(_xp(d).zeros((), dtype=np.int64))
    return wrap(sort_order(d, ax, descending).astype(np.int64, copy=False))


def msort(input):
    """Sorted along dim 0."""
    return sort(input, 0).values


# ---------------------------------------------------------------------------- topk / kthvalue
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """(values, indices) of the k largest (or smallest) along dim, largest first (smallest first)."""
    _check_sortable(input, "topk")
    d = input._data
    ax = _one_dim(dim, d.ndim)
    n = 1 if ax is None else d.shape[ax]
    k = int(k)
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    idx = None if ax is None else _topk_index(d, k, ax, largest)
    return take_along(input, idx, ax, True, TopkBackward0, topk_result)


def _topk_index(d, k, ax, largest):
    n = d.shape[ax]
    if d.__class__ is _ndarray and 0 < k < n // 4:
        # partition first, then sort only the k winners (NumPy's partition also ranks NaN highest)
        part = np.argpartition(d, n - k if largest else k - 1, axis=ax)
        cand = part[_along(ax, slice(n - k, n) if largest else slice(0, k))]
        order = sort_order(np.take_along_axis(d, cand, axis=ax), ax, largest)
        return np.take_along_axis(cand, order, axis=ax)
    return sort_order(d, ax, largest)[_along(ax, slice(0, k))]


def TopkBackward0(ctx, g):
    return value_selecting_backward(ctx, g)


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """(values, indices) of the k-th smallest element (1-based) along dim."""
    d = input._data
    ax = reduction_dim(input, dim, "kthvalue")
    n = 1 if ax is None else d.shape[ax]
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {0 if ax is None else ax}")
    idx = None if ax is None else stable_argsort(d, ax)[_along(ax, slice(k - 1, k))]
    return take_along(input, idx, ax, keepdim, KthvalueBackward0, kthvalue_result)


def KthvalueBackward0(ctx, g):
    return value_selecting_backward(ctx, g)


# ---------------------------------------------------------------------------- unique
def _int64(a):
    return wrap(a.astype(np.int64, copy=False))


def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """The distinct elements (or slices along dim), sorted; optionally where each input went and how often.

    NaNs are not equal to each other, so each one is kept, as torch. Not differentiable."""
    d = input._data
    xp = _xp(d)
    if dim is None:
        flat = d.reshape(-1)
        kwargs = {"equal_nan": False} if xp is np else {}
        res = xp.unique(flat, return_inverse=True, return_counts=True, **kwargs)
        values, inverse, counts = res[0], res[1].reshape(d.shape), res[2]
    else:
        ax = wrap_dim(dim, max(d.ndim, 1))
        values, inverse, counts = xp.unique(d, return_inverse=True, return_counts=True, axis=ax)
        inverse = inverse.reshape(-1)
    out = [wrap(values)]
    if return_inverse:
        out.append(_int64(inverse))
    if return_counts:
        out.append(_int64(counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along dim) into one."""
    d = input._data
    xp = _xp(d)
    if dim is None:
        flat = d.reshape(-1)
        rows, ax, n = flat.reshape(-1, 1), None, flat.shape[0]
    else:
        ax = wrap_dim(dim, max(d.ndim, 1))
        n = d.shape[ax]
        rows = xp.moveaxis(d, ax, 0).reshape(n, -1)  # (n, rest): one row per slice along ax
    starts = xp.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first = xp.nonzero(starts)[0]
    values = flat[first] if ax is None else xp.take(d, first, axis=ax)
    out = [wrap(values)]
    if return_inverse:
        inverse = xp.cumsum(starts) - 1
        out.append(_int64(inverse.reshape(d.shape) if ax is None else inverse))
    if return_counts:
        out.append(_int64(xp.diff(xp.concatenate([first, xp.asarray([n])]))))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------------- searchsorted / bucketize
def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False, side=None, sorter=None):
    """Insertion points of input's values into sorted_sequence (1-d, or matching input's leading dims)."""
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    side = "right" if right or side == "right" else "left"
    b = sorted_sequence._data
    xp = _xp(b)
    if sorter is not None:
        b = xp.take_along_axis(b, sorter._data, axis=-1)
    v = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if b.ndim <= 1:
        res = xp.searchsorted(b.reshape(-1), v, side=side)
    else:
        if v.ndim != b.ndim or v.shape[:-1] != b.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
        res = _batched_search(xp, b, v, side)
    return wrap(xp.asarray(res).astype(np.int32 if out_int32 else np.int64))


def _batched_search(xp, b, v, side):
    """Row-wise binary search: every row of b (..., m) against the same row of v (..., k), all rows at once."""
    m = b.shape[-1]
    rows = b.reshape(-1, m)
    vals = v.reshape(rows.shape[0], -1)
    lo = xp.zeros(vals.shape, dtype=np.int64)
    hi = xp.full(vals.shape, m, dtype=np.int64)
    v_nan = xp.isnan(vals) if vals.dtype.kind == "f" else None
    for _ in range(int(m).bit_length() + 1):
        active = lo < hi
        mid = (lo + hi) // 2
        at_mid = xp.take_along_axis(rows, xp.minimum(mid, max(m - 1, 0)), axis=1) if m else vals
        go_right = (at_mid < vals) if side == "left" else (at_mid <= vals)
        if v_nan is not None:  # NaN sorts after every number
            go_right = go_right | (v_nan & ~xp.isnan(at_mid) if side == "left" else v_nan)
        go_right &= active
        lo = xp.where(go_right, mid + 1, lo)
        hi = xp.where(active & ~go_right, mid, hi)
    return lo.reshape(v.shape)


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):
    """Bucket index of each value for 1-d boundaries (right=False: boundaries[i-1] < x <= boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
