"""Activation functions of torch.nn.functional.

The common ones are single recorded ops (forward on arrays, backward in Tensor ops so double backward works);
rare ones are composites of existing ops.
"""

from __future__ import annotations

import math

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops import reduce as _reduce
from ...ops import unary as _unary
from ...ops._util import record1, wrap
from ...ops.compare import where
from ...ops.inplace import apply_inplace
from ...ops.shape import chunk

_ndarray = np.ndarray
_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "elu", "elu_", "selu",
           "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu", "gelu",
           "logsigmoid", "hardshrink", "softshrink", "tanhshrink", "softsign", "softplus", "softmin", "softmax",
           "log_softmax", "gumbel_softmax", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish"]


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _check_tensor(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def _unary_op(input, out_array, backward, data=None):
    """Wrap out_array; record `backward` (which gets the input saved) when input needs a gradient."""
    out = wrap(out_array)
    if grad_state.enabled and input._requires_grad:
        record1(out, backward, input, saved=(input,), data=data)
    return out


def _scalar(d, v):
    """v as a NumPy scalar of d's dtype: keeps float32 math in float32 (and CuPy accepts it)."""
    return d.dtype.type(v)


def _maybe_inplace(input, inplace, op, name, *args):
    if inplace:
        return apply_inplace(input, op, name, *args)
    return op(input, *args)


# ---------------------------------------------------------------------------- threshold / relu family
def _threshold(input, threshold, value):
    d = input._data
    return _unary_op(input, _xp(d).where(d > threshold, d, _scalar(d, value)), ThresholdBackward0, threshold)


def ThresholdBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (x > ctx.data)


def threshold(input, threshold, value, inplace: bool = False):
    """x where x > threshold, else value."""
    return _maybe_inplace(input, inplace, _threshold, "threshold_", threshold, value)


def threshold_(input, threshold, value):
    return apply_inplace(input, _threshold, "threshold_", threshold, value)


def relu(input, inplace: bool = False):
    _check_tensor(input, "relu")
    return input.relu_() if inplace else _unary.relu(input)


def relu_(input):
    return input.relu_()


def _hardtanh(input, min_val, max_val):
    d = input._data
    xp = _xp(d)
    return _unary_op(input, xp.minimum(xp.maximum(d, _scalar(d, min_val)), _scalar(d, max_val)), HardtanhBackward0,
                     (min_val, max_val))


def HardtanhBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    lo, hi = ctx.data
    return g * ((x > lo) & (x < hi))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, _hardtanh, "hardtanh_", min_val, max_val)


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace: bool = False):
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_relu(input, negative_slope):
    d = input._data
    return _unary_op(input, _xp(d).where(d > 0, d, d * _scalar(d, negative_slope)), LeakyReluBackward0,
                     negative_slope)


def LeakyReluBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return where(x > 0, g, g * ctx.data)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """x where x > 0, else negative_slope * x."""
    return _maybe_inplace(input, inplace, _leaky_relu, "leaky_relu_", negative_slope)


def leaky_relu_(input, negative_slope: float = 0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def _elu(input, alpha, scale, input_scale):
    d = input._data
    xp = _xp(d)
    neg = (xp.expm1(xp.minimum(d, 0) * _scalar(d, input_scale)) * _scalar(d, alpha * scale))
    return _unary_op(input, xp.where(d > 0, d * _scalar(d, scale), neg), EluBackward0, (alpha, scale, input_scale))


def EluBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    alpha, scale, input_scale = ctx.data
    neg = (x.clamp(max=0) * input_scale).exp() * (alpha * scale * input_scale)
    return g * where(x > 0, x.new_full((), scale), neg)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _maybe_inplace(input, inplace, _elu, "elu_", alpha, 1.0, 1.0)


def elu_(input, alpha: float = 1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace: bool = False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _maybe_inplace(input, inplace, _elu, "selu_", _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(input, inplace, _elu, "celu_", alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha: float = 1.0):
    return celu(input, alpha, inplace=True)


def prelu(input, weight):
    """leaky_relu with a learned slope per channel (dim 1), or one shared slope."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    n = weight.numel()
    if n != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else input.shape[0]
        if n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {channels}.")
        if input.ndim >= 2:
            weight = weight.reshape((n,) + (1,) * (input.ndim - 2))  # (C, 1, ..., 1): broadcasts over dim 1
    elif weight.ndim != 0:
        weight = weight.reshape(())
    return where(input > 0, input, weight * input)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False):
    """leaky_relu with a slope drawn from U(lower, upper) per element in training, (lower+upper)/2 in eval."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from ..._creation import rand

    slope = rand(input.shape, dtype=input.dtype, device=input.device) * (upper - lower) + lower
    out = where(input >= 0, input, input * slope)
    if inplace:
        with _no_grad_if(not input.requires_grad):
            input.copy_(out)
        return input
    return out


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    return rrelu(input, lower, upper, training, inplace=True)


def _no_grad_if(flag):
    from ...autograd.grad_mode import no_grad
    import contextlib

    return no_grad() if flag else contextlib.nullcontext()


def glu(input, dim: int = -1):
    """a * sigmoid(b) where a, b are the halves of input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {n}")
    a, b = chunk(input, 2, dim)
    return a * b.sigmoid()


# ---------------------------------------------------------------------------- smooth activations
def gelu(input, approximate: str = "none"):
    """x * Phi(x) (Phi the standard normal CDF), or its tanh approximation."""
    _check_tensor(input, "gelu")
    d = input._data
    xp = _xp(d)
    if approximate == "none":
        out = d * (_unary._erf_array(d * _scalar(d, 1 / _SQRT_2)) + 1) * _scalar(d, 0.5)
    elif approximate == "tanh":
        inner = (d + d * d * d * _scalar(d, 0.044715)) * _scalar(d, _SQRT_2_OVER_PI)
        out = d * (xp.tanh(inner) + 1) * _scalar(d, 0.5)
    else:
        raise RuntimeError(f"approximate argument must be either none or tanh. (got {approximate!r})")
    return _unary_op(input, out.astype(d.dtype, copy=False), GeluBackward0, approximate)


def GeluBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    if ctx.data == "none":
        cdf = ((x * (1 / _SQRT_2)).erf() + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return g * (cdf + x * pdf)
    k = _SQRT_2_OVER_PI
    x2 = x * x
    t = ((x + x2 * x * 0.044715) * k).tanh()
    return g * ((t + 1) * 0.5 + x * (1 - t * t) * (0.5 * k) * (x2 * (3 * 0.044715) + 1))


def _sigmoid_array(d):
    xp = _xp(d)
    e = xp.exp(-xp.abs(d))
    return xp.where(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype, copy=False)


def _silu(input):
    d = input._data
    return _unary_op(input, d * _sigmoid_array(d), SiluBackward0)


def SiluBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    s = x.sigmoid()
    return g * (s * (x * (1 - s) + 1))


def silu(input, inplace: bool = False):
    """x * sigmoid(x)."""
    _check_tensor(input, "silu")
    return _maybe_inplace(input, inplace, _silu, "silu_")


def _softplus_array(d, beta, threshold):
    xp = _xp(d)
    z = d * _scalar(d, beta)
    # log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)) never overflows
    soft = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))) / _scalar(d, beta)
    return xp.where(z > threshold, d, soft).astype(d.dtype, copy=False)


def _mish(input):
    d = input._data
    return _unary_op(input, d * _xp(d).tanh(_softplus_array(d, 1.0, 20.0)), MishBackward0)


def MishBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    tsp = softplus(x).tanh()
    return g * (tsp + x * x.sigmoid() * (1 - tsp * tsp))


def mish(input, inplace: bool = False):
    """x * tanh(softplus(x))."""
    return _maybe_inplace(input, inplace, _mish, "mish_")


def _hardswish(input):
    d = input._data
    xp = _xp(d)
    return _unary_op(input, d * xp.minimum(xp.maximum(d + 3, 0), 6) / _scalar(d, 6), HardswishBackward0)


def HardswishBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    mid = x / 3 + 0.5
    return g * where(x < -3, x.new_zeros(()), where(x <= 3, mid, x.new_ones(())))


def hardswish(input, inplace: bool = False):
    """x * relu6(x + 3) / 6."""
    return _maybe_inplace(input, inplace, _hardswish, "hardswish_")


def _hardsigmoid(input):
    d = input._data
    xp = _xp(d)
    return _unary_op(input, xp.minimum(xp.maximum(d + 3, 0), 6) / _scalar(d, 6), HardsigmoidBackward0)


def HardsigmoidBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * ((x > -3) & (x < 3)) * (1 / 6)


def hardsigmoid(input, inplace: bool = False):
    """relu6(x + 3) / 6."""
    return _maybe_inplace(input, inplace, _hardsigmoid, "hardsigmoid_")


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    d = input._data
    return _unary_op(input, _softplus_array(d, beta, threshold), SoftplusBackward0, (beta, threshold))


def SoftplusBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    beta, threshold = ctx.data
    z = x * beta
    return g * where(z > threshold, x.new_ones(()), z.sigmoid())


def logsigmoid(input):
    """log(sigmoid(x)), computed without overflow."""
    d = input._data
    xp = _xp(d)
    out = (xp.minimum(d, 0) - xp.log1p(xp.exp(-xp.abs(d)))).astype(d.dtype, copy=False)
    return _unary_op(input, out, LogSigmoidBackward0)


def LogSigmoidBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * (-x).sigmoid()


def _shrink_mask(x, lambd):
    return x.abs() > lambd


def hardshrink(input, lambd: float = 0.5):
    """x where |x| > lambd, else 0."""
    d = input._data
    return _unary_op(input, _xp(d).where(_xp(d).abs(d) > lambd, d, _scalar(d, 0)), HardshrinkBackward0, lambd)


def HardshrinkBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * _shrink_mask(x, ctx.data)


def softshrink(input, lambd: float = 0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    d = input._data
    xp = _xp(d)
    out = xp.where(d > lambd, d - _scalar(d, lambd), xp.where(d < -lambd, d + _scalar(d, lambd), _scalar(d, 0)))
    return _unary_op(input, out, SoftshrinkBackward0, lambd)


def SoftshrinkBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    return g * _shrink_mask(x, ctx.data)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanh(input):
    return _unary.tanh(input)


def sigmoid(input):
    return _unary.sigmoid(input)


# ---------------------------------------------------------------------------- softmax family
def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """exp(x) / sum(exp(x)) along dim."""
    return _reduce.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """x - logsumexp(x) along dim, computed stably."""
    return _reduce.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """softmax(-x) along dim."""
    if dtype is not None:
        input = input.to(dtype)
    return _reduce.softmax(-input, dim)


def gumbel_softmax(logits, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """softmax((logits + Gumbel noise) / tau); with hard, one-hot in forward and soft gradients in backward."""
    from ..._creation import rand

    u = rand(logits.shape, dtype=logits.dtype, device=logits.device)
    gumbels = -(-(u.clamp(min=1e-20)).log()).log()  # -log(Exponential(1)) samples
    y_soft = _reduce.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = _one_hot_along(y_soft, index, dim)
    return y_hard - y_soft.detach() + y_soft


def _one_hot_along(like, index, dim):
    d = like._data
    xp = _xp(d)
    out = xp.zeros_like(d)
    xp.put_along_axis(out, index._data, 1, axis=dim % d.ndim)
    return wrap(out)

