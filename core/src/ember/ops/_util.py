"""What every op shares: wrapping arrays, recording graph nodes, operand coercion, dim handling."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from .._device import cupy_module, device_of
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node, versions_of

_ndarray = np.ndarray
_object_new = object.__new__
_Tensor = Tensor
_node_new = object.__new__
_ONE_NEEDED = (True,)


def wrap(data):
    """A new tensor around `data`; NumPy's 0-d scalars become 0-d arrays."""
    t = _object_new(_Tensor)
    if data.__class__ is not _ndarray and isinstance(data, np.generic):
        data = np.asarray(data)
    t._data = data
    return t


def record(out, backward_fn, inputs, saved=(), data=None):
    """Attach a Node to `out`: its gradient flows to those `inputs` that require grad."""
    edges = []
    needs = []
    meta = []
    for t in inputs:
        if t is not None and t._requires_grad:
            fn = t._grad_fn
            edges.append(t if fn is None else (fn, t._out_idx))
            needs.append(True)
            d = t._data
            meta.append((d.shape, d.dtype))
        else:
            edges.append(None)
            needs.append(False)
            meta.append(None)
    out._grad_fn = Node(backward_fn, tuple(edges), tuple(needs), tuple(meta), saved, data)
    out._requires_grad = True
    return out


def record2(out, backward_fn, a, b, saved=(), data=None, same_meta=False):
    """record() for two tensor inputs (either may be None), without the loop.

    `same_meta`: both inputs have the output's shape and dtype, so their gradients never need fitting.
    """
    if a is not None and a._requires_grad:
        fn = a._grad_fn
        ea = a if fn is None else (fn, a._out_idx)
        if not same_meta:
            d = a._data
            ma = (d.shape, d.dtype)
        else:
            ma = None
    else:
        ea = ma = None
    if b is not None and b._requires_grad:
        fn = b._grad_fn
        eb = b if fn is None else (fn, b._out_idx)
        if not same_meta:
            d = b._data
            mb = (d.shape, d.dtype)
        else:
            mb = None
    else:
        eb = mb = None
    # a Node built field by field: skipping Node.__init__'s call is measurable on every op
    n = _node_new(Node)
    n.backward_fn = backward_fn
    n.next_edges = (ea, eb)
    n.needs_input_grad = (ea is not None, eb is not None)
    n.in_meta = (ma, mb)
    n._saved = saved
    n._versions = versions_of(saved) if saved else ()
    n.data = data
    out._grad_fn = n
    out._requires_grad = True
    return out


def record1(out, backward_fn, t, saved=(), data=None):
    """record() for the common one-input case, without the loop."""
    fn = t._grad_fn
    d = t._data
    n = _node_new(Node)
    n.backward_fn = backward_fn
    n.next_edges = (t if fn is None else (fn, t._out_idx),)
    n.needs_input_grad = _ONE_NEEDED
    n.in_meta = ((d.shape, d.dtype),)
    n._saved = saved
    n._versions = versions_of(saved) if saved else ()
    n.data = data
    out._grad_fn = n
    out._requires_grad = True
    return out


def check_same_device(a, b, op: str):
    """Raise naming both devices; a 0-dim CPU tensor may join a CUDA op as a scalar (as in torch)."""
    da, db = device_of(a._data), device_of(b._data)
    if da != db:
        raise RuntimeError(
            f"Expected all tensors to be on the same device, but found at least two devices, {da} and {db}! "
            f"(in {op})"
        )


def promote_arrays(a: Tensor, b: Tensor, op: str):
    """The two arrays cast to torch's result dtype of `a op b` (both tensors)."""
    ad, bd = a._data, b._data
    if ad.__class__ is not bd.__class__ or ad.__class__ is not _ndarray:
        ad, bd = _same_device_arrays(a, b, op)
    if ad.dtype is bd.dtype:
        return ad, bd
    da, db = _dtype.from_numpy_dtype(ad.dtype), _dtype.from_numpy_dtype(bd.dtype)
    dims, zeros = [], []
    (dims if ad.ndim else zeros).append(da)
    (dims if bd.ndim else zeros).append(db)
    rt = _dtype.result_type_of(dims, zeros, ()).np
    if ad.dtype != rt:
        ad = ad.astype(rt)
    if bd.dtype != rt:
        bd = bd.astype(rt)
    return ad, bd


def _same_device_arrays(a, b, op):
    ad, bd = a._data, b._data
    da, db = device_of(ad), device_of(bd)
    if da == db:
        return ad, bd
    # torch lets a 0-dim CPU tensor take part in a CUDA op
    if ad.ndim == 0 and da.type == "cpu":
        return cupy_module().asarray(ad), bd
    if bd.ndim == 0 and db.type == "cpu":
        return ad, cupy_module().asarray(bd)
    check_same_device(a, b, op)
    return ad, bd


def scalar_operand(ad, s, op: str):
    """(array, scalar) ready for NumPy's weak-scalar arithmetic under torch's promotion rules."""
    cls = s.__class__
    kind = ad.dtype.kind
    if cls is float:
        if kind in "biu":
            ad = ad.astype(_dtype._default[0].np)
        return ad, s
    if cls is int:
        if kind == "b":
            ad = ad.astype(np.int64)
        elif kind in "iu":
            info = np.iinfo(ad.dtype)
            if not info.min <= s <= info.max:
                s = np.array(s).astype(ad.dtype)  # wraps around, as torch does for out-of-range ints
        return ad, s
    if cls is bool:
        return ad, s
    if isinstance(s, np.generic) or isinstance(s, numbers.Number):
        if isinstance(s, (bool, np.bool_)):
            return scalar_operand(ad, bool(s), op)
        if isinstance(s, numbers.Integral):
            return scalar_operand(ad, int(s), op)
        if isinstance(s, numbers.Real):
            return scalar_operand(ad, float(s), op)
        raise TypeError(f"{op}: complex scalars are not supported (got {s!r})")
    raise TypeError(
        f"{op}(): argument 'other' must be Tensor or Number, not {type(s).__name__}"
    )


def float_array(d):
    """Integer/bool arrays become the default float dtype (ops like exp and mean compute in float)."""
    if d.dtype.kind in "biu":
        return d.astype(_dtype._default[0].np)
    return d


def wrap_dim(dim: int, ndim: int) -> int:
    return _wrap_dim(dim, ndim)


def norm_dims(dim, ndim: int):
    """dim argument (None, int, or a sequence) -> tuple of non-negative axes; None stays None."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        return (_wrap_dim(int(dim), ndim),)
    dims = tuple(_wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {list(dim)} appears multiple times in the list of dims")
    return dims


def as_shape(size) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(ember.Size) forms."""
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)) and not (
        isinstance(size[0], Tensor) and size[0].ndim == 0
    ):
        size = size[0]
    try:
        return tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be a sequence of ints, got {size!r}") from None
