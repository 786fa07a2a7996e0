"""Reductions over `dim` (None = all) with `keepdim`: sum/nansum/mean/prod, std/var, norm, logsumexp,
amax/amin/aminmax, max/min/median with indices, argmax/argmin, all/any; scans cumsum/cumprod; softmax.

Integer and bool sums and products are int64, as torch. The backward of a reduction re-inserts the
reduced dims (`expand_back`) and broadcasts the incoming gradient over them. Backwards are written
with Tensor ops so that they are differentiable again.
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import math
import warnings

import numpy as np

from .. import _dtype
from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import float_array, norm_dims, record1, wrap, wrap_dim

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _quiet(d):
    """NumPy's divide/invalid warnings off: 0/0 -> nan and x/0 -> inf are the intended results here."""
    return np.errstate(divide="ignore", invalid="ignore") if d.__class__ is _ndarray else contextlib.nullcontext()


def _axes(dim, ndim):
    """dim -> numpy axis argument (None or tuple); empty dim lists mean all dims, as torch.

    A 0-d tensor accepts dim 0 and -1 (checked here) and reduces over "all" of itself."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    dims = norm_dims(dim, ndim)
    return dims if ndim else None


def _one_dim(dim, ndim):
    """A single reduction dim, wrapped; None for a 0-d tensor (after checking dim is 0 or -1)."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")
    d = wrap_dim(int(dim), ndim)
    return d if ndim else None


def _count(shape, axes):
    """How many elements each output element reduces over."""
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _reduced_shape(shape, axes, keepdim):
    axes = range(len(shape)) if axes is None else axes
    return tuple(1 if i in axes else s for i, s in enumerate(shape) if keepdim or i not in axes)


def _legacy_name(dt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(dt.name, dt.name)


def _accumulate_dtype(d, dtype):
    """The array cast for sum/prod/cumsum/cumprod: `dtype` if given, else integers and bools as int64."""
    if dtype is not None:
        return d.astype(_dtype.to_dtype(dtype).np, copy=False)
    if d.dtype.kind in "biu":
        return d.astype(np.int64)
    return d


def _require_float(input, name):
    if not input.is_floating_point():
        raise RuntimeError(f"{name}: Expected a floating point tensor as input. Got {_legacy_name(input.dtype)}")


def expand_back(g: Tensor, in_shape, axes, keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back to the input's shape."""
    gd = g._data
    if not grad_state.enabled and gd.__class__ is np.ndarray and gd.size == 1 and math.prod(in_shape) <= 4096:
        # the common loss.backward() start: filling a small array beats building a broadcast view
        out = np.empty(in_shape, dtype=gd.dtype)
        out.fill(gd.reshape(()).item())
        return wrap(out)
    if not keepdim and in_shape:
        kept = list(in_shape)
        for a in (range(len(in_shape)) if axes is None else axes):
            kept[a] = 1
        g = g.reshape(tuple(kept))
    return g.expand(in_shape)


def return_type(name, fields=("values", "indices")):
    """A namedtuple class like torch.return_types.<name>."""
    return type(name, (collections.namedtuple(name, fields),), {"__slots__": ()})


max_result = return_type("max")
min_result = return_type("min")
median_result = return_type("median")
nanmedian_result = return_type("nanmedian")
aminmax_result = return_type("aminmax", ("min", "max"))


# ---------------------------------------------------------------------------- sum / mean / prod
def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    d = input._data
    axes = _axes(dim, d.ndim)
    a = _accumulate_dtype(d, dtype)
    out = wrap(a.sum(axis=axes, keepdims=keepdim, dtype=a.dtype))  # NumPy would widen int32
    if grad_state.enabled and input._requires_grad:
        record1(out, SumBackward0, input, data=(d.shape, axes, keepdim))
    return out


def SumBackward0(ctx, g):
    shape, axes, keepdim = ctx.data
    return expand_back(g, shape, axes, keepdim)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """sum with NaN counted as zero (NaN positions get a zero gradient)."""
    if input.is_floating_point():
        input = input.masked_fill(input.isnan(), 0)
    return sum(input, dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    d = input._data
    if dtype is not None:
        d = d.astype(_dtype.to_dtype(dtype).np, copy=False)
    if d.dtype.kind in "biu":
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(f"mean(): could not infer output dtype. {which} dtype must be either a floating point or "
                           f"complex dtype. Got: {_legacy_name(_dtype.from_numpy_dtype(d.dtype))}")
    axes = _axes(dim, d.ndim)
    n = _count(d.shape, axes)
    if n and (d.dtype == np.float32 or d.dtype == np.float64):
        res = d.sum(axis=axes, keepdims=keepdim) / n  # what ndarray.mean computes, without its Python overhead
    elif n:
        res = d.mean(axis=axes, keepdims=keepdim)  # 16-bit floats accumulate in float32 there
    else:  # the mean of nothing is nan, as torch (NumPy would warn)
        res = _xp(d).full(_reduced_shape(d.shape, axes, keepdim), np.nan, dtype=d.dtype)
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, MeanBackward0, input, data=(d.shape, axes, keepdim, n))
    return out


def MeanBackward0(ctx, g):
    shape, axes, keepdim, n = ctx.data
    gd = g._data
    if n and not grad_state.enabled and gd.__class__ is np.ndarray and gd.size == 1 and math.prod(shape) <= 4096:
        out = np.empty(shape, dtype=gd.dtype)  # loss.mean().backward(): one fill, no divide-then-expand
        out.fill(gd.reshape(()) / gd.dtype.type(n))
        return wrap(out)
    return expand_back(g / n if n else g, shape, axes, keepdim)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """mean over the non-NaN elements."""
    keep = ~input.isnan()
    return sum(input.masked_fill(~keep, 0), dim, keepdim, dtype=dtype) / sum(keep, dim, keepdim)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Product over one dim (or all elements); the gradient is exact when the input holds zeros."""
    d = input._data
    a = _accumulate_dtype(d, dtype)
    ax = None if dim is None else _one_dim(dim, d.ndim)
    if ax is None:
        res = a.prod(dtype=a.dtype)
        if keepdim and dim is not None:
            res = res.reshape((1,) * d.ndim)
    else:
        res = a.prod(axis=ax, keepdims=keepdim, dtype=a.dtype)
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, ProdBackward0 if ax is None else ProdBackward1, input, saved=(input, out),
                data=(ax, keepdim))
    return out


def ProdBackward0(ctx, g):
    x, out = ctx.saved_tensors
    if x.numel() == 0 or not bool((x == 0).any()):
        return g * out / x
    return (g * _prod_of_others(x.reshape(-1), 0)).reshape(x.shape)


def ProdBackward1(ctx, g):
    x, out = ctx.saved_tensors
    ax, keepdim = ctx.data
    if not keepdim:
        g, out = g.unsqueeze(ax), out.unsqueeze(ax)
    if x.numel() == 0 or not bool((x == 0).any()):
        return g * out / x
    return g * _prod_of_others(x, ax)


def _prod_of_others(x, ax):
    """Element i -> the product of all other elements along ax, by exclusive scans (no division by zero)."""
    n = x.shape[ax]
    one_shape = list(x.shape)
    one_shape[ax] = 1
    ones = x.new_ones(one_shape)
    from .shape import cat

    left = cat([ones, x.narrow(ax, 0, n - 1)], ax).cumprod(ax)  # x0 * ... * x(i-1)
    right = cat([x.narrow(ax, 1, n - 1), ones], ax).flip(ax).cumprod(ax).flip(ax)  # x(i+1) * ... * x(n-1)
    return left * right


# ---------------------------------------------------------------------------- var / std
def _var_args(name, dim, unbiased, keepdim, correction):
    """Sort out torch's overloads: var(x, unbiased), var(x, dim, unbiased, keepdim), var(x, dim, correction=)."""
    if isinstance(dim, bool):  # var(x, True): the legacy positional `unbiased`
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: give either `unbiased` or "
                        f"`correction`, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, keepdim, correction


def _moments(input, dim, keepdim, correction, name):
    """(var array, axes, n) for var/std, in the input's floating dtype."""
    if not input.is_floating_point():
        raise RuntimeError("std and var only support floating point and complex dtypes")
    d = input._data
    axes = _axes(dim, d.ndim)
    n = _count(d.shape, axes)
    if n - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      f"reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    with _quiet(d):
        mu = d.sum(axis=axes, keepdims=True) / d.dtype.type(n)
        dev = d - mu
        ss = (dev * dev).sum(axis=axes, keepdims=keepdim)
        var_ = ss / d.dtype.type(builtins.max(n - correction, 0))
    return var_.astype(d.dtype, copy=False), axes, n


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance: sum((x - mean)^2) / (N - correction); `unbiased=False` is correction 0."""
    dim, keepdim, correction = _var_args("var", dim, unbiased, keepdim, correction)
    res, axes, n = _moments(input, dim, keepdim, correction, "var")
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, VarBackward0, input, saved=(input,), data=(axes, keepdim, n - correction))
    return out


def VarBackward0(ctx, g):
    (x,) = ctx.saved_tensors
    axes, keepdim, dof = ctx.data
    return _var_grad(x, g, axes, keepdim, dof)


def _var_grad(x, g, axes, keepdim, dof):
    scale = 2.0 / dof if dof else math.inf  # torch divides by N - correction here, which may be 0
    centered = x - mean(x, axes, keepdim=True)
    return expand_back(g, x.shape, axes, keepdim) * centered * scale


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation; its gradient is 0 (not NaN) where the deviation is 0."""
    dim, keepdim, correction = _var_args("std", dim, unbiased, keepdim, correction)
    res, axes, n = _moments(input, dim, keepdim, correction, "std")
    out = wrap(_xp(input._data).sqrt(res))
    if grad_state.enabled and input._requires_grad:
        record1(out, StdBackward0, input, saved=(input, out), data=(axes, keepdim, n - correction))
    return out


def StdBackward0(ctx, g):
    x, out = ctx.saved_tensors
    axes, keepdim, dof = ctx.data
    zero = out == 0
    g_var = (g / (2 * out.masked_fill(zero, 1))).masked_fill(zero, 0)  # d std = d var / (2 std)
    return _var_grad(x, g_var, axes, keepdim, dof)


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(var, mean) over the same dims."""
    dim, keepdim, correction = _var_args("var_mean", dim, unbiased, keepdim, correction)
    return var(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(std, mean) over the same dims."""
    dim, keepdim, correction = _var_args("std_mean", dim, unbiased, keepdim, correction)
    return std(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim)


# ---------------------------------------------------------------------------- norms
def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """torch.norm: a vector p-norm over `dim` (all elements by default); 'fro' is the 2-norm."""
    if out is not None:
        raise TypeError("norm(): the out= argument is not supported")
    if p is None:
        p = 2
    if isinstance(p, str):
        if p == "fro":
            if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) > 2:
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
            p = 2
        elif p == "nuc":
            raise NotImplementedError("norm(p='nuc'): the nuclear norm needs an SVD, which ember does not have yet")
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def vector_norm(input, ord=2, dim=None, keepdim: bool = False, *, dtype=None):
    """(sum |x|^ord)^(1/ord) over dim; ord may be inf (max |x|), -inf (min |x|) or 0 (count of non-zeros)."""
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_legacy_name(input.dtype)}")
    p = float(ord)
    d = input._data
    axes = _axes(dim, d.ndim)
    xp = _xp(d)
    a = xp.abs(d)
    if math.isinf(p) and _count(d.shape, axes) == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                           "does not have an identity")
    if p == 2:
        res = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
    elif p == 1:
        res = a.sum(axis=axes, keepdims=keepdim)
    elif p == math.inf:
        res = a.max(axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        res = a.min(axis=axes, keepdims=keepdim)
    elif p == 0:
        res = (a != 0).sum(axis=axes, keepdims=keepdim).astype(d.dtype)
    else:
        with _quiet(d):
            res = (a ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
    out = wrap(xp.asarray(res, dtype=d.dtype))
    if grad_state.enabled and input._requires_grad:
        record1(out, LinalgVectorNormBackward0, input, saved=(input, out), data=(p, axes, keepdim))
    return out


def LinalgVectorNormBackward0(ctx, g):
    """torch's norm_backward; every division is guarded so the zero vector gets 0, not NaN."""
    x, out = ctx.saved_tensors
    p, axes, keepdim = ctx.data
    g = expand_back(g, x.shape, axes, keepdim)
    nrm = expand_back(out, x.shape, axes, keepdim)
    if p == 0:
        return x.new_zeros(x.shape)
    if p == 1:
        return g * x.sign()
    zero_norm = nrm == 0
    safe_norm = nrm.masked_fill(zero_norm, 1)
    if p == 2:
        return (g * x / safe_norm).masked_fill(zero_norm, 0)
    if math.isinf(p):
        ax = x.abs()
        hit = (ax == nrm) | ax.isnan()  # ties share the gradient, as amax
        n_hit = expand_back(hit.sum(axes, keepdim=keepdim), x.shape, axes, keepdim)
        return x.sign() * hit * g / n_hit
    x_zero = x == 0
    safe_abs = x.abs().masked_fill(x_zero, 1)
    if p < 1:  # a zero entry makes the norm 0 and keeps it there: nrm ** (1 - p) is that zero gradient
        scaled = (x.sign() * safe_abs ** (p - 1)).masked_fill(x_zero, 0)
        return scaled * g * nrm ** (1 - p)
    scaled = x.sign() * safe_abs ** (p - 1)
    return (scaled * g / safe_norm ** (p - 1)).masked_fill(zero_norm, 0)


# ---------------------------------------------------------------------------- logsumexp / softmax
def logsumexp(input, dim, keepdim: bool = False):
    """log(sum(exp(x))) over dim, computed around the max so large inputs don't overflow."""
    d = float_array(input._data)
    xp = _xp(d)
    axes = _axes(dim, d.ndim)
    if _count(d.shape, axes) == 0:
        res = xp.full(_reduced_shape(d.shape, axes, keepdim), -np.inf, dtype=d.dtype)
    else:
        m = d.max(axis=axes, keepdims=True)
        m = xp.where(xp.isinf(m), 0, m).astype(d.dtype, copy=False)  # all -inf (or an inf) must not give inf - inf
        with _quiet(d):
            res = xp.log(xp.exp(d - m).sum(axis=axes, keepdims=True)) + m
        if not keepdim:
            res = res.reshape(_reduced_shape(d.shape, axes, False))
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, LogsumexpBackward0, input, saved=(input, out), data=(axes, keepdim))
    return out


def LogsumexpBackward0(ctx, g):
    x, out = ctx.saved_tensors
    axes, keepdim = ctx.data
    lse = expand_back(out, x.shape, axes, keepdim)
    lse = lse.masked_fill(lse.isneginf(), 0)  # all inputs -inf: the weights are 0, not nan
    return expand_back(g, x.shape, axes, keepdim) * (x - lse).exp()


def _softmax_dim(dim, ndim, name):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                      f"as an argument.", UserWarning, stacklevel=3)
        return 0 if ndim in (0, 1, 3) else 1
    return dim


def _softmax_input(input, dim, dtype, name):
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise NotImplementedError(f"{name}(): expected a floating point input, got {_legacy_name(input.dtype)} "
                                  f"(pass dtype= to compute in a floating type)")
    d = input._data
    ax = _one_dim(_softmax_dim(dim, d.ndim, name), d.ndim)
    return input, d, ax


def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along dim, shifted by the max for stability."""
    input, d, ax = _softmax_input(input, dim, dtype, "softmax")
    xp = _xp(d)
    if ax is None or d.size == 0:
        res = xp.ones_like(d) if ax is None else d.copy()
    else:
        e = xp.exp(d - d.max(axis=ax, keepdims=True))
        res = e / e.sum(axis=ax, keepdims=True)
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, SoftmaxBackward0, input, saved=(out,), data=ax)
    return out


def SoftmaxBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    ax = ctx.data
    if ax is None:
        return g * 0
    return out * (g - (g * out).sum(ax, keepdim=True))


def log_softmax(input, dim=None, dtype=None):
    """x - logsumexp(x) along dim."""
    input, d, ax = _softmax_input(input, dim, dtype, "log_softmax")
    xp = _xp(d)
    if ax is None or d.size == 0:
        res = xp.zeros_like(d) if ax is None else d.copy()
    else:
        shifted = d - d.max(axis=ax, keepdims=True)
        res = shifted - xp.log(xp.exp(shifted).sum(axis=ax, keepdims=True))
    out = wrap(res)
    if grad_state.enabled and input._requires_grad:
        record1(out, LogSoftmaxBackward0, input, saved=(out,), data=ax)
    return out


def LogSoftmaxBackward0(ctx, g):
    (out,) = ctx.saved_tensors
    ax = ctx.data
    if ax is None:
        return g * 0
    return g - out.exp() * g.sum(ax, keepdim=True)


# ---------------------------------------------------------------------------- cumsum / cumprod
def cumsum(input, dim, *, dtype=None):
    d = input._data
    ax = _one_dim(dim, d.ndim)
    a = _accumulate_dtype(d, dtype)
    out = wrap(a.copy() if ax is None else _xp(a).cumsum(a, axis=ax, dtype=a.dtype))
    if grad_state.enabled and input._requires_grad:
        record1(out, CumsumBackward0, input, data=ax)
    return out


def CumsumBackward0(ctx, g):
    return g if ctx.data is None else _reverse_cumsum(g, ctx.data)


def _reverse_cumsum(t, ax):
    return t.flip(ax).cumsum(ax).flip(ax)


def cumprod(input, dim, *, dtype=None):
    d = input._data
    ax = _one_dim(dim, d.ndim)
    a = _accumulate_dtype(d, dtype)
    out = wrap(a.copy() if ax is None else _xp(a).cumprod(a, axis=ax, dtype=a.dtype))
    if grad_state.enabled and input._requires_grad:
        record1(out, CumprodBackward0, input, saved=(input, out), data=ax)
    return out


def CumprodBackward0(ctx, g):
    """d out_j / d x_i = prod_{m <= j, m != i} x_m, summed over j >= i; exact with zeros in x."""
    x, out = ctx.saved_tensors
    ax = ctx.data
    if ax is None or x.numel() == 0:
        return g
    if not bool((x == 0).any()):
        return _reverse_cumsum(g * out, ax) / x
    # with zeros, no division: grad_i = (x_0 ... x_(i-1)) * h_i where h_i = g_i + x_(i+1) * h_(i+1).
    # Written as a polynomial in x, so its own derivative (double backward) is right at the zeros too.
    from .shape import cat, stack

    n = x.shape[ax]
    h = [g.select(ax, n - 1)]
    for i in range(n - 2, -1, -1):
        h.append(g.select(ax, i) + x.select(ax, i + 1) * h[-1])
    one_shape = list(x.shape)
    one_shape[ax] = 1
    before = cat([x.new_ones(one_shape), x.narrow(ax, 0, n - 1)], ax).cumprod(ax)  # x_0 * ... * x_(i-1)
    return before * stack(h[::-1], ax)


# ---------------------------------------------------------------------------- amax / amin / aminmax
def _check_nonempty(d, axes, name):
    """An empty reduction has no identity for max/min: torch's errors (RuntimeError for all dims of amax/max)."""
    if d.size == 0 and axes is None:
        if name.startswith("arg"):
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument.")
    if d.size == 0:
        empty = [a for a in axes if d.shape[a] == 0]
        if empty:
            raise IndexError(f"{name}(): Expected reduction dim {empty[0]} to have non-zero size.")


def _amax_amin(input, dim, keepdim, is_max, name):
    d = input._data
    axes = _axes(dim, d.ndim)
    _check_nonempty(d, axes, name)
    out = wrap(d.max(axis=axes, keepdims=keepdim) if is_max else d.min(axis=axes, keepdims=keepdim))
    if grad_state.enabled and input._requires_grad:
        record1(out, AmaxBackward0 if is_max else AminBackward0, input, saved=(input, out), data=(axes, keepdim))
    return out


def amax(input, dim=(), keepdim: bool = False):
    return _amax_amin(input, dim, keepdim, True, "amax")


def amin(input, dim=(), keepdim: bool = False):
    return _amax_amin(input, dim, keepdim, False, "amin")


def evenly_distribute_backward(g, x, out, axes, keepdim):
    """Gradient of a reduction that picks a value: ties (and NaNs, when the result is NaN) share it equally."""
    out_b = expand_back(out, x.shape, axes, keepdim)
    mask = (x == out_b) | (x.isnan() & out_b.isnan())
    count = expand_back(mask.sum(axes, keepdim=keepdim), x.shape, axes, keepdim)
    return expand_back(g, x.shape, axes, keepdim) * mask / count


def AmaxBackward0(ctx, g):
    x, out = ctx.saved_tensors
    return evenly_distribute_backward(g, x, out, *ctx.data)


def AminBackward0(ctx, g):
    x, out = ctx.saved_tensors
    return evenly_distribute_backward(g, x, out, *ctx.data)


def aminmax(input, *, dim=None, keepdim: bool = False):
    """(min, max) in one call."""
    d = input._data
    axes = _axes(dim, d.ndim)
    if d.size == 0 and (axes is None or builtins.any(d.shape[a] == 0 for a in axes)):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    if dim is not None:
        _one_dim(dim, d.ndim)
    return aminmax_result(amin(input, () if dim is None else dim, keepdim),
                          amax(input, () if dim is None else dim, keepdim))


# ---------------------------------------------------------------------------- max / min / median with indices
def take_along(input, idx, ax, keepdim, backward, result_type):
    """(values, indices) picked by `idx` (keepdims-shaped, int64) along ax; the gradient flows to those values."""
    d = input._data
    xp = _xp(d)
    if ax is None:  # 0-d input: the value itself, index 0
        vals, idx = d.copy(), xp.zeros((), dtype=np.int64)
    else:
        vals = xp.take_along_axis(d, idx, axis=ax)
        if not keepdim:
            vals, idx = vals.squeeze(ax), idx.squeeze(ax)
    values, indices = wrap(vals), wrap(idx.astype(np.int64, copy=False))
    if grad_state.enabled and input._requires_grad:
        record1(values, backward, input, saved=(indices,), data=(d.shape, ax, keepdim))
    return result_type(values, indices)


def value_selecting_backward(ctx, g):
    """Scatter the gradient back to the positions the indices picked."""
    (indices,) = ctx.saved_tensors
    shape, ax, keepdim = ctx.data
    if ax is None:
        return g.reshape(shape)
    if not keepdim:
        g, indices = g.unsqueeze(ax), indices.unsqueeze(ax)
    return g.new_zeros(shape).scatter(ax, indices, g)


def MaxBackward0(ctx, g):
    return value_selecting_backward(ctx, g)


def MinBackward0(ctx, g):
    return value_selecting_backward(ctx, g)


def MedianBackward1(ctx, g):
    return value_selecting_backward(ctx, g)


def NanmedianBackward1(ctx, g):
    return value_selecting_backward(ctx, g)


def reduction_dim(input, dim, name):
    """Wrapped dim for a (values, indices) reduction; IndexError when that dim is empty."""
    d = input._data
    ax = _one_dim(dim, d.ndim)
    if ax is not None and d.shape[ax] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")
    return ax


def _max_min(input, dim, keepdim, other, is_max):
    from .compare import maximum, minimum

    if isinstance(dim, Tensor):  # max(a, b) spelled as max(input, other)
        other, dim = dim, None
    if other is not None:
        return maximum(input, other) if is_max else minimum(input, other)
    name = "max" if is_max else "min"
    if dim is None:
        return _amax_amin(input, (), False, is_max, name)
    ax = reduction_dim(input, dim, name)
    idx = None
    if ax is not None:
        d = input._data
        idx = (_xp(d).argmax if is_max else _xp(d).argmin)(d, axis=ax, keepdims=True)
    return take_along(input, idx, ax, keepdim, MaxBackward0 if is_max else MinBackward0,
                      max_result if is_max else min_result)


def max(input, dim=None, keepdim: bool = False, *, other=None):
    return _max_min(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim: bool = False, *, other=None):
    return _max_min(input, dim, keepdim, other, False)


def _arg_extremum(input, dim, keepdim, is_max):
    d = input._data
    xp = _xp(d)
    fn = xp.argmax if is_max else xp.argmin
    name = "argmax" if is_max else "argmin"
    if dim is None:
        _check_nonempty(d, None, name)
        r = xp.asarray(fn(d.reshape(-1)), dtype=np.int64)
        return wrap(r.reshape((1,) * d.ndim if keepdim else ()))
    ax = reduction_dim(input, dim, name)
    if ax is None:
        return wrap(xp.zeros((), dtype=np.int64))
    return wrap(fn(d, axis=ax, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim: bool = False):
    return _arg_extremum(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim: bool = False):
    return _arg_extremum(input, dim, keepdim, False)


def _median_index(d, ax, ignore_nan):
    """Index (keepdims along ax) of the lower median; NaN propagates unless ignore_nan (nanmedian)."""
    from .sort import stable_argsort

    xp = _xp(d)
    n = d.shape[ax]
    order = stable_argsort(d, ax)  # NaN sorts last
    if d.dtype.kind != "f":
        k = (n - 1) // 2
        return order[(slice(None),) * ax + (slice(k, k + 1),)]
    n_nan = xp.isnan(d).sum(axis=ax, keepdims=True)
    if ignore_nan:  # the median of the non-NaN values; an all-NaN slice gives its first NaN
        pos = xp.maximum(n - n_nan - 1, 0) // 2
    else:  # any NaN makes the median NaN: point at the first NaN
        pos = xp.where(n_nan > 0, n - n_nan, (n - 1) // 2)
    return xp.take_along_axis(order, pos.astype(np.int64), axis=ax)


def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    d = input._data
    if d.dtype == np.bool_:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    if dim is None:
        flat = d.reshape(-1)
        if flat.size == 0:
            res = _xp(d).full((), np.nan, dtype=float_array(d).dtype)
        else:
            res = flat[_median_index(flat, 0, ignore_nan)].reshape(())
        out = wrap(res)
        if grad_state.enabled and input._requires_grad:
            record1(out, MedianBackward0 if not ignore_nan else NanmedianBackward0, input, saved=(input, out))
        return out
    ax = reduction_dim(input, dim, name)
    idx = None if ax is None else _median_index(d, ax, ignore_nan)
    return take_along(input, idx, ax, keepdim, NanmedianBackward1 if ignore_nan else MedianBackward1,
                      nanmedian_result if ignore_nan else median_result)


def MedianBackward0(ctx, g):
    x, out = ctx.saved_tensors
    return evenly_distribute_backward(g, x, out, None, False)


def NanmedianBackward0(ctx, g):
    x, out = ctx.saved_tensors
    return evenly_distribute_backward(g, x, out, None, False)


def median(input, dim=None, keepdim: bool = False):
    """Lower median of all elements, or (values, indices) along dim; NaN if the slice holds a NaN."""
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim: bool = False):
    """median that ignores NaN."""
    return _median(input, dim, keepdim, True)


# ---------------------------------------------------------------------------- logical reductions
def _logical_reduce(input, dim, keepdim, is_all):
    d = input._data
    b = d.astype(bool, copy=False)
    axes = _axes(dim, d.ndim)
    res = b.all(axis=axes, keepdims=keepdim) if is_all else b.any(axis=axes, keepdims=keepdim)
    return wrap(res.astype(np.uint8) if d.dtype == np.uint8 else res)  # torch keeps uint8 for uint8 input


def all(input, dim=None, keepdim: bool = False):
    return _logical_reduce(input, dim, keepdim, True)


def any(input, dim=None, keepdim: bool = False):
    return _logical_reduce(input, dim, keepdim, False)


def count_nonzero(input, dim=None):
    d = input._data
    return wrap(_xp(d).asarray(_xp(d).count_nonzero(d, axis=_axes(dim, d.ndim)), dtype=np.int64))
