"""Arithmetic: add, sub, mul, div, pow, remainder, fmod, floor_divide and their reflected/in-place forms.

Tensor-tensor operands are promoted by torch's rules (`_util.promote_arrays`); python scalars use
NumPy's weak-scalar arithmetic after `_util.scalar_operand`. Backwards return gradients at the
broadcast shape; the engine sums them back to each input's shape and dtype.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import promote_arrays, record, record1, scalar_operand, wrap
from .inplace import apply_inplace

_T = Tensor


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


def _record2(out, backward_fn, a, b, saved=(), data=None):
    if b is None:
        return record1(out, backward_fn, a, saved, data) if a._requires_grad else record(out, backward_fn, (a,), saved, data)
    if a is None:
        return record(out, backward_fn, (None, b), saved, data)
    return record(out, backward_fn, (a, b), saved, data)


def _wants_grad(a, b):
    return grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad))


# ---------------------------------------------------------------------------- add / sub
def add(input, other, *, alpha=1):
    """input + alpha * other."""
    if input.__class__ is _T and other.__class__ is _T and input._data.dtype is other._data.dtype \
            and input._data.__class__ is np.ndarray and other._data.__class__ is np.ndarray:
        a, b = input, other
        ad, bd = a._data, b._data
    else:
        a, b, ad, bd = _operands(input, other, "add")
    out = wrap(ad + bd if alpha == 1 else ad + bd * alpha)
    if grad_state.enabled and ((a is not None and a._requires_grad) or (b is not None and b._requires_grad)):
        _record2(out, AddBackward0, a, b, data=alpha)
    return out


def AddBackward0(ctx, g):
    alpha = ctx.data
    return g, (g if alpha == 1 else g * alpha)


def sub(input, other, *, alpha=1):
    """input - alpha * other."""
    if input.__class__ is _T and other.__class__ is _T and input._data.dtype is other._data.dtype \
            and input._data.__class__ is np.ndarray and other._data.__class__ is np.ndarray:
        a, b = input, other
        ad, bd = a._data, b._data
    else:
        a, b, ad, bd = _operands(input, other, "sub")
    if getattr(ad, "dtype", None) == np.bool_ and getattr(bd, "dtype", None) == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    out = wrap(ad - bd if alpha == 1 else ad - bd * alpha)
    if _wants_grad(a, b):
        _record2(out, SubBackward0, a, b, data=alpha)
    return out


def SubBackward0(ctx, g):
    alpha = ctx.data
    return g, (-g if alpha == 1 else g * -alpha)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what `2 - x` calls)."""
    return sub(other, input, alpha=alpha) if isinstance(other, _T) else _rsub_scalar(input, other, alpha)


def _rsub_scalar(x, s, alpha):
    a, _, ad, sd = _operands(x, s, "rsub")
    out = wrap(sd - ad * alpha if alpha != 1 else sd - ad)
    if _wants_grad(a, None):
        record1(out, RsubBackward1, a, data=alpha)
    return out


def RsubBackward1(ctx, g):
    return -g if ctx.data == 1 else g * -ctx.data


# ---------------------------------------------------------------------------- mul / div
def mul(input, other):
    if input.__class__ is _T and other.__class__ is _T and input._data.dtype is other._data.dtype \
            and input._data.__class__ is np.ndarray and other._data.__class__ is np.ndarray:
        a, b = input, other
        ad, bd = a._data, b._data
    else:
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
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    if input.__class__ is _T and other.__class__ is _T and input._data.dtype is other._data.dtype \
            and input._data.dtype.kind == "f" and input._data.__class__ is np.ndarray \
            and other._data.__class__ is np.ndarray:
        a, b = input, other
        ad, bd = a._data, b._data
    else:
        a, b, ad, bd = _operands(input, other, "div")
        ad, bd = _to_float(ad, bd)
    out = wrap(ad / bd)
    if _wants_grad(a, b):
        if b is None:
            record1(out, DivBackward0, a, data=bd)
        elif a is None:
            record(out, DivBackward0, (None, b), saved=(b, out), data=ad)
        else:
            record(out, DivBackward0, (a, b), saved=(a, b))
    return out


def _to_float(ad, bd):
    """Division works in float: integer operands become the default float dtype."""
    kind_a = ad.dtype.kind if hasattr(ad, "dtype") else "f"
    kind_b = bd.dtype.kind if hasattr(bd, "dtype") else "f"
    if kind_a in "biu" and kind_b in "biu":
        f = _dtype._default[0].np
        ad = ad.astype(f) if hasattr(ad, "astype") else float(ad)
        bd = bd.astype(f) if hasattr(bd, "astype") else float(bd)
    return ad, bd


def DivBackward0(ctx, g):
    need_a, need_b = ctx.needs_input_grad
    saved = ctx.saved_tensors
    if not saved:  # tensor / scalar
        return (g / ctx.data,)
    if len(saved) == 2 and ctx.data is not None:  # scalar / tensor: d(s/b)/db = -out / b
        b, out = saved
        return None, -g * out / b
    a, b = saved
    return (g / b if need_a else None), (-g * a / (b * b) if need_b else None)


def true_divide(input, other):
    return div(input, other)


def _div_trunc(input, other):
    a, b, ad, bd = _operands(input, other, "div")
    xp = _xp(ad, bd)
    q = xp.trunc(xp.true_divide(ad, bd))
    int_dtype = next((d.dtype for d in (ad, bd) if hasattr(d, "dtype") and d.dtype.kind in "biu"), None)
    if int_dtype is not None and q.dtype.kind == "f" and all(
            (d.dtype.kind in "biu") if hasattr(d, "dtype") else isinstance(d, int) for d in (ad, bd)):
        q = q.astype(int_dtype)
    out = wrap(q)
    if _wants_grad(a, b):
        _record2(out, _ZeroGradBackward, a, b)
    return out


def floor_divide(input, other):
    a, b, ad, bd = _operands(input, other, "floor_divide")
    out = wrap(ad // bd)
    if _wants_grad(a, b):
        _record2(out, _ZeroGradBackward, a, b)
    return out


def _ZeroGradBackward(ctx, g):
    """Rounding ops: zero gradient almost everywhere, as torch."""
    return tuple((g * 0) if need else None for need in ctx.needs_input_grad)


def remainder(input, other):
    """Python's modulo: the result has the sign of the divisor."""
    a, b, ad, bd = _operands(input, other, "remainder")
    out = wrap(_xp(ad, bd).mod(ad, bd))
    if _wants_grad(a, b):
        _record2(out, RemainderBackward0, a, b, saved=tuple(t for t in (a, b) if t is not None) if b is not None
                 else (), data=(a is None, b is None, ad if a is None else None))
    return out


def RemainderBackward0(ctx, g):
    a_scalar, b_scalar, a_value = ctx.data
    if b_scalar:
        return (g,)
    saved = ctx.saved_tensors
    if a_scalar:
        (b,) = saved
        return None, -g * (a_value / b).floor()
    a, b = saved
    return g, -g * (a / b).floor()


def fmod(input, other):
    """C's fmod: the result has the sign of the dividend."""
    a, b, ad, bd = _operands(input, other, "fmod")
    out = wrap(_xp(ad, bd).fmod(ad, bd))
    if _wants_grad(a, b):
        _record2(out, FmodBackward0, a, b, saved=(a, b) if (a is not None and b is not None) else ())
    return out


def FmodBackward0(ctx, g):
    saved = ctx.saved_tensors
    if not saved:
        return tuple(g if (need and i == 0) else None for i, need in enumerate(ctx.needs_input_grad))
    a, b = saved
    return g, -g * (a / b).trunc()


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
        s = input
        bd, s = scalar_operand(b._data, s, "pow")
        if not isinstance(s, float) and bd.dtype.kind in "iu":
            out = wrap(_xp(bd).power(np.asarray(s, dtype=bd.dtype), bd))
        else:
            out = wrap(_xp(bd).power(np.asarray(s, dtype=bd.dtype) if bd.dtype.kind == "f" else s, bd))
        if _wants_grad(None, b):
            record(out, PowBackward2, (None, b), saved=(out,), data=s)
        return out
    a, b, ad, bd = _operands(input, exponent, "pow")
    if b is None:
        if bd == 2:
            out = wrap(ad * ad)
        elif bd == 1:
            out = wrap(ad.copy())
        else:
            out = wrap(ad ** bd)
        if _wants_grad(a, None):
            record1(out, PowBackward0, a, saved=(a,), data=bd)
        return out
    out = wrap(ad ** bd)
    if _wants_grad(a, b):
        record(out, PowBackward1, (a, b), saved=(a, b, out))
    return out


def PowBackward0(ctx, g):
    (a,) = ctx.saved_tensors
    p = ctx.data
    if p == 0:
        return g * 0
    if p == 2:
        return g * (a * 2)
    return g * (a ** (p - 1) * p)


def PowBackward1(ctx, g):
    a, b, out = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    ga = gb = None
    if need_a:
        ga = g * b * a ** (b - 1)
        ga = ga.masked_fill((b == 0) & (a == 0), 0) if ga.is_floating_point() else ga
    if need_b:
        # d(a^b)/db = a^b log a; taken as 0 where a == 0 and b >= 0, as torch
        log_a = a.log().masked_fill((a == 0) & (b >= 0), 0)
        gb = g * out * log_a
    return ga, gb


def PowBackward2(ctx, g):
    (out,) = ctx.saved_tensors
    s = ctx.data
    import math

    return None, g * out * (math.log(s) if s > 0 else (0.0 if s == 0 else float("nan")))


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
        return _fast_inplace(self, other, alpha, np.add, "add_") or apply_inplace(self, add, "add_", other, alpha=alpha)
    return apply_inplace(self, add, "add_", other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    if not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad)):
        return _fast_inplace(self, other, alpha, np.subtract, "sub_") or apply_inplace(self, sub, "sub_", other,
                                                                                      alpha=alpha)
    return apply_inplace(self, sub, "sub_", other, alpha=alpha)


def mul_(self, other):
    if not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad)):
        return _fast_inplace(self, other, 1, np.multiply, "mul_") or apply_inplace(self, mul, "mul_", other)
    return apply_inplace(self, mul, "mul_", other)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is None and self._data.dtype.kind == "f" and (
            not grad_state.enabled or not (self._requires_grad or (isinstance(other, _T) and other._requires_grad))):
        return _fast_inplace(self, other, 1, np.true_divide, "div_") or apply_inplace(self, div, "div_", other)
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
