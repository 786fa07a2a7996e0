"""Indexing: __getitem__/__setitem__ (basic and advanced), index_put.

Basic indices (ints, slices, None, Ellipsis) give views; integer/bool tensor indices give copies, as
NumPy and torch. Gathering/scattering ops live in `gather.py`; sorting in `sort.py`.
"""

from __future__ import annotations

import numpy as np

from .._device import cupy_module, device_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import record, record1, wrap
from .inplace import apply_inplace, bump_version
from .shape import make_view

_ndarray = np.ndarray
_BASIC = (int, slice, type(None), type(Ellipsis))


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def convert_index(x: Tensor, index):
    """-> (index usable on x's array, whether it is basic). Tensors become arrays on x's device."""
    if index.__class__ is not tuple:
        index = (index,)
    out = []
    basic = True
    for i in index:
        cls = i.__class__
        if cls is int or i is None or i is Ellipsis:
            out.append(i)
        elif cls is slice:
            if i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(i)
        elif cls is x._data.__class__ and cls is not _ndarray:  # a device array, as backward passes them back
            out.append(i)
            basic = False
        elif isinstance(i, Tensor):
            d = i._data
            kind = d.dtype.kind
            if kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors "
                                 f"(got {i.dtype})")
            if kind == "u" and d.dtype == np.uint8:
                d = d.astype(bool)  # legacy byte masks
            if d.ndim == 0 and kind in "iu":
                out.append(int(d))
                continue
            if d.__class__ is not x._data.__class__:
                d = _xp(x._data).asarray(d) if d.__class__ is _ndarray else d.get()
            elif d.__class__ is not _ndarray and device_of(d) != device_of(x._data):
                raise RuntimeError(f"indices should be either on cpu or on the same device as the indexed tensor "
                                   f"({device_of(x._data)}), got {device_of(d)}")
            out.append(d)
            basic = False
        elif isinstance(i, (bool, np.bool_)):
            out.append(bool(i))
            basic = False
        elif isinstance(i, (int, np.integer)):
            out.append(int(i))
        elif isinstance(i, (list, tuple, _ndarray)):
            arr = np.asarray([v.item() if isinstance(v, Tensor) else v for v in i] if isinstance(i, (list, tuple))
                             else i)
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(arr if x._data.__class__ is _ndarray else _xp(x._data).asarray(arr))
            basic = False
        else:
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(i).__name__})")
    return tuple(out), basic


def getitem(self: Tensor, index):
    idx, basic = convert_index(self, index)
    d = self._data
    try:
        data = d[idx]
    except IndexError as e:
        raise IndexError(f"{e} (indexing a tensor of shape {list(d.shape)})") from None
    if basic:
        out = make_view(self, data, lambda t: t[index])
    else:
        out = wrap(data)
    if grad_state.enabled and self._requires_grad:
        record1(out, IndexBackward0, self, data=(d.shape, idx, not basic))
    return out


def IndexBackward0(ctx, g):
    shape, idx, advanced = ctx.data
    return index_put(g.new_zeros(shape), idx, g, accumulate=advanced)


def index_put(input: Tensor, indices, values, accumulate: bool = False):
    """A copy of input with input[indices] = values (or += with accumulate, summing repeated indices)."""
    if not isinstance(indices, tuple):
        indices = (indices,)
    idx, _basic = convert_index(input, indices)
    out_data = input._data.copy()
    v_is_tensor = isinstance(values, Tensor)
    vd = values._data if v_is_tensor else values
    if v_is_tensor and vd.dtype != out_data.dtype:
        vd = vd.astype(out_data.dtype)
    if accumulate:
        xp = _xp(out_data)
        if xp is np:
            np.add.at(out_data, idx, vd)
        else:
            import cupyx

            cupyx.scatter_add(out_data, idx, vd)
    else:
        try:
            _assign(out_data, idx, vd)
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(getattr(vd, 'shape', ()))} cannot be "
                               f"broadcast to indexing result of shape {list(out_data[idx].shape)} ({e})") from None
    out = wrap(out_data)
    if grad_state.enabled and (input._requires_grad or (v_is_tensor and values._requires_grad)):
        record(out, IndexPutBackward0, (input, values if v_is_tensor else None), data=(idx, accumulate))
    return out


def IndexPutBackward0(ctx, g):
    idx, accumulate = ctx.data
    need_in, need_v = ctx.needs_input_grad
    g_in = g_v = None
    if need_in:
        g_in = g if accumulate else index_put(g, idx, 0.0)
    if need_v:
        g_v = getitem(g, idx)
    return g_in, g_v


def _assign(dst, idx, value):
    """dst[idx] = value; like torch, leading size-1 dims of the value may be dropped to fit."""
    try:
        dst[idx] = value
    except ValueError:
        shape = getattr(value, "shape", ())
        lead = 0
        while lead < len(shape) and shape[lead] == 1:
            lead += 1
        if not lead:
            raise
        dst[idx] = value.reshape(shape[lead:])


def setitem(self: Tensor, index, value):
    """self[index] = value, in place (a tensor value with grad makes self part of the graph)."""
    v_grad = isinstance(value, Tensor) and value._requires_grad
    if not grad_state.enabled or not (self._requires_grad or v_grad):
        idx, _ = convert_index(self, index)
        d = self._data
        if isinstance(value, Tensor):
            vd = value._data
            if vd.__class__ is not d.__class__:
                if vd.ndim == 0:
                    vd = vd.item() if vd.__class__ is not _ndarray else _xp(d).asarray(vd)
                else:
                    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                                       f"devices, {device_of(d)} and {value.device}! (in __setitem__)")
        else:
            vd = value
        try:
            _assign(d, idx, vd)
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value of shape {list(getattr(vd, 'shape', ()))} cannot be broadcast "
                               f"to indexing result of shape {list(d[idx].shape)} ({e})") from None
        bump_version(self)
        return
    apply_inplace(self, index_put, "__setitem__", index, value)


def index_put_(self, indices, values, accumulate=False):
    return apply_inplace(self, index_put, "index_put_", indices, values, accumulate=accumulate)



