"""Comparisons, logical and bitwise ops (no gradient), and the differentiable selectors
where / maximum / minimum."""

from __future__ import annotations

import numpy as np

from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import promote_arrays, record, scalar_operand, wrap
from .arith import _compute
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


def _array_of(ad, bd):
    return ad if hasattr(ad, "dtype") and not isinstance(ad, np.generic) else bd


def _cmp(ufunc_name):
    def op(input, other):
        ad, bd = _arrays(input, other, ufunc_name)
        return wrap(_compute(getattr(_xp(_array_of(ad, bd)), ufunc_name), ad, bd))

    return op


eq = _cmp("equal")
ne = _cmp("not_equal")
lt = _cmp("less")
le = _cmp("less_equal")
gt = _cmp("greater")
ge = _cmp("greater_equal")
eq.__name__, ne.__name__, lt.__name__, le.__name__, gt.__name__, ge.__name__ = "eq", "ne", "lt", "le", "gt", "ge"
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _is_operand(x) -> bool:
    return isinstance(x, (Tensor, int, float, bool, np.number, np.bool_))


def tensor_eq(self, other):
    """`==`: comparing with a non-number (None, a string) is False, as in torch, so `t in [None]` works."""
    return eq(self, other) if _is_operand(other) else NotImplemented


def tensor_ne(self, other):
    return ne(self, other) if _is_operand(other) else NotImplemented


def _logical(ufunc_name):
    def op(input, other):
        ad = input._data if isinstance(input, Tensor) else np.asarray(input)
        bd = other._data if isinstance(other, Tensor) else np.asarray(other)
        return wrap(_compute(getattr(_xp(ad), ufunc_name), ad, bd))

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
            if (hasattr(d, "dtype") and d.dtype.kind not in "biu") or isinstance(d, float):
                kind = d.dtype if hasattr(d, "dtype") else "float"
                raise NotImplementedError(f"\"{ufunc_name}_cpu\" not implemented for '{kind}' (bitwise ops need "
                                          "integer or bool tensors)")
        return wrap(_compute(getattr(_xp(_array_of(ad, bd)), ufunc_name), ad, bd))

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
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, "
                        f"got {input.dtype}")
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
    """|input - other| <= atol + rtol * |other|, elementwise; both tensors of one dtype, as torch."""
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype} (isclose needs tensors of one dtype)")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    ad, bd = input._data, other._data
    return wrap(_compute(lambda a, b: _xp(ad).isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), ad, bd))


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
        raise TypeError(f"where(): argument 'condition' must be Tensor, not {type(condition).__name__}")
    if input is None or other is None:
        raise TypeError("where() takes a condition alone, or a condition with both input and other")
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype}")
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    cd = condition._data
    if a is None and b is None:  # two python scalars: the result has their promoted (default) dtype
        from .. import _dtype

        rt = _dtype.result_type_of([], [], [_dtype._scalar_dtype(input), _dtype._scalar_dtype(other)]).np
        ad, bd = np.asarray(input, dtype=rt), np.asarray(other, dtype=rt)
        xp = _xp(cd)
        return wrap(xp.where(cd, xp.asarray(ad), xp.asarray(bd)))
    ad, bd = _arrays(input, other, "where")
    xp = _xp(cd)
    try:
        res = xp.where(cd, ad, bd)
    except ValueError:
        shapes = [list(cd.shape), list(getattr(ad, "shape", ())), list(getattr(bd, "shape", ()))]
        raise RuntimeError(f"where(): condition, input and other must broadcast together, got shapes "
                           f"{shapes[0]}, {shapes[1]} and {shapes[2]}") from None
    if res.dtype != np.result_type(ad, bd):  # python scalars could widen the result
        res = res.astype(np.result_type(ad, bd))
    out = wrap(res)
    if grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad)):
        record(out, WhereBackward0, (a, b), saved=(condition,))
    return out


def WhereBackward0(ctx, g):
    (cond,) = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    zero = g.new_zeros(())
    return (where(cond, g, zero) if need_a else None), (where(cond, zero, g) if need_b else None)


def _tensors_only(input, other, name):
    for i, t in enumerate((input, other)):
        if not isinstance(t, Tensor):
            arg = ("input", "other")[i]
            raise TypeError(f"{name}(): argument '{arg}' (position {i + 1}) must be Tensor, not {type(t).__name__}")


def maximum(input, other):
    _tensors_only(input, other, "maximum")
    ad, bd = promote_arrays(input, other, "maximum")
    out = wrap(_compute(_xp(ad).maximum, ad, bd))
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        record(out, MaximumBackward0, (input, other), saved=(input, other))
    return out


def MaximumBackward0(ctx, g):
    a, b = ctx.saved_tensors
    # ties share the gradient equally, as torch
    return _split_grad(g, a > b, a == b, *ctx.needs_input_grad)


def minimum(input, other):
    _tensors_only(input, other, "minimum")
    ad, bd = promote_arrays(input, other, "minimum")
    out = wrap(_compute(_xp(ad).minimum, ad, bd))
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
    """maximum that ignores NaN; ties send the whole gradient to `input`, as torch."""
    _tensors_only(input, other, "fmax")
    return where((input >= other) | other.isnan(), input, other)


def fmin(input, other):
    """minimum that ignores NaN; ties send the whole gradient to `input`, as torch."""
    _tensors_only(input, other, "fmin")
    return where((input <= other) | other.isnan(), input, other)


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
