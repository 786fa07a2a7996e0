"""Arithmetic: add, sub, mul, div, pow, remainder, fmod, floor_divide and their reflected/in-place forms.

Tensor-tensor operands are promoted by torch's rules (`_util.promote_arrays`); python scalars use
NumPy's weak-scalar arithmetic after `_util.scalar_operand`. Backwards return gradients at the
broadcast shape; the engine sums them back to each input's shape and dtype.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import promote_arrays, record, record1, record2, scalar_operand, wrap
from .inplace import apply_inplace

_T = Tensor
_nd = np.ndarray
_new = object.__new__
_bool = np.dtype(bool)


def _operands(a, b, op):
    """-> (tensor a or None, tensor b or None, array/scalar a, array/scalar b)."""
    if isinstance(b, _T):
        if isinstance(a, _T):
            ad, bd = promote_arrays(a, b, op)
            return a, b, ad, bd
        bd, s = scalar_operand(b._data, a, op)
        return None, b, s, bd
    if not isinstance(a, _T):
        raise TypeError(f"{op}(): expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}")
    ad, s = scalar_operand(a._data, b, op)
    return a, None, ad, s


def broadcast_error(shape_a, shape_b) -> RuntimeError:
    """torch's message for shapes that don't broadcast, naming the first clashing dim (from the right)."""
    nd = max(len(shape_a), len(shape_b))
    pa = (1,) * (nd - len(shape_a)) + tuple(shape_a)
    pb = (1,) * (nd - len(shape_b)) + tuple(shape_b)
    dim = next(i for i in range(nd - 1, -1, -1) if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1)
    return RuntimeError(f"The size of tensor a ({pa[dim]}) must match the size of tensor b ({pb[dim]}) at "
                        f"non-singleton dimension {dim} (shapes {list(shape_a)} and {list(shape_b)})")


def _shape(x):
    return getattr(x, "shape", ())


def _compute(fn, ad, bd):
    """fn(ad, bd), with NumPy's broadcast ValueError turned into torch's RuntimeError."""
    try:
        return fn(ad, bd)
    except ValueError:
        if _shape(ad) != _shape(bd):
            try:
                np.broadcast_shapes(_shape(ad), _shape(bd))
            except ValueError:
                raise broadcast_error(_shape(ad), _shape(bd)) from None
        raise


def _is_integral(x) -> bool:
    return x.dtype.kind in "biu" if hasattr(x, "dtype") else x.__class__ in (int, bool)


def _check_int_divisor(ad, bd):
    """Integer division by zero is an error, as in torch (NumPy would silently give 0)."""
    if _is_integral(ad) and _is_integral(bd) and ((bd == 0).any() if hasattr(bd, "dtype") else bd == 0):
        raise RuntimeError("ZeroDivisionError")


def _no_bool_pair(ad, bd, name):
    if getattr(ad, "dtype", None) == np.bool_ and getattr(bd, "dtype", None) == np.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def _record2(out, backward_fn, a, b, saved=(), data=None):
    if b is None:
        if a._requires_grad:
            return record1(out, backward_fn, a, saved, data)
        return record(out, backward_fn, (a,), saved, data)
    if a is None:
        return record(out, backward_fn, (None, b), saved, data)
    return record(out, backward_fn, (a, b), saved, data)


def _wants_grad(a, b):
    return grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad))


# ---------------------------------------------------------------------------- add / sub
def add(input, other, *, alpha=1):
    """input + alpha * other."""
    if other.__class__ is _T and input.__class__ is _T:  # fast path: two CPU tensors of one dtype
        ad = input._data
        bd = other._data
        if ad.__class__ is _nd and bd.__class__ is _nd and ad.dtype is bd.dtype and alpha == 1:
            try:
                r = ad + bd
            except ValueError:
                r = _compute(np.add, ad, bd)
            out = _new(_T)
            out._data = r if r.__class__ is _nd else np.asarray(r)
            if grad_state.enabled and (input._requires_grad or other._requires_grad):
                record2(out, AddBackward0, input, other, (), 1, ad.shape == bd.shape)
            return out
    a, b, ad, bd = _operands(input, other, "add")
    if alpha.__class__ is int and alpha == 1:
        out = wrap(_compute(np.add, ad, bd))
    else:
        out = wrap(_compute(lambda x, y: _add_scaled(x, y, alpha), ad, bd))
    if _wants_grad(a, b):
        _record2(out, AddBackward0, a, b, data=alpha)
    return out


def _add_scaled(ad, bd, alpha, negate=False):
    """ad + alpha * bd (or ad - alpha * bd), with torch's rules for alpha's type."""
    kind = np.result_type(ad, bd).kind
    if kind == "b":
        return (ad | bd) if alpha else (ad | False)
    if isinstance(alpha, bool):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if kind in "iu" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return ad - bd * alpha if negate else ad + bd * alpha


def AddBackward0(ctx, g):
    alpha = ctx.data
    if len(ctx.needs_input_grad) == 1:  # tensor + python scalar: one input
        return g
    return g, (g if alpha == 1 else g * alpha)


def sub(input, other, *, alpha=1):
    """input - alpha * other."""
    if other.__class__ is _T and input.__class__ is _T:  # fast path: two CPU tensors of one dtype
        ad = input._data
        bd = other._data
        if ad.__class__ is _nd and bd.__class__ is _nd and ad.dtype is bd.dtype and alpha == 1 \
                and ad.dtype is not _bool:
            try:
                r = ad - bd
            except ValueError:
                r = _compute(np.subtract, ad, bd)
            out = _new(_T)
            out._data = r if r.__class__ is _nd else np.asarray(r)
            if grad_state.enabled and (input._requires_grad or other._requires_grad):
                record2(out, SubBackward0, input, other, (), 1, ad.shape == bd.shape)
            return out
    a, b, ad, bd = _operands(input, other, "sub")
    if _is_bool(input) or _is_bool(other):
        _check_bool_sub(input, other)
    if alpha.__class__ is int and alpha == 1:
        out = wrap(_compute(np.subtract, ad, bd))
    else:
        out = wrap(_compute(lambda x, y: _add_scaled(x, y, alpha, negate=True), ad, bd))
    if _wants_grad(a, b):
        _record2(out, SubBackward0, a, b, data=alpha)
    return out


def _is_bool(x) -> bool:
    return x.__class__ is bool or (isinstance(x, _T) and x._data.dtype == np.bool_)


def _check_bool_sub(input, other):
    """torch refuses `-` on bool operands (checked before scalars are promoted)."""
    a_bool, b_bool = _is_bool(input), _is_bool(other)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def SubBackward0(ctx, g):
    alpha = ctx.data
    if len(ctx.needs_input_grad) == 1:  # tensor - python scalar: one input
        return g
    return g, (-g if alpha == 1 else g * -alpha)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what `2 - x` calls)."""
    return sub(other, input, alpha=alpha) if isinstance(other, _T) else _rsub_scalar(input, other, alpha)


def _rsub_scalar(x, s, alpha):
    _check_bool_sub(x, s)
    a, _, ad, sd = _operands(x, s, "rsub")
    out = wrap(sd - ad * alpha if alpha != 1 else sd - ad)
    if _wants_grad(a, None):
        record1(out, RsubBackward1, a, data=alpha)
    return out


def RsubBackward1(ctx, g):
    return -g if ctx.data == 1 else g * -ctx.data


# ---------------------------------------------------------------------------- mul / div
def mul(input, other):
    if other.__class__ is _T and input.__class__ is _T:  # fast path: two CPU tensors of one dtype
        ad = input._data
        bd = other._data
        if ad.__class__ is _nd and bd.__class__ is _nd and ad.dtype is bd.dtype:
            try:
                r = ad * bd
            except ValueError:
                r = _compute(np.multiply, ad, bd)
            out = _new(_T)
            out._data = r if r.__class__ is _nd else np.asarray(r)
            if grad_state.enabled and (input._requires_grad or other._requires_grad):
                record2(out, MulBackward0, input, other, (input, other), None, ad.shape == bd.shape)
            return out
    a, b, ad, bd = _operands(input, other, "mul")
    out = wrap(ad * bd)
    if grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad)):
        if a is None or b is None:
            t, s = (b, ad) if a is None else (a, bd)
            record(out, MulBackward0, (a, b), data=s)
        else:
            # save only what the other input's gradient needs
            _record2(out, MulBackward0, a, b, saved=(a, b))
    return out


def MulBackward0(ctx, g):
    if ctx.data is not None:  # one operand was a python scalar
        s = ctx.data
        return tuple(None if not need else g * s for need in ctx.needs_input_grad)
    a, b = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    return (g * b if need_a else None), (g * a if need_b else None)


def div(input, other, *, rounding_mode=None):
    """True division (integers divide to the default float dtype); `rounding_mode` 'trunc' or 'floor'."""
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(input, other)
        if rounding_mode == "trunc":
            return _div_trunc(input, other)
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    if input.__class__ is _T and other.__class__ is _T and input._data.dtype is other._data.dtype \
            and input._data.dtype.kind == "f" and input._data.__class__ is np.ndarray \
            and other._data.__class__ is np.ndarray:
        a, b = input, other
        ad, bd = a._data, b._data
    else:
        a, b, ad, bd = _operands(input, other, "div")
        ad, bd = _to_float(ad, bd)
    try:
        out = wrap(ad / bd)
    except ValueError:
        out = wrap(_compute(np.true_divide, ad, bd))
    if _wants_grad(a, b):
        if b is None:
            record1(out, DivBackward0, a, data=bd)
        elif a is None:
            record(out, DivBackward0, (None, b), saved=(b, out), data=ad)
        else:
            record(out, DivBackward0, (a, b), saved=(a, b))
    return out


def _to_float(ad, bd):
    """Division works in float: integer/bool operands (python ints included) become the default float dtype."""
    if _is_integral(ad) and _is_integral(bd):
        f = _dtype._default[0].np
        ad = ad.astype(f) if hasattr(ad, "astype") else float(ad)
        bd = bd.astype(f) if hasattr(bd, "astype") else float(bd)
    return ad, bd


def DivBackward0(ctx, g):
    saved = ctx.saved_tensors
    if not saved:  # tensor / scalar
        return g / ctx.data
    need_a, need_b = ctx.needs_input_grad
    if len(saved) == 2 and ctx.data is not None:  # scalar / tensor: d(s/b)/db = -out / b
        b, out = saved
        return None, -g * out / b
    a, b = saved
    return (g / b if need_a else None), (-g * a / (b * b) if need_b else None)


def true_divide(input, other):
    return div(input, other)


def _div_trunc(input, other):
    a, b, ad, bd = _operands(input, other, "div")
    _no_bool_pair(ad, bd, "div_trunc")
    xp = _xp(ad, bd)
    if _is_integral(ad) and _is_integral(bd):
        _check_int_divisor(ad, bd)
        q = _compute(xp.floor_divide, ad, bd)
        # floor rounds down where the signs differ and the division is inexact: step back toward zero
        q = q + ((q < 0) & (_compute(xp.remainder, ad, bd) != 0))
    else:
        q = xp.trunc(_compute(xp.true_divide, ad, bd))
    out = wrap(q)
    if _wants_grad(a, b):
        _record2(out, DivBackward2, a, b)
    return out


def floor_divide(input, other):
    a, b, ad, bd = _operands(input, other, "floor_divide")
    _no_bool_pair(ad, bd, "div_floor")
    _check_int_divisor(ad, bd)
    out = wrap(_compute(_xp(ad, bd).floor_divide, ad, bd))
    if _wants_grad(a, b):
        _record2(out, DivBackward3, a, b)
    return out


def _zero_grads(ctx, g):
    """Rounding divisions: zero gradient almost everywhere."""
    if len(ctx.needs_input_grad) == 1:
        return g * 0
    return tuple((g * 0) if need else None for need in ctx.needs_input_grad)


def DivBackward2(ctx, g):
    return _zero_grads(ctx, g)


def DivBackward3(ctx, g):
    return _zero_grads(ctx, g)


def remainder(input, other):
    """Python's modulo: the result has the sign of the divisor."""
    a, b, ad, bd = _operands(input, other, "remainder")
    _no_bool_pair(ad, bd, "remainder")
    _check_int_divisor(ad, bd)
    out = wrap(_compute(_xp(ad, bd).mod, ad, bd))
    if _wants_grad(a, b):
        if b is None:
            record1(out, RemainderBackward0, a)
        else:  # a may be a python scalar (then its value rides along in data)
            record(out, RemainderBackward1, (a, b), saved=(b,) if a is None else (a, b), data=ad if a is None else None)
    return out


def RemainderBackward0(ctx, g):
    """tensor % scalar: the gradient passes unchanged (a.e.)."""
    return g


def RemainderBackward1(ctx, g):
    """a - b * floor(a / b): d/da = 1, d/db = -floor(a / b)."""
    need_a, need_b = ctx.needs_input_grad
    if ctx.data is not None:  # python scalar % tensor
        (b,) = ctx.saved_tensors
        return None, -g * (ctx.data / b).floor()
    a, b = ctx.saved_tensors
    return (g if need_a else None), (-g * (a / b).floor() if need_b else None)


def fmod(input, other):
    """C's fmod: the result has the sign of the dividend."""
    if not isinstance(input, _T):
        raise TypeError(f"fmod(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    a, b, ad, bd = _operands(input, other, "fmod")
    _no_bool_pair(ad, bd, "fmod")
    _check_int_divisor(ad, bd)
    out = wrap(_compute(_xp(ad, bd).fmod, ad, bd))
    if _wants_grad(a, b):
        if b is None:
            record1(out, FmodBackward0, a)
        else:
            record(out, FmodBackward1, (a, b), saved=(a, b))
    return out


def FmodBackward0(ctx, g):
    """fmod(tensor, scalar): the gradient passes unchanged (a.e.)."""
    return g


def FmodBackward1(ctx, g):
    """a - b * trunc(a / b): d/da = 1, d/db = -trunc(a / b)."""
    need_a, need_b = ctx.needs_input_grad
    a, b = ctx.saved_tensors
    return (g if need_a else None), (-g * (a / b).trunc() if need_b else None)


def _xp(*arrays):
    for a in arrays:
        if hasattr(a, "__array_priority__") and not isinstance(a, np.ndarray) and not isinstance(a, np.generic):
            from .._device import xp_of

            return xp_of(a)
    return np


# ---------------------------------------------------------------------------- pow
def pow(input, exponent):
    """input ** exponent, for tensor or scalar base and exponent."""
    if not isinstance(input, _T):  # scalar ** tensor
        b = exponent
        bd, s = scalar_operand(b._data, input, "pow")
        _no_bool_pair(bd, np.asarray(s), "pow")
        if bd.dtype.kind in "iu" and not isinstance(s, float):
            out = wrap(_int_power(np.asarray(s, dtype=bd.dtype), bd))
        else:
            out = wrap(_xp(bd).power(np.asarray(s, dtype=bd.dtype) if bd.dtype.kind == "f" else s, bd))
        if _wants_grad(None, b):
            record(out, PowBackward2, (None, b), saved=(b, out), data=s)
        return out
    a, b, ad, bd = _operands(input, exponent, "pow")
    if b is None:
        if ad.dtype.kind in "biu" and isinstance(bd, (int, np.integer)) and bd < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if bd == 2:
            out = wrap(ad * ad)
        elif bd == 1:
            out = wrap(ad.copy())
        else:
            out = wrap(ad ** bd)
        if _wants_grad(a, None):
            record1(out, PowBackward0, a, saved=(a,), data=bd)
        return out
    _no_bool_pair(ad, bd, "pow")
    if bd.dtype.kind in "iu":
        out = wrap(_compute(_int_power, ad, bd))
    else:
        out = wrap(_compute(_xp(ad, bd).power, ad, bd))
    if _wants_grad(a, b):
        record(out, PowBackward1, (a, b), saved=(a, b, out))
    return out


def _int_power(base, exp):
    """Integer power where negative exponents give 0, except for bases 1 and -1 (as torch; NumPy raises)."""
    xp = _xp(base, exp)
    neg = exp < 0
    if not neg.any():
        return xp.power(base, exp)
    out = xp.power(base, xp.where(neg, 0, exp))
    one = xp.ones((), dtype=out.dtype)
    at_neg = xp.where(base == 1, one, xp.where(base == -1, xp.where(exp % 2 == 0, one, -one), 0 * one))
    return xp.where(neg, at_neg, out)


def PowBackward0(ctx, g):
    (a,) = ctx.saved_tensors
    p = ctx.data
    if p == 0:
        return g * 0
    if p == 2:
        return g * (a * 2)
    return g * (a ** (p - 1) * p)


def PowBackward1(ctx, g):
    from .compare import where

    a, b, out = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    zero = g.new_zeros(())
    ga = gb = None
    if need_a:  # exponent 0 has derivative 0 even at a == 0, as torch
        ga = where(b == 0, zero, g * b * a ** (b - 1))
    if need_b:  # d(a^b)/db = a^b log a, taken as 0 where a == 0 and b >= 0, as torch
        gb = where((a == 0) & (b >= 0), zero, g * out * a.log())
    return ga, gb


def PowBackward2(ctx, g):
    """d(s^b)/db = s^b log s for a python scalar base s."""
    b, out = ctx.saved_tensors
    s = ctx.data
    if s == 0:  # log 0 = -inf, except that b >= 0 is taken as 0, as torch
        from .compare import where

        return None, where(b >= 0, g.new_zeros(()), g * out * float("-inf"))
    return None, g * out * (math.log(s) if s > 0 else float("nan"))


def float_power(input, exponent):
    x = input.double() if isinstance(input, _T) else input
    e = exponent.double() if isinstance(exponent, _T) else exponent
    return pow(x, e)


# ---------------------------------------------------------------------------- reflected / in-place
def radd(self, other):
    return add(other, self) if isinstance(other, _T) else add(self, other)


def rmul(self, other):
    return mul(self, other)


def rtruediv(self, other):
    return div(other, self) if isinstance(other, _T) else _rdiv_scalar(self, other)


def _rdiv_scalar(x, s):
    return div(s, x)


def rpow(self, other):
    return pow(other, self)


def rfloordiv(self, other):
    return floor_divide(other, self) if isinstance(other, _T) else _scalar_first(floor_divide, other, self)


def rmod(self, other):
    return remainder(other, self) if isinstance(other, _T) else _scalar_first(remainder, other, self)


def _scalar_first(op, s, t):
    from .._creation import full

    return op(full((), s, dtype=_dtype.result_type_of([], [], [_dtype._scalar_dtype(s)]), device=t.device), t)


def add_(self, other, *, alpha=1):
    if not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad)):
        r = _fast_inplace(self, other, alpha, np.add, "add_")
        return r if r is not None else apply_inplace(self, add, "add_", other, alpha=alpha)
    return apply_inplace(self, add, "add_", other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    if not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad)):
        r = _fast_inplace(self, other, alpha, np.subtract, "sub_")
        return r if r is not None else apply_inplace(self, sub, "sub_", other, alpha=alpha)
    return apply_inplace(self, sub, "sub_", other, alpha=alpha)


def mul_(self, other):
    if not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad)):
        r = _fast_inplace(self, other, 1, np.multiply, "mul_")
        return r if r is not None else apply_inplace(self, mul, "mul_", other)
    return apply_inplace(self, mul, "mul_", other)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is None and self._data.dtype.kind == "f" and (
            not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad))):
        r = _fast_inplace(self, other, 1, np.true_divide, "div_")
        return r if r is not None else apply_inplace(self, div, "div_", other)
    return apply_inplace(self, div, "div_", other, rounding_mode=rounding_mode)


def _fast_inplace(self, other, alpha, ufunc, name):
    """No-graph in-place arithmetic straight into the array (NumPy only); None when it doesn't apply."""
    d = self._data
    if d.__class__ is not np.ndarray or d.dtype.kind != "f":
        return None
    if isinstance(other, _T):
        o = other._data
        if o.__class__ is not np.ndarray or o.dtype is not d.dtype:
            return None
    elif other.__class__ in (int, float):
        o = other
    else:
        return None
    if alpha != 1:
        o = o * alpha
    try:
        ufunc(d, o, out=d)
    except ValueError:
        return None
    from .inplace import bump_version

    bump_version(self)
    return self


def pow_(self, exponent):
    return apply_inplace(self, pow, "pow_", exponent)


def remainder_(self, other):
    return apply_inplace(self, remainder, "remainder_", other)


def fmod_(self, other):
    return apply_inplace(self, fmod, "fmod_", other)


def floor_divide_(self, other):
    return apply_inplace(self, floor_divide, "floor_divide_", other)


divide = div
multiply = mul
subtract = sub
