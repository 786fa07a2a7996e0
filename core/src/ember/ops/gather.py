"""Gathering and scattering: gather/scatter/scatter_add/scatter_reduce along a dim, the index_* ops
(index_select/add/copy/fill), mask ops (masked_fill/select/scatter), take/take_along_dim, nonzero,
argwhere and one_hot, with the in-place `_` forms.

The forwards run on the input's array module (numpy or cupy). Scatters with a reduction use the
ufunc `.at` methods on NumPy and `cupyx.scatter_*` on CuPy, so repeated indices accumulate. As in
torch, a 0-d tensor takes part in the dim-wise ops as if it were 1-d of size 1.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._device import cupy_module, device_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import record, record1, wrap, wrap_dim
from .inplace import apply_inplace, bump_version

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _type_name(np_dtype):
    from .inplace import _name

    return _name(np_dtype)


def _is_index_dtype(index, allow_int32=False):
    dt = index._data.dtype
    return dt == np.int64 or (allow_int32 and dt == np.int32)


def _index_array(input, index, name, arg="index"):
    """The index's array, checked to be a tensor on input's device."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(index).__name__}")
    i = index._data
    if i.__class__ is not input._data.__class__ or (i.__class__ is not _ndarray
                                                     and device_of(i) != device_of(input._data)):
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{device_of(input._data)} and {device_of(i)}! (in {name})")
    return i


def _at_least_1d(a):
    return a.reshape(1) if a.ndim == 0 else a


def _check_bounds(i, n, dim, name, exc=RuntimeError, allow_negative=False):
    """Every index in [0, n) (or [-n, n) with allow_negative); the error names the first offender."""
    if i.size == 0:
        return
    lo = -n if allow_negative else 0
    bad = (i < lo) | (i >= n)
    if bool(bad.any()):
        first = int(i[bad].reshape(-1)[0])
        prefix = f"{name}(): " if name else ""
        raise exc(f"{prefix}index {first} is out of bounds for dimension {dim} with size {n}")


def _coords(xp, i, ax):
    """Advanced-index tuple addressing position (.., i[..], ..) for every element of i, i's values along ax."""
    nd = i.ndim
    out = []
    for k, s in enumerate(i.shape):
        if k == ax:
            out.append(i)
        else:
            out.append(xp.arange(s).reshape(tuple(s if j == k else 1 for j in range(nd))))
    return tuple(out)


def _box(shape):
    return tuple(slice(0, s) for s in shape)


def ufunc_at(op: str, out, where, vals) -> None:
    """out[where] op= vals, accumulating over repeated indices; op in sum, prod, amax, amin."""
    if out.__class__ is _ndarray:
        {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[op].at(out, where, vals)
        return
    import cupyx

    fn = {"sum": cupyx.scatter_add, "amax": cupyx.scatter_max, "amin": cupyx.scatter_min}.get(op)
    if fn is not None:
        try:
            fn(out, where, vals)
            return
        except (TypeError, NotImplementedError):
            pass  # a dtype cupyx has no atomic for: do it on the host below
    # CuPy has no multiplicative scatter: accumulate on the host, then copy back
    host = out.get()
    host_where = tuple(w.get() if hasattr(w, "get") else w for w in where) if isinstance(where, tuple) else (
        where.get() if hasattr(where, "get") else where)
    ufunc_at(op, host, host_where, vals.get() if hasattr(vals, "get") else vals)
    out[...] = cupy_module().asarray(host)


def _pad_to(t, shape):
    """t placed at the start of a zero tensor of `shape` (a gradient for a src bigger than its index)."""
    if tuple(t.shape) == tuple(shape):
        return t
    from .index import index_put

    return index_put(t.new_zeros(shape), _box(t.shape), t)


# ---------------------------------------------------------------------------- gather
def gather(input, dim, index, *, sparse_grad: bool = False):
    """out[i][j][k] = input[index[i][j][k]][j][k] (for dim 0): values picked along dim, shaped like index."""
    i = _index_array(input, index, "gather")
    if not _is_index_dtype(index, allow_int32=True):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    d = input._data
    d1, i1 = _at_least_1d(d), _at_least_1d(i)
    ax = wrap_dim(dim, d1.ndim)
    if i1.ndim != d1.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(d1.ndim):
        if k != ax and i1.shape[k] > d1.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(i.shape)} to be no larger "
                               f"than self {list(d.shape)} apart from dimension {ax}")
    _check_bounds(i1, d1.shape[ax], ax, "")
    out = wrap(d1[_coords(_xp(d), i1, ax)].reshape(i.shape))
    if grad_state.enabled and input._requires_grad:
        record1(out, GatherBackward0, input, saved=(index,), data=(d.shape, ax))
    return out


def GatherBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    shape, ax = ctx.data
    return g.new_zeros(shape).scatter_add(ax, index, g)


# ---------------------------------------------------------------------------- scatter family
_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_REDUCE_ALIASES = {"max": "amax", "min": "amin"}  # older spellings torch still accepts


def _scatter_prepare(input, dim, index, src, name):
    """(input array >= 1-d, coords, values to scatter (array or scalar), ax), after torch's checks."""
    i = _index_array(input, index, name)
    if not _is_index_dtype(index, allow_int32=True):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    d = input._data
    d1, i1 = _at_least_1d(d), _at_least_1d(i)
    ax = wrap_dim(dim, d1.ndim)
    if i1.ndim != d1.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    s1 = None
    if isinstance(src, Tensor):
        s1 = _at_least_1d(_index_array(input, src, name, "src"))
        if s1.ndim != d1.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if s1.dtype != d1.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    for k in range(d1.ndim):
        if (k != ax and i1.shape[k] > d1.shape[k]) or (s1 is not None and i1.shape[k] > s1.shape[k]):
            src_part = f" and to be no larger size than src {list(src.shape)}" if s1 is not None else ""
            raise RuntimeError(f"Expected index {list(i.shape)} to be no larger than self {list(d.shape)} apart "
                               f"from dimension {ax}{src_part}")
    _check_bounds(i1, d1.shape[ax], ax, "")
    vals = s1[_box(i1.shape)] if s1 is not None else src
    return d1, _coords(_xp(d), i1, ax), vals, ax


def _scatter_values(out, where, vals, reduce, include_self):
    """out (a fresh copy) with vals scattered in at `where`, reduced by `reduce` (None: plain assignment)."""
    if reduce is None:
        out[where] = vals
        return out
    xp = _xp(out)
    idx_shape = np.broadcast_shapes(*(w.shape for w in where))
    vals = xp.broadcast_to(xp.asarray(vals, dtype=out.dtype), idx_shape)
    if reduce == "mean":
        count = xp.ones(out.shape, dtype=out.dtype if out.dtype.kind == "f" else np.int64)
        if not include_self:
            out[where] = 0
            count[where] = 0
        ufunc_at("sum", out, where, vals)
        ufunc_at("sum", count, where, xp.ones(idx_shape, dtype=count.dtype))
        return out / count if out.dtype.kind == "f" else (out // count).astype(out.dtype)
    if not include_self:
        out[where] = _identity(reduce, out.dtype)
    ufunc_at(reduce, out, where, vals)
    return out


def _identity(reduce, dtype):
    if reduce == "sum":
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f" or dtype.kind == "V":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of input with src (or a scalar value) written at index along dim; reduce='add'/'multiply' accumulates."""
    if src is not None and not isinstance(src, Tensor):  # scatter(dim, index, value) positionally
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if src is not None:
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
                          "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
        else:
            src = input.new_full(tuple(index.shape), value)
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod", include_self=True)
    d1, where, vals, ax = _scatter_prepare(input, dim, index, value if src is None else src, "scatter")
    out = wrap(_scatter_values(d1.copy(), where, vals, None, True).reshape(input._data.shape))
    if src is not None:
        if grad_state.enabled and (input._requires_grad or src._requires_grad):
            record(out, ScatterBackward0, (input, src), saved=(index,), data=(ax, tuple(src.shape)))
    elif grad_state.enabled and input._requires_grad:
        record1(out, ScatterBackward1, input, saved=(index,), data=ax)
    return out


def ScatterBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    ax, src_shape = ctx.data
    need_self, need_src = ctx.needs_input_grad
    return (g.scatter(ax, index, 0.0) if need_self else None,
            _pad_to(g.gather(ax, index), src_shape) if need_src else None)


def ScatterBackward1(ctx, g):
    (index,) = ctx.saved_tensors
    return g.scatter(ctx.data, index, 0.0)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated indices accumulate)."""
    d1, where, vals, ax = _scatter_prepare(input, dim, index, src, "scatter_add")
    out = wrap(_scatter_values(d1.copy(), where, vals, "sum", True).reshape(input._data.shape))
    if grad_state.enabled and (input._requires_grad or src._requires_grad):
        record(out, ScatterAddBackward0, (input, src), saved=(index,), data=(ax, tuple(src.shape)))
    return out


def ScatterAddBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    ax, src_shape = ctx.data
    need_self, need_src = ctx.needs_input_grad
    return (g if need_self else None), (_pad_to(g.gather(ax, index), src_shape) if need_src else None)


def scatter_reduce(input, dim, index, src, reduce, *, include_self: bool = True):
    """Reduce src into input at index along dim with sum, prod, mean, amax or amin."""
    reduce = _REDUCE_ALIASES.get(reduce, reduce)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d1, where, vals, ax = _scatter_prepare(input, dim, index, src, "scatter_reduce")
    out = wrap(_scatter_values(d1.copy(), where, vals, reduce, include_self).reshape(input._data.shape))
    if grad_state.enabled and (input._requires_grad or src._requires_grad):
        record(out, ScatterReduceBackward0, (input, src), saved=(input, src, index, out),
               data=(ax, reduce, include_self))
    return out


def ScatterReduceBackward0(ctx, g):
    """torch's scatter_reduce_backward; `hit` marks the self positions that received src values."""
    x, src, index, out = ctx.saved_tensors
    ax, reduce, include_self = ctx.data
    need_self, need_src = ctx.needs_input_grad
    hit = x.new_zeros(x.shape, dtype=_bool()).scatter(ax, index, True)
    src_box = _box(index.shape)
    s = src[src_box] if tuple(src.shape) != tuple(index.shape) else src
    g_self = g_src = None
    if reduce == "sum":
        g_self = g if include_self else g.masked_fill(hit, 0)
        g_src = g.gather(ax, index)
    elif reduce == "mean":
        ones = x.new_ones(index.shape)
        n = x.new_zeros(x.shape).scatter_add(ax, index, ones) + (1 if include_self else 0)
        n = n.masked_fill(n == 0, 1)
        g_self = g / n if include_self else g.masked_fill(hit, 0)
        g_src = (g / n).gather(ax, index)
    elif reduce == "prod":
        # d out / d self = product of the src values reduced into it: no division, so zeros are fine
        g_self = g * x.new_ones(x.shape).scatter_reduce(ax, index, s, "prod") if include_self else g.masked_fill(
            hit, 0)
        g_src = _scatter_prod_src_grad(g, x, s, index, out, ax, include_self)
    else:  # amax / amin: ties share the gradient evenly between self (if included) and the src values
        value = out.gather(ax, index)
        self_is = (x == out) & ~hit if not include_self else x == out
        src_is = s == value
        n = self_is.to(g.dtype).scatter_add(ax, index, src_is.to(g.dtype))
        share = g / n.masked_fill(n == 0, 1)
        g_self = share * self_is
        g_src = share.gather(ax, index) * src_is
    return (g_self if need_self else None), (_pad_to(g_src, tuple(src.shape)) if need_src else None)


def _scatter_prod_src_grad(g, x, s, index, out, ax, include_self):
    """d out_p / d src_i = product of everything else reduced into p (self included when include_self).

    Where src_i is nonzero that is out_p / src_i. Where it is its group's only zero src, it is the group's product
    with src_i taken as 1, computed by a scatter_reduce (not a division) so its own derivative is right too."""
    s_zero = s == 0
    zeros_in_group = x.new_zeros(x.shape).scatter_add(ax, index, s_zero.to(g.dtype)).gather(ax, index)
    single = s_zero & (zeros_in_group == 1)
    g_at = g.gather(ax, index)
    divided = g_at * out.gather(ax, index) / s.masked_fill(s_zero, 1)  # 0 where a group has several zeros
    others = x.scatter_reduce(ax, index, s.masked_fill(single, 1), "prod", include_self=include_self)
    return divided.masked_fill(single, 0) + (g_at * others.gather(ax, index)).masked_fill(~single, 0)


def _bool():
    from .._dtype import bool_

    return bool_


# ---------------------------------------------------------------------------- index_* along a dim
def _vector_index(input, dim, index, name, exc=IndexError):
    """(input array, index array as 1-d, wrapped dim) for the index_* ops."""
    i = _index_array(input, index, name)
    if i.ndim > 1:
        raise exc(f"{name}(): Index is supposed to be a vector, but got dim: {i.ndim} with size: {list(i.shape)}")
    d = input._data
    ax = wrap_dim(dim, max(d.ndim, 1))
    return d, i.reshape(-1), ax


def index_select(input, dim, index):
    """The slices of input at `index` (a vector) along dim."""
    if isinstance(index, Tensor) and not _is_index_dtype(index, allow_int32=True):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    d, i, ax = _vector_index(input, dim, index, "index_select")
    if d.ndim == 0:
        if i.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {i.size} value(s)")
        _check_bounds(i, 1, 0, "index_select")
        res = d.copy()
    else:
        _check_bounds(i, d.shape[ax], ax, "index_select")
        res = _xp(d).take(d, i, axis=ax)
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, IndexSelectBackward0, input, saved=(index,), data=(d.shape, ax))
    return out


def IndexSelectBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    shape, ax = ctx.data
    if not shape:
        return g.reshape(())
    return g.new_zeros(shape).index_add(ax, index.reshape(-1), g)


def _check_source(input, source, ax, n_index, name):
    """source must have input's dtype, n_index slices along ax and input's shape elsewhere."""
    d, s = input._data, source._data
    if s.__class__ is not d.__class__:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{device_of(d)} and {device_of(s)}! (in {name})")
    if s.dtype != d.dtype:
        raise RuntimeError(f"{name}(): self ({_type_name(d.dtype)}) and source ({_type_name(s.dtype)}) must have "
                           f"the same scalar type")
    s_shape = s.shape if s.ndim else (1,)
    d_shape = d.shape if d.ndim else (1,)
    if len(s_shape) != len(d_shape) or any(a != b for k, (a, b) in enumerate(zip(s_shape, d_shape)) if k != ax):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(d.shape)} source.shape = {list(s.shape)}")
    if s_shape[ax] != n_index:
        raise RuntimeError(f"{name}(): Number of indices ({n_index}) should be equal to source.size(dim): "
                           f"({s_shape[ax]}), for dim: {ax}")
    return s.reshape(s_shape)


def _dim_where(ax, i):
    return (slice(None),) * ax + (i,)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source added at `index` along dim (repeated indices accumulate)."""
    if isinstance(index, Tensor) and not _is_index_dtype(index, allow_int32=True):
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_type_name(index._data.dtype)}")
    d, i, ax = _vector_index(input, dim, index, "index_add_")
    s = _check_source(input, source, ax, i.size, "index_add_")
    d1 = _at_least_1d(d)
    _check_bounds(i, d1.shape[ax], ax, "")
    res = d1.copy()
    ufunc_at("sum", res, _dim_where(ax, i), s * alpha if alpha != 1 else s)
    out = wrap(res.reshape(d.shape))
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        record(out, IndexAddBackward0, (input, source), saved=(index,), data=(ax, alpha, source._data.shape))
    return out


def IndexAddBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    ax, alpha, s_shape = ctx.data
    need_self, need_src = ctx.needs_input_grad
    g_src = None
    if need_src:
        g_src = _at_least(g).index_select(ax, index.reshape(-1)).reshape(s_shape)
        if alpha != 1:
            g_src = g_src * alpha
    return (g if need_self else None), g_src


def _at_least(t):
    return t.reshape(1) if t.ndim == 0 else t


def index_copy(input, dim, index, source):
    """A copy of input with the slices at `index` along dim replaced by source's."""
    if isinstance(index, Tensor) and not _is_index_dtype(index):
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_type_name(index._data.dtype)}")
    d, i, ax = _vector_index(input, dim, index, "index_copy_")
    if isinstance(source, Tensor) and source._data.dtype != d.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_type_name(d.dtype)} and (source) {_type_name(source._data.dtype)}")
    s = _check_source(input, source, ax, i.size, "index_copy_")
    d1 = _at_least_1d(d)
    _check_bounds(i, d1.shape[ax], ax, "index_copy_", IndexError)
    res = d1.copy()
    res[_dim_where(ax, i)] = s
    out = wrap(res.reshape(d.shape))
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        record(out, IndexCopyBackward0, (input, source), saved=(index,), data=(ax, source._data.shape))
    return out


def IndexCopyBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    ax, s_shape = ctx.data
    need_self, need_src = ctx.needs_input_grad
    return (g.index_fill(ax, index, 0) if need_self else None,
            _at_least(g).index_select(ax, index.reshape(-1)).reshape(s_shape) if need_src else None)


def _scalar_value(value, name):
    """A number, or a 0-d tensor (RuntimeError for more dims)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        return value
    if not isinstance(value, (int, float, bool, np.generic)):
        raise TypeError(f"{name}(): argument 'value' must be Number or Tensor, not {type(value).__name__}")
    return value


def _value_array(xp, value, dtype):
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and v.__class__ is not xp.ndarray:
        v = v.get() if xp is np else xp.asarray(v)
    return xp.asarray(v).astype(dtype)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at `index` along dim set to value (negative indices count from the end)."""
    if isinstance(index, Tensor) and not _is_index_dtype(index):
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    value = _scalar_value(value, "index_fill_")
    d, i, ax = _vector_index(input, dim, index, "index_fill_")
    d1 = _at_least_1d(d)
    _check_bounds(i, d1.shape[ax], ax, "", IndexError, allow_negative=True)
    res = d1.copy()
    xp = _xp(d)
    res[_dim_where(ax, i)] = _value_array(xp, value, d.dtype)
    out = wrap(res.reshape(d.shape))
    v_grad = isinstance(value, Tensor) and value._requires_grad
    if grad_state.enabled and (input._requires_grad or v_grad):
        record(out, IndexFillBackward1 if v_grad else IndexFillBackward0,
               (input, value if v_grad else None), saved=(index,), data=ax)
    return out


def IndexFillBackward0(ctx, g):
    (index,) = ctx.saved_tensors
    return g.index_fill(ctx.data, index, 0), None


def IndexFillBackward1(ctx, g):
    (index,) = ctx.saved_tensors
    ax = ctx.data
    need_self, need_value = ctx.needs_input_grad
    # the filled positions' gradient, each counted once however often index repeats it
    g_value = (g - g.index_fill(ax, index, 0)).sum() if need_value else None
    return (g.index_fill(ax, index, 0) if need_self else None), g_value


# ---------------------------------------------------------------------------- masks
def _mask_array(input, mask, name):
    m = _index_array(input, mask, name, "mask")
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {_type_name(m.dtype)}")
    return m


def masked_fill(input, mask, value):
    """A copy of input (broadcast with mask) with value where mask is True."""
    m = _mask_array(input, mask, "masked_fill_")
    value = _scalar_value(value, "masked_fill_")
    d = input._data
    xp = _xp(d)
    out = wrap(xp.where(m, _value_array(xp, value, d.dtype), d))
    v_grad = isinstance(value, Tensor) and value._requires_grad
    if grad_state.enabled and (input._requires_grad or v_grad):
        record(out, MaskedFillBackward1 if v_grad else MaskedFillBackward0, (input, value if v_grad else None),
               saved=(mask,))
    return out


def MaskedFillBackward0(ctx, g):
    (mask,) = ctx.saved_tensors
    return g.masked_fill(mask, 0), None


def MaskedFillBackward1(ctx, g):
    (mask,) = ctx.saved_tensors
    need_self, need_value = ctx.needs_input_grad
    return (g.masked_fill(mask, 0) if need_self else None), (
        g.masked_fill(~mask, 0).sum() if need_value else None)


def masked_fill_(self, mask, value):
    """In-place masked_fill; mask must broadcast to self's shape."""
    value = _scalar_value(value, "masked_fill_")
    recording = grad_state.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    if recording:
        return apply_inplace(self, masked_fill, "masked_fill_", mask, value)
    m = _mask_array(self, mask, "masked_fill_")
    d = self._data
    if np.broadcast_shapes(d.shape, m.shape) != d.shape:
        raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(d.shape, m.shape))}")
    xp = _xp(d)
    xp.copyto(d, _value_array(xp, value, d.dtype), where=m)  # in place, no temporary of self's size
    bump_version(self)
    return self


def masked_select(input, mask):
    """The elements of input (broadcast with mask) where mask is True, as a 1-d tensor."""
    m = _index_array(input, mask, "masked_select", "mask")
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    d = input._data
    xp = _xp(d)
    shape = np.broadcast_shapes(d.shape, m.shape)
    out = wrap(xp.broadcast_to(d, shape)[xp.broadcast_to(m, shape)])
    if grad_state.enabled and input._requires_grad:
        record1(out, MaskedSelectBackward0, input, saved=(mask,), data=shape)
    return out


def MaskedSelectBackward0(ctx, g):
    (mask,) = ctx.saved_tensors
    return g.new_zeros(ctx.data).masked_scatter(mask, g)


def masked_scatter(input, mask, source):
    """A copy of input (broadcast with mask) whose True positions take source's elements in order."""
    m = _mask_array(input, mask, "masked_scatter_")
    s = _index_array(input, source, "masked_scatter", "source")
    d = input._data
    if s.dtype != d.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{_type_name(d.dtype)} and {_type_name(s.dtype)}")
    xp = _xp(d)
    shape = np.broadcast_shapes(d.shape, m.shape)
    mb = xp.broadcast_to(m, shape)
    n = int(mb.sum())
    if s.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    res = xp.broadcast_to(d, shape).copy()
    res[mb] = s.reshape(-1)[:n]
    out = wrap(res)
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        record(out, MaskedScatterBackward0, (input, source), saved=(mask,), data=(n, s.shape))
    return out


def MaskedScatterBackward0(ctx, g):
    (mask,) = ctx.saved_tensors
    n, s_shape = ctx.data
    need_self, need_src = ctx.needs_input_grad
    g_src = None
    if need_src:
        from .shape import cat

        picked = g.masked_select(mask)  # (n,)
        total = int(np.prod(s_shape))
        if total > n:
            picked = cat([picked, picked.new_zeros((total - n,))])
        g_src = picked.reshape(s_shape)
    return (g.masked_fill(mask, 0) if need_self else None), g_src


# ---------------------------------------------------------------------------- take / take_along_dim
def take(input, index):
    """input treated as 1-d, read at `index` (negative indices count from the end); shaped like index."""
    i = _index_array(input, index, "take")
    if i.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_type_name(i.dtype)}")
    d = input._data
    n = d.size
    if i.size:
        bad = (i < -n) | (i >= n)
        if bool(bad.any()):
            raise IndexError(f"out of range: tried to access index {int(i[bad].reshape(-1)[0])} on a tensor of {n} "
                             f"elements.")
    flat_index = i % n if n else i
    out = wrap(d.reshape(-1)[flat_index])
    if grad_state.enabled and input._requires_grad:
        record1(out, TakeBackward0, input, data=(d.shape, wrap(flat_index)))
    return out


def TakeBackward0(ctx, g):
    shape, flat_index = ctx.data
    numel = int(np.prod(shape))
    return g.new_zeros((numel,)).index_add(0, flat_index.reshape(-1), g.reshape(-1)).reshape(shape)


def take_along_dim(input, indices, dim=None):
    """gather with broadcasting of input and indices outside dim; dim=None reads the flattened input."""
    i = _index_array(input, indices, "take_along_dim", "indices")
    if i.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_type_name(i.dtype)}")
    if dim is None:
        flat = input.reshape(-1)
        return gather(flat, 0, _wrap_negative(indices.reshape(-1), flat.shape[0]))
    d = input._data
    if i.ndim != d.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {d.ndim} dimensions for input, and {i.ndim} dimensions for indices")
    ax = wrap_dim(dim, max(d.ndim, 1))
    if d.ndim == 0:
        return gather(input, 0, _wrap_negative(indices, 1))
    s_in, s_idx = list(d.shape), list(i.shape)
    s_in[ax] = s_idx[ax] = 1
    common = list(np.broadcast_shapes(tuple(s_in), tuple(s_idx)))
    in_shape, idx_shape = list(common), list(common)
    in_shape[ax], idx_shape[ax] = d.shape[ax], i.shape[ax]
    x = input if list(d.shape) == in_shape else input.expand(in_shape)
    idx = indices if list(i.shape) == idx_shape else indices.expand(idx_shape)
    return gather(x, ax, _wrap_negative(idx, d.shape[ax]))


def _wrap_negative(index, n):
    i = index._data
    if i.size == 0 or not bool((i < 0).any()):
        return index
    return wrap(_xp(i).where((i < 0) & (i >= -n), i + n, i))


# ---------------------------------------------------------------------------- nonzero / one_hot
def nonzero(input, *, as_tuple: bool = False):
    """Indices of the non-zero elements: (n, ndim) int64, or a tuple of ndim 1-d tensors with as_tuple."""
    d = input._data
    xp = _xp(d)
    if as_tuple:
        return tuple(wrap(a.astype(np.int64, copy=False)) for a in xp.nonzero(_at_least_1d(d)))
    return wrap(xp.argwhere(d).astype(np.int64, copy=False))


def argwhere(input):
    return nonzero(input)


def one_hot(tensor, num_classes: int = -1):
    """(*) int64 class indices -> (*, num_classes) int64; num_classes=-1 uses max + 1."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = _xp(d)
    if d.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return wrap(xp.zeros(d.shape + (num_classes,), dtype=np.int64))
    if int(d.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    top = int(d.max())
    if num_classes == -1:
        num_classes = top + 1
    elif top >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((d[..., None] == xp.arange(num_classes)).astype(np.int64))


# ---------------------------------------------------------------------------- in-place forms
def _inplace(op, name):
    def method(self, *args, **kwargs):
        return apply_inplace(self, op, name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"In-place {op.__name__}."
    return method


scatter_ = _inplace(scatter, "scatter_")
scatter_add_ = _inplace(scatter_add, "scatter_add_")
scatter_reduce_ = _inplace(scatter_reduce, "scatter_reduce_")
index_add_ = _inplace(index_add, "index_add_")
index_copy_ = _inplace(index_copy, "index_copy_")
index_fill_ = _inplace(index_fill, "index_fill_")
masked_scatter_ = _inplace(masked_scatter, "masked_scatter_")
