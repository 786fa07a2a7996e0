"""Comparisons, logical and bitwise ops (no gradient), and the differentiable selectors
where / maximum / minimum."""

from __future__ import annotations

import numpy as np

from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import promote_arrays, record, scalar_operand, wrap
from .inplace import apply_inplace

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _arrays(a, b, op):
    if isinstance(b, Tensor):
        if isinstance(a, Tensor):
            return promote_arrays(a, b, op)
        bd, s = scalar_operand(b._data, a, op)
        return s, bd
    return scalar_operand(a._data, b, op)


def _cmp(ufunc_name):
    def op(input, other):
        ad, bd = _arrays(input, other, ufunc_name)
        xp = _xp(ad if hasattr(ad, "dtype") and not isinstance(ad, np.generic) else bd)
        return wrap(getattr(xp, ufunc_name)(ad, bd))

    return op


eq = _cmp("equal")
ne = _cmp("not_equal")
lt = _cmp("less")
le = _cmp("less_equal")
gt = _cmp("greater")
ge = _cmp("greater_equal")
eq.__name__, ne.__name__, lt.__name__, le.__name__, gt.__name__, ge.__name__ = "eq", "ne", "lt", "le", "gt", "ge"
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(ufunc_name):
    def op(input, other):
        ad = input._data if isinstance(input, Tensor) else np.asarray(input)
        bd = other._data if isinstance(other, Tensor) else np.asarray(other)
        return wrap(getattr(_xp(ad), ufunc_name)(ad, bd))

    op.__name__ = ufunc_name
    return op


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def logical_not(input):
    return wrap(_xp(input._data).logical_not(input._data))


def _bitwise(ufunc_name):
    def op(input, other):
        ad, bd = _arrays(input, other, ufunc_name)
        for d in (ad, bd):
            if hasattr(d, "dtype") and d.dtype.kind not in "biu":
                raise RuntimeError(f"\"{ufunc_name}_cpu\" not implemented for '{d.dtype}' (bitwise ops need "
                                   "integer or bool tensors)")
        xp = _xp(ad) if hasattr(ad, "dtype") and not isinstance(ad, np.generic) else _xp(bd)
        return wrap(getattr(xp, ufunc_name)(ad, bd))

    op.__name__ = ufunc_name
    return op


bitwise_and = _bitwise("bitwise_and")
bitwise_or = _bitwise("bitwise_or")
bitwise_xor = _bitwise("bitwise_xor")
bitwise_left_shift = _bitwise("left_shift")
bitwise_right_shift = _bitwise("right_shift")


def bitwise_not(input):
    d = input._data
    if d.dtype.kind not in "biu":
        raise RuntimeError(f"bitwise_not is only supported for integer and boolean tensors, got {input.dtype}")
    return wrap(_xp(d).invert(d))


def isnan(input):
    return wrap(_xp(input._data).isnan(input._data))


def isinf(input):
    return wrap(_xp(input._data).isinf(input._data))


def isfinite(input):
    return wrap(_xp(input._data).isfinite(input._data))


def isposinf(input):
    return wrap(_xp(input._data).isposinf(input._data))


def isneginf(input):
    return wrap(_xp(input._data).isneginf(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    ad, bd = _arrays(input, other, "isclose")
    return wrap(_xp(ad).isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other) -> bool:
    """True when both have the same shape and elements."""
    return input.shape == other.shape and bool(eq(input, other).all())


# ---------------------------------------------------------------------------- differentiable selectors
def where(condition, input=None, other=None):
    """Elements of `input` where `condition`, else of `other`; `where(cond)` is `nonzero(as_tuple=True)`."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype}")
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    if a is None and b is None:
        from .._creation import tensor

        a = tensor(input, device=condition.device)
    ad, bd = _arrays(input if a is not None else input, other, "where") if (a is not None or b is not None) else (
        input, other)
    cd = condition._data
    out = wrap(_xp(cd).where(cd, ad, bd))
    if grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad)):
        record(out, WhereBackward0, (a, b), saved=(condition,))
    return out


def WhereBackward0(ctx, g):
    (cond,) = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    zero = g.new_zeros(())
    return (where(cond, g, zero) if need_a else None), (where(cond, zero, g) if need_b else None)


def maximum(input, other):
    ad, bd = promote_arrays(input, other, "maximum")
    out = wrap(_xp(ad).maximum(ad, bd))
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        record(out, MaximumBackward0, (input, other), saved=(input, other))
    return out


def MaximumBackward0(ctx, g):
    a, b = ctx.saved_tensors
    # ties share the gradient equally, as torch
    return _split_grad(g, a > b, a == b, *ctx.needs_input_grad)


def minimum(input, other):
    ad, bd = promote_arrays(input, other, "minimum")
    out = wrap(_xp(ad).minimum(ad, bd))
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        record(out, MinimumBackward0, (input, other), saved=(input, other))
    return out


def MinimumBackward0(ctx, g):
    a, b = ctx.saved_tensors
    return _split_grad(g, a < b, a == b, *ctx.needs_input_grad)


def _split_grad(g, a_wins, tie, need_a, need_b):
    half = g * tie * 0.5
    ga = g * a_wins + half if need_a else None
    gb = g * (~a_wins & ~tie) + half if need_b else None
    return ga, gb


def fmax(input, other):
    """maximum that ignores NaN."""
    a_nan, b_nan = input.isnan(), other.isnan()
    return where(a_nan, other, where(b_nan, input, maximum(input, other)))


def fmin(input, other):
    a_nan, b_nan = input.isnan(), other.isnan()
    return where(a_nan, other, where(b_nan, input, minimum(input, other)))


def _inplace_cmp(op, name):
    def method(self, other):
        return apply_inplace(self, op, name, other)

    method.__name__ = name
    return method


INPLACE = {n + "_": _inplace_cmp(f, n + "_") for n, f in {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "logical_and": logical_and,
    "logical_or": logical_or, "logical_xor": logical_xor, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor,
}.items()}
