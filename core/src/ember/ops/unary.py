"""Elementwise math of one tensor: exp/log family, trig, rounding, clamp, erf, nan_to_num, ...

Float functions compute integer inputs in the default float dtype, as torch. Each op names the
array function it runs, what its backward saves (input or output) and the backward itself.
"""

from __future__ import annotations

import math

import numpy as np

from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import float_array, record1, record2, wrap
from .inplace import apply_inplace

_ndarray = np.ndarray
_BF16 = np.dtype("bfloat16") if "bfloat16" in np.sctypeDict else None


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _float_unary(x: Tensor, fn_name: str, backward, save: str | None):
    """Run xp.<fn_name> on x in float; record `backward` saving the input ('in') or output ('out')."""
    d = x._data
    if d.dtype.kind in "biu":
        d = float_array(d)
    out = wrap(getattr(_xp(d), fn_name)(d))
    if grad_state.enabled and x._requires_grad:
        record1(out, backward, x, saved=(x,) if save == "in" else (out,) if save == "out" else ())
    return out


def exp(input):
    return _float_unary(input, "exp", ExpBackward0, "out")


def ExpBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out


def exp2(input):
    return _float_unary(input, "exp2", Exp2Backward0, "out")


def Exp2Backward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out * math.log(2.0)


def expm1(input):
    return _float_unary(input, "expm1", Expm1Backward0, "out")


def Expm1Backward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (out + 1)


def log(input):
    return _float_unary(input, "log", LogBackward0, "in")


def LogBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / x


def log2(input):
    return _float_unary(input, "log2", Log2Backward0, "in")


def Log2Backward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / (x * math.log(2.0))


def log10(input):
    return _float_unary(input, "log10", Log10Backward0, "in")


def Log10Backward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / (x * math.log(10.0))


def log1p(input):
    return _float_unary(input, "log1p", Log1PBackward0, "in")


def Log1PBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / (x + 1)


def sqrt(input):
    return _float_unary(input, "sqrt", SqrtBackward0, "out")


def SqrtBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g / (out * 2)


def rsqrt(input):
    d = input._data
    if d.dtype.kind in "biu":
        d = float_array(d)
    out = wrap(1 / _xp(d).sqrt(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, RsqrtBackward0, input, saved=(out,))
    return out


def RsqrtBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out.pow(3) * -0.5


def reciprocal(input):
    d = input._data
    if d.dtype.kind in "biu":
        d = float_array(d)
    out = wrap(1 / d)
    if grad_state.enabled and input._requires_grad:
        record1(out, ReciprocalBackward0, input, saved=(out,))
    return out


def ReciprocalBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return -g * out * out


def sin(input):
    return _float_unary(input, "sin", SinBackward0, "in")


def SinBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * x.cos()


def cos(input):
    return _float_unary(input, "cos", CosBackward0, "in")


def CosBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return -g * x.sin()


def tan(input):
    return _float_unary(input, "tan", TanBackward0, "out")


def TanBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (out * out + 1)


def asin(input):
    return _float_unary(input, "arcsin", AsinBackward0, "in")


def AsinBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (1 - x * x).rsqrt()


def acos(input):
    return _float_unary(input, "arccos", AcosBackward0, "in")


def AcosBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return -g * (1 - x * x).rsqrt()


def atan(input):
    return _float_unary(input, "arctan", AtanBackward0, "in")


def AtanBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / (x * x + 1)


def sinh(input):
    return _float_unary(input, "sinh", SinhBackward0, "in")


def SinhBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * x.cosh()


def cosh(input):
    return _float_unary(input, "cosh", CoshBackward0, "in")


def CoshBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * x.sinh()


def tanh(input):
    return _float_unary(input, "tanh", TanhBackward0, "out")


def TanhBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return tanh_backward(g, out)


def tanh_backward(grad, out):
    """g * (1 - out^2) as one recorded op (torch's tanh_backward), so backward costs one node, not three."""
    gd, od = grad._data, out._data
    res = wrap(gd * (1 - od * od))
    if grad_state.enabled and (grad._requires_grad or out._requires_grad):
        record2(res, TanhBackwardBackward0, grad, out, saved=(grad, out))
    return res


def TanhBackwardBackward0(ctx, gg):
    g, out = ctx.saved_tensors
    need_g, need_out = ctx.needs_input_grad
    return (tanh_backward(gg, out) if need_g else None), (gg * g * out * -2 if need_out else None)


def asinh(input):
    return _float_unary(input, "arcsinh", AsinhBackward0, "in")


def AsinhBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (x * x + 1).rsqrt()


def acosh(input):
    return _float_unary(input, "arccosh", AcoshBackward0, "in")


def AcoshBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (x * x - 1).rsqrt()


def atanh(input):
    return _float_unary(input, "arctanh", AtanhBackward0, "in")


def AtanhBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g / (1 - x * x)


def sigmoid(input):
    d = input._data
    if d.dtype.kind in "biu":
        d = float_array(d)
    xp = _xp(d)
    dt = d.dtype
    if dt.itemsize == 2:  # float16/bfloat16: compute in float32 and round once, as torch
        d = d.astype(np.float32)
    # split by sign so exp never overflows: e = exp(-|x|); sigmoid = 1/(1+e) for x >= 0, e/(1+e) below
    e = xp.abs(d.reshape(1) if d.ndim == 0 else d)  # in-place steps below need an array, not a NumPy scalar
    xp.negative(e, out=e)
    xp.exp(e, out=e)
    r = e + 1
    xp.reciprocal(r, out=r)
    xp.multiply(e, r, out=e)
    xp.copyto(e, r, where=(d >= 0).reshape(e.shape))
    out = wrap(e.astype(dt, copy=False).reshape(d.shape))
    if grad_state.enabled and input._requires_grad:
        record1(out, SigmoidBackward0, input, saved=(out,))
    return out


def SigmoidBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return sigmoid_backward(g, out)


def sigmoid_backward(grad, out):
    """g * out * (1 - out) as one recorded op (torch's sigmoid_backward)."""
    gd, od = grad._data, out._data
    res = wrap(gd * od * (1 - od))
    if grad_state.enabled and (grad._requires_grad or out._requires_grad):
        record2(res, SigmoidBackwardBackward0, grad, out, saved=(grad, out))
    return res


def SigmoidBackwardBackward0(ctx, gg):
    g, out = ctx.saved_tensors
    need_g, need_out = ctx.needs_input_grad
    return (sigmoid_backward(gg, out) if need_g else None), (gg * g * (1 - out * 2) if need_out else None)


def logit(input, eps=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    d = float_array(input._data)
    xp = _xp(d)
    if eps is not None:
        d = xp.clip(d, d.dtype.type(eps), d.dtype.type(1 - eps))
    out = wrap(xp.log(d / (1 - d)))
    if grad_state.enabled and input._requires_grad:
        record1(out, LogitBackward0, input, saved=(input,), data=eps)
    return out


def LogitBackward0(ctx, g):
    from .compare import where

    (x,) = ctx.saved_tensors
    eps = ctx.data
    grad = g / (x * (1 - x))
    if eps is None:  # outside [0, 1] the derivative is undefined
        return where((x < 0) | (x > 1), g.new_full((), float("nan")), grad)
    return where((x < eps) | (x > 1 - eps), g.new_zeros(()), grad)


# ---------------------------------------------------------------------------- erf family
def _erf_array(d):
    xp = _xp(d)
    if xp is not np:
        import cupyx.scipy.special as cs

        return cs.erf(d)
    try:
        from scipy.special import erf as _erf
    except ImportError:
        _erf = np.frompyfunc(math.erf, 1, 1)
    return np.asarray(_erf(d), dtype=d.dtype)


def _erfinv_array(d):
    xp = _xp(d)
    if xp is not np:
        import cupyx.scipy.special as cs

        return cs.erfinv(d)
    try:
        from scipy.special import erfinv as _erfinv

        return np.asarray(_erfinv(d), dtype=d.dtype)
    except ImportError:
        pass
    # Newton's method on erf(y) = x from a closed-form start; converges to float64 precision
    x = d.astype(np.float64)
    a = 0.147
    ln = np.log1p(-x * x)
    t = 2 / (math.pi * a) + ln / 2
    y = np.sign(x) * np.sqrt(np.sqrt(t * t - ln / a) - t)
    finite = np.isfinite(y)  # erfinv(+-1) = +-inf and NaN outside [-1, 1] are already exact
    for _ in range(4):
        err = np.asarray(np.frompyfunc(math.erf, 1, 1)(np.where(finite, y, 0)), dtype=np.float64) - x
        y = np.where(finite, y - err / (2 / math.sqrt(math.pi) * np.exp(-y * y)), y)
    return y.astype(d.dtype)


def erf(input):
    d = float_array(input._data)
    out = wrap(_erf_array(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, ErfBackward0, input, saved=(input,))
    return out


def ErfBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


def erfc(input):
    d = float_array(input._data)
    out = wrap(1 - _erf_array(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, ErfcBackward0, input, saved=(input,))
    return out


def ErfcBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (-(x * x)).exp() * (-2 / math.sqrt(math.pi))


def erfinv(input):
    d = float_array(input._data)
    out = wrap(_erfinv_array(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, ErfinvBackward0, input, saved=(out,))
    return out


def ErfinvBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (out * out).exp() * (math.sqrt(math.pi) / 2)


# ---------------------------------------------------------------------------- sign, abs, rounding
def neg(input):
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    out = wrap(-d)
    if grad_state.enabled and input._requires_grad:
        record1(out, NegBackward0, input)
    return out


def NegBackward0(ctx, g):
    return -g


def abs(input):
    d = input._data
    out = wrap(_xp(d).abs(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, AbsBackward0, input, saved=(input,))
    return out


def AbsBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * x.sign()


def square(input):
    from .arith import pow

    return pow(input, 2)


def sign(input):
    d = input._data
    if d.dtype == np.bool_:
        out = wrap(d.copy())
    else:
        xp = _xp(d)
        sd = xp.sign(d)
        out = wrap(xp.where(xp.isnan(d), 0, sd).astype(d.dtype, copy=False) if d.dtype.kind == "f" else sd)
    if grad_state.enabled and input._requires_grad:
        record1(out, SignBackward0, input)
    return out


def SignBackward0(ctx, g):
    return g * 0


def _rounding(input, fn_name, backward):
    d = input._data
    if d.dtype.kind in "biu":
        out = wrap(d.copy())
    else:
        out = wrap(getattr(_xp(d), fn_name)(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, backward, input)
    return out


def floor(input):
    return _rounding(input, "floor", FloorBackward0)


def FloorBackward0(ctx, g):
    return g * 0


def ceil(input):
    return _rounding(input, "ceil", CeilBackward0)


def CeilBackward0(ctx, g):
    return g * 0


def trunc(input):
    return _rounding(input, "trunc", TruncBackward0)


def TruncBackward0(ctx, g):
    return g * 0


fix = trunc


def round(input, *, decimals: int = 0):
    """Round half to even, as torch and NumPy."""
    d = input._data
    if d.dtype.kind in "biu":
        if decimals != 0:
            _float_only(d, "round")
        out = wrap(d.copy())
    else:
        out = wrap(_xp(d).round(d, decimals))
    if grad_state.enabled and input._requires_grad:
        record1(out, RoundBackward0 if decimals == 0 else RoundBackward1, input)
    return out


def RoundBackward0(ctx, g):
    return g * 0


def RoundBackward1(ctx, g):
    return g * 0


_TORCH_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                     "bool": "Bool"}


def _float_only(d, name):
    if d.dtype.kind in "biu":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_TORCH_TYPE_NAMES[d.dtype.name]}'")


def frac(input):
    d = input._data
    _float_only(d, "frac")
    out = wrap(d - _xp(d).trunc(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, FracBackward0, input)
    return out


def FracBackward0(ctx, g):
    return g


# ---------------------------------------------------------------------------- clamp, nan_to_num
def clamp(input, min=None, max=None):
    """Limit values to [min, max]; min/max may be numbers or tensors. The gradient passes where min <= x <= max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensors(input, min, max)
    d = input._data
    if d.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        d = float_array(d)
    xp = _xp(d)
    try:
        # numpy scalars, not 0-d arrays: CuPy ufuncs refuse host ndarrays as operands
        lo = None if min is None else np.asarray(min, dtype=d.dtype)[()]
        hi = None if max is None else np.asarray(max, dtype=d.dtype)[()]
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {d.dtype.name}_t without overflow") from None
    if lo is not None and hi is not None:
        out = wrap(xp.minimum(xp.maximum(d, lo), hi))
    elif lo is not None:
        out = wrap(xp.maximum(d, lo))
    else:
        out = wrap(xp.minimum(d, hi))
    if grad_state.enabled and input._requires_grad:
        record1(out, ClampBackward1, input, saved=(input,), data=(min, max))
    return out


def ClampBackward1(ctx, g):
    (x,) = ctx.saved_tensors
    lo, hi = ctx.data
    mask = None
    if lo is not None:
        mask = x >= lo
    if hi is not None:
        m = x <= hi
        mask = m if mask is None else mask & m
    return g * mask


def _clamp_tensors(input, min, max):
    """clamp with tensor bounds (broadcasting; result dtype promoted over all three, as torch)."""
    from .. import _dtype
    from .arith import _compute
    from ._util import record

    dims, zeros, scalars = [], [], []
    for v in (input, min, max):
        if isinstance(v, Tensor):
            (dims if v._data.ndim else zeros).append(v.dtype)
        elif v is not None:
            scalars.append(_dtype._scalar_dtype(v))
    rt = _dtype.result_type_of(dims, zeros, scalars).np
    d = input._data.astype(rt, copy=False)
    xp = _xp(d)
    out = d
    if min is not None:
        out = _compute(xp.maximum, out, min._data.astype(rt, copy=False) if isinstance(min, Tensor) else min)
    if max is not None:
        out = _compute(xp.minimum, out, max._data.astype(rt, copy=False) if isinstance(max, Tensor) else max)
    out = wrap(out.astype(rt, copy=False))
    lo_t = min if isinstance(min, Tensor) else None
    hi_t = max if isinstance(max, Tensor) else None
    if grad_state.enabled and any(t is not None and t._requires_grad for t in (input, lo_t, hi_t)):
        record(out, ClampBackward0, (input, lo_t, hi_t), saved=(input, *(t for t in (lo_t, hi_t) if t is not None)),
               data=(min, max))
    return out


def ClampBackward0(ctx, g):
    """The input's gradient where min <= x <= max; min's where x < min; max's where x > max (as torch)."""
    from .compare import where

    x, *bounds = ctx.saved_tensors
    lo, hi = ctx.data
    bounds = iter(bounds)
    lo = next(bounds) if isinstance(lo, Tensor) else lo
    hi = next(bounds) if isinstance(hi, Tensor) else hi
    need_x, need_lo, need_hi = ctx.needs_input_grad
    zero = g.new_zeros(())
    inside = None
    if lo is not None:
        inside = x >= lo
    if hi is not None:
        inside = (x <= hi) if inside is None else inside & (x <= hi)
    return (where(inside, g, zero) if need_x else None,
            where(x < lo, g, zero) if need_lo else None,
            where(x > hi, g, zero) if need_hi else None)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def nan_to_num(input, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    d = input._data
    xp = _xp(d)
    if d.dtype.kind != "f" and d.dtype != _BF16:
        out = wrap(d.copy())
    else:
        info = np.finfo(d.dtype) if d.dtype != _BF16 else None
        big = float(info.max) if info is not None else 3.3895313892515355e38
        out = wrap(xp.nan_to_num(d, nan=nan, posinf=big if posinf is None else posinf,
                                 neginf=-big if neginf is None else neginf).astype(d.dtype, copy=False))
    if grad_state.enabled and input._requires_grad:
        record1(out, NanToNumBackward0, input, saved=(input,))
    return out


def NanToNumBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * x.isfinite()


# ---------------------------------------------------------------------------- composites
def lerp(input, end, weight):
    """input + weight * (end - input); input, end (and a tensor weight) must share a dtype, as torch."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != input.dtype:
            raise RuntimeError(f"expected dtype {_c_type(input)} for `{name}` but got dtype {_c_type(t)}")
    return input + weight * (end - input)


def _c_type(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "bool": "bool"}.get(t.dtype.name, t.dtype.name)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + tensor1 * tensor2 * value if value != 1 else input + tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    if not tensor1.is_floating_point() and not tensor2.is_floating_point():
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2.")
    return input + tensor1 / tensor2 * value if value != 1 else input + tensor1 / tensor2


def relu(input):
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    out = wrap(_xp(d).maximum(d, 0))  # NaN stays NaN, as torch
    if grad_state.enabled and input._requires_grad:
        record1(out, ReluBackward0, input, saved=(out,))
    return out


def ReluBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    return threshold_backward(g, out, 0)


def threshold_backward(grad, out, threshold):
    """grad where out > threshold, else 0, as one recorded op (torch's threshold_backward)."""
    gd, od = grad._data, out._data
    res = wrap(gd * (od > threshold))
    if grad_state.enabled and grad._requires_grad:
        record1(res, ThresholdBackwardBackward0, grad, saved=(out,), data=threshold)
    return res


def ThresholdBackwardBackward0(ctx, gg):
    (out,) = ctx.saved_tensors
    return threshold_backward(gg, out, ctx.data)


# ---------------------------------------------------------------------------- in-place forms
def _inplace_of(op, name):
    def method(self, *args, **kwargs):
        return apply_inplace(self, op, name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"In-place {op.__name__}."
    return method


INPLACE = {
    name + "_": _inplace_of(fn, name + "_")
    for name, fn in {
        "exp": exp, "exp2": exp2, "expm1": expm1, "log": log, "log2": log2, "log10": log10, "log1p": log1p,
        "sqrt": sqrt, "rsqrt": rsqrt, "reciprocal": reciprocal, "sin": sin, "cos": cos, "tan": tan, "asin": asin,
        "acos": acos, "atan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "asinh": asinh, "acosh": acosh,
        "atanh": atanh, "sigmoid": sigmoid, "erf": erf, "erfc": erfc, "erfinv": erfinv, "neg": neg, "abs": abs,
        "square": square, "sign": sign, "floor": floor, "ceil": ceil, "trunc": trunc, "round": round,
        "frac": frac, "clamp": clamp, "clip": clip, "clamp_min": clamp_min, "clamp_max": clamp_max,
        "nan_to_num": nan_to_num, "lerp": lerp, "addcmul": addcmul, "addcdiv": addcdiv, "relu": relu,
        "logit": logit, "fix": fix,
    }.items()
}
