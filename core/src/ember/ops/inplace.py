"""In-place ops: run the out-of-place op, write the result into the tensor's memory, move its graph.

Writing into the existing array keeps views and `from_numpy` aliases in step; the version counter
makes a backward that saved the old value fail loudly. An in-place op on a view rewrites the
base's graph (torch's CopySlices), so the base's gradient sees the change too.
"""

from __future__ import annotations

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import record, wrap


def bump_version(t: Tensor) -> None:
    root = t if t._base is None else t._base
    root._ver += 1


def write_array(t: Tensor, new, op: str) -> None:
    """Copy `new` into t's array; a result that t's dtype can't hold without losing its kind is an error."""
    d = t._data
    if new.dtype != d.dtype:
        if not _can_hold(d.dtype, new.dtype):
            raise RuntimeError(f"result type {_name(new.dtype)} can't be cast to the desired output type "
                               f"{_name(d.dtype)} (in {op})")
        new = new.astype(d.dtype)
    if new.shape != d.shape:
        try:
            new = _broadcast_to(new, d.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(d.shape)} doesn't match the broadcast shape {list(new.shape)} (in {op})"
            ) from None
    d[...] = new


def _broadcast_to(a, shape):
    return xp_of(a).broadcast_to(a, shape)


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2}  # bfloat16 (ml_dtypes) has NumPy kind "V"


def _can_hold(dst, src) -> bool:
    """torch's in-place rule: the result may not move up a category (bool < integer < float)."""
    return _KIND_RANK[dst.kind] >= _KIND_RANK[src.kind]


def _name(np_dtype):
    from .._dtype import from_numpy_dtype

    n = from_numpy_dtype(np_dtype).name
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
            "float16": "Half", "bfloat16": "BFloat16", "uint8": "Byte", "int8": "Char", "int16": "Short"}[n]


def apply_inplace(t: Tensor, op, op_name: str, *args, **kwargs) -> Tensor:
    """t <- op(t, *args, **kwargs), in place."""
    recording = grad_state.enabled and (t._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not recording:
        res = op(t.detach() if t._requires_grad else t, *args, **kwargs)
        write_array(t, res._data, op_name)
        bump_version(t)
        return t
    check_inplace_allowed(t)
    snap = wrap(t._data.copy())
    if t._requires_grad:
        snap._requires_grad = True
        snap._grad_fn = t._grad_fn
        snap._out_idx = t._out_idx
    res = op(snap, *args, **kwargs)
    write_array(t, res._data, op_name)
    bump_version(t)
    if res._requires_grad:
        if t._base is not None and t._view_fn is not None:
            rebase_view(t, res)
        else:
            t._grad_fn = res._grad_fn
            t._out_idx = res._out_idx
            t._requires_grad = True
    elif t._base is None:
        # the new value doesn't depend on anything that needs a gradient (e.g. fill_): cut the old graph off
        t._grad_fn = None
        t._requires_grad = False
    return t


def check_inplace_allowed(t: Tensor) -> None:
    if t._requires_grad and t._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if t._no_grad_view and t._base is not None and t._base._requires_grad:
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that "
            "this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both "
            "the view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
            "tracked) or both outside (if you want the inplace to be tracked)."
        )
    base = t._base
    if base is not None and t._view_fn is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def rebase_view(view: Tensor, res: Tensor) -> None:
    """After an in-place op on `view`, make the base's graph route the view's region through `res`."""
    base = view._base
    view_fn = view._view_fn
    holder = wrap(base._data)  # stands for the base before the op; only its graph edges are used
    if base._requires_grad:
        holder._requires_grad = True
        holder._grad_fn = base._grad_fn
        holder._out_idx = base._out_idx
    node_out = wrap(base._data)
    record(node_out, CopySlices, (holder, res), data=view_fn)
    base._grad_fn = node_out._grad_fn
    base._out_idx = 0
    base._requires_grad = True
    fresh = view_fn(base)  # the view again, now on top of the base's new graph
    view._grad_fn = fresh._grad_fn
    view._out_idx = fresh._out_idx
    view._requires_grad = True


def CopySlices(ctx, g):
    view_fn = ctx.data
    g_base = None
    if ctx.needs_input_grad[0]:
        g_base = g.clone()
        view_fn(g_base).zero_()
    g_view = view_fn(g).clone() if ctx.needs_input_grad[1] else None
    return g_base, g_view
