"""Normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm, local_response_norm.

Batch statistics normalization is two recorded ops with closed-form backwards on arrays:
  _batch_stats_norm  x (N, C, L), statistics per C over (N, L), optional per-C affine (batch/instance norm)
  _row_norm          x (M, K), statistics per row, optional per-K affine (layer/group norm)
Under create_graph their backwards rebuild the same formulas from Tensor ops, so higher derivatives are right.
Normalizing with fixed (running) statistics is a per-channel affine map, written with Tensor ops.
"""

from __future__ import annotations

import math

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record, wrap
from ...ops.inplace import bump_version

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _xp(d):
    return np if d.__class__ is np.ndarray else cupy_module()


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ---------------------------------------------------------------------------- batch statistics op
def _batch_stats_norm(x3: Tensor, w, b, eps: float):
    """(y, mean, biased var): x3 (N, C, L) normalized with its per-C statistics, then y * w + b per C."""
    xd = x3._data
    xp = _xp(xd)
    n = xd.shape[0] * xd.shape[2]
    mean = xp.einsum("ncl->c", xd) / n
    d = xd - mean[:, None]
    var = xp.einsum("ncl,ncl->c", d, d) / n
    invstd = 1.0 / xp.sqrt(var + eps)
    if w is not None:
        d *= (invstd * w._data)[:, None]
    else:
        d *= invstd[:, None]
    if b is not None:
        d += b._data[:, None]
    out = wrap(d)
    if grad_state.enabled and (x3._requires_grad or (w is not None and w._requires_grad)
                               or (b is not None and b._requires_grad)):
        saved = (x3,) if w is None else (x3, w)
        record(out, NativeBatchNormBackward0, (x3, w, b), saved=saved, data=(mean, invstd, eps))
    return out, mean, var


def NativeBatchNormBackward0(ctx, g):
    saved = ctx.saved_tensors
    x3, w = saved[0], (saved[1] if len(saved) > 1 else None)
    need_x, need_w, need_b = ctx.needs_input_grad
    mean, invstd, eps = ctx.data
    if grad_state.enabled:
        return _batch_stats_norm_grads_graph(x3, w, g, eps, need_x, need_w, need_b)
    gd, xd = g._data, x3._data
    xp = _xp(gd)
    N, C, L = xd.shape
    n = N * L
    sg = xp.einsum("ncl->c", gd)
    # two passes over the batch in cache-sized chunks: sum(g * (x - mean)), then the gradient itself
    B = _chunk_rows(xp, N, C * L * xd.itemsize)
    out = xp.empty_like(xd) if need_x else None
    scratch = xp.empty((B, C, L), xd.dtype)
    m = mean[:, None]
    dot = xp.zeros(C, xd.dtype)
    for n0 in range(0, N, B):
        d = out[n0:n0 + B] if need_x else scratch[:min(B, N - n0)]
        xp.subtract(xd[n0:n0 + B], m, out=d)
        dot += xp.einsum("ncl,ncl->c", gd[n0:n0 + B], d)
    sgxhat = dot * invstd  # sum of g * xhat per channel
    gx = None
    if need_x:
        k = invstd if w is None else invstd * w._data
        # gx = k * (g - sg / n - xhat * sgxhat / n), xhat = (x - mean) * invstd
        c_d = (-k * invstd * sgxhat / n)[:, None]
        c_0 = (k * sg / n)[:, None]
        k = k[:, None]
        for n0 in range(0, N, B):
            d = out[n0:n0 + B]
            t = scratch[:d.shape[0]]
            d *= c_d
            xp.multiply(gd[n0:n0 + B], k, out=t)
            d += t
            d -= c_0
        gx = wrap(out)
    return gx, (wrap(sgxhat) if need_w else None), (wrap(sg) if need_b else None)


def _chunk_rows(xp, n_rows: int, row_bytes: int) -> int:
    """Rows per chunk so one chunk (about 1 MB) stays in cache; CuPy takes everything at once."""
    if xp is not np:
        return max(n_rows, 1)
    return max(1, min(n_rows, (1 << 20) // max(row_bytes, 1)))


def _batch_stats_norm_grads_graph(x3, w, g, eps, need_x, need_w, need_b):
    """The backward of _batch_stats_norm in Tensor ops, for create_graph."""
    n = x3.shape[0] * x3.shape[2]
    mean = x3.mean(dim=(0, 2), keepdim=True)
    d = x3 - mean
    invstd = ((d * d).mean(dim=(0, 2), keepdim=True) + eps).rsqrt()
    xhat = d * invstd
    sg = g.sum(dim=(0, 2), keepdim=True)
    sgxhat = (g * xhat).sum(dim=(0, 2), keepdim=True)
    gx = None
    if need_x:
        k = invstd if w is None else invstd * w.view(1, -1, 1)
        gx = k * (g - sg / n - xhat * sgxhat / n)
    return gx, (sgxhat.view(-1) if need_w else None), (sg.view(-1) if need_b else None)


# ---------------------------------------------------------------------------- row statistics op
def _row_norm(x2: Tensor, w, b, eps: float) -> Tensor:
    """x2 (M, K) normalized per row, then y * w + b with w, b of shape (K,)."""
    xd = x2._data
    xp = _xp(xd)
    K = xd.shape[1]
    mean = xd.mean(axis=1)
    d = xd - mean[:, None]
    var = xp.einsum("mk,mk->m", d, d) / K
    invstd = 1.0 / xp.sqrt(var + eps)
    d *= invstd[:, None]
    if w is not None:
        d *= w._data
    if b is not None:
        d += b._data
    out = wrap(d)
    if grad_state.enabled and (x2._requires_grad or (w is not None and w._requires_grad)
                               or (b is not None and b._requires_grad)):
        saved = (x2,) if w is None else (x2, w)
        record(out, NativeLayerNormBackward0, (x2, w, b), saved=saved, data=(mean, invstd, eps))
    return out


def NativeLayerNormBackward0(ctx, g):
    saved = ctx.saved_tensors
    x2, w = saved[0], (saved[1] if len(saved) > 1 else None)
    need_x, need_w, need_b = ctx.needs_input_grad
    mean, invstd, eps = ctx.data
    if grad_state.enabled:
        return _row_norm_grads_graph(x2, w, g, eps, need_x, need_w, need_b)
    gd, xd = g._data, x2._data
    xp = _xp(gd)
    K = xd.shape[1]
    xhat = xd - mean[:, None]
    xhat *= invstd[:, None]
    gw = wrap(xp.einsum("mk,mk->k", gd, xhat)) if need_w else None
    gb = wrap(gd.sum(axis=0)) if need_b else None
    gx = None
    if need_x:
        gxh = gd * w._data if w is not None else gd
        a = gxh.mean(axis=1)
        c = xp.einsum("mk,mk->m", gxh, xhat) / K
        xhat *= -c[:, None]
        xhat += gxh
        xhat -= a[:, None]
        xhat *= invstd[:, None]
        gx = wrap(xhat)
    return gx, gw, gb


def _row_norm_grads_graph(x2, w, g, eps, need_x, need_w, need_b):
    """The backward of _row_norm in Tensor ops, for create_graph."""
    mean = x2.mean(dim=1, keepdim=True)
    d = x2 - mean
    invstd = ((d * d).mean(dim=1, keepdim=True) + eps).rsqrt()
    xhat = d * invstd
    gw = (g * xhat).sum(dim=0) if need_w else None
    gb = g.sum(dim=0) if need_b else None
    gx = None
    if need_x:
        gxh = g * w if w is not None else g
        gx = invstd * (gxh - gxh.mean(dim=1, keepdim=True) - xhat * (gxh * xhat).mean(dim=1, keepdim=True))
    return gx, gw, gb


# ---------------------------------------------------------------------------- helpers
def _channel_view(t: Tensor, ndim: int) -> Tensor:
    """(C,) -> (1, C, 1, ...) to broadcast over (N, C, *S)."""
    return t.view((1, -1) + (1,) * (ndim - 2))


def _affine_fixed_stats(x: Tensor, mean: Tensor, var: Tensor, w, b, eps: float) -> Tensor:
    """(x - mean) / sqrt(var + eps) * w + b per channel with fixed statistics: x * scale + shift."""
    invstd = (var + eps).rsqrt()
    scale = invstd if w is None else invstd * w
    shift = -mean * scale
    if b is not None:
        shift = shift + b
    return x * _channel_view(scale, x.ndim) + _channel_view(shift, x.ndim)


def _update_running(running: Tensor, batch_value, momentum: float) -> None:
    """running <- (1 - momentum) * running + momentum * batch_value, in place, as torch does."""
    with no_grad():
        d = running._data
        d *= 1.0 - momentum
        d += (momentum * batch_value).astype(d.dtype, copy=False)
        bump_version(running)


def _check_float(x: Tensor, name: str):
    if not x.is_floating_point():
        raise RuntimeError(f'"{name}" not implemented for \'{_torch_type_name(x)}\'')


def _torch_type_name(x: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(x.dtype.name, x.dtype.name)


# ---------------------------------------------------------------------------- batch_norm
def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize (N, C, *) per channel C; training uses batch statistics and updates the running ones."""
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {input.ndim}D input)")
    C = input.shape[1]
    if training:
        size = input.shape[0] * math.prod(input.shape[2:])
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
    _check_float(input, "batch_norm")
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        return _affine_fixed_stats(input, running_mean, running_var, weight, bias, eps)
    x3 = input.reshape(input.shape[0], C, -1)
    out, mean, var = _batch_stats_norm(x3, weight, bias, eps)
    n = x3.shape[0] * x3.shape[2]
    if running_mean is not None:
        _update_running(running_mean, mean, momentum)
    if running_var is not None:
        _update_running(running_var, var * (n / max(n - 1, 1)), momentum)
    return out.view(input.shape)


# ---------------------------------------------------------------------------- instance_norm
def instance_norm(input: Tensor, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each (sample, channel) plane of (N, C, *S) by its own statistics."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or more input (got {input.ndim}D input)")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    _check_float(input, "instance_norm")
    N, C = input.shape[:2]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return _affine_fixed_stats(input, running_mean, running_var, weight, bias, eps)
    x3 = input.reshape(1, N * C, -1)
    out, mean, var = _batch_stats_norm(x3, None, None, eps)
    L = x3.shape[2]
    if running_mean is not None:
        _update_running(running_mean, mean.reshape(N, C).mean(axis=0), momentum)
    if running_var is not None:
        _update_running(running_var, (var * (L / max(L - 1, 1))).reshape(N, C).mean(axis=0), momentum)
    out = out.view(input.shape)
    if weight is not None:
        out = out * _channel_view(weight, input.ndim)
    if bias is not None:
        out = out + _channel_view(bias, input.ndim)
    return out


# ---------------------------------------------------------------------------- layer_norm / group_norm
def _norm_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing `normalized_shape` dims, then elementwise weight and bias."""
    shape = _norm_shape(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{_shape_str(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{_shape_str(t.shape)} and normalized_shape = {_shape_str(shape)}")
    _check_float(input, "LayerNormKernelImpl")
    K = math.prod(shape)
    x2 = input.reshape(-1, K)
    out = _row_norm(x2, None if weight is None else weight.reshape(K), None if bias is None else bias.reshape(K),
                    eps)
    return out.view(input.shape)


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize (N, C, *) over groups of C // num_groups channels, then per-channel weight and bias."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    N, C = input.shape[:2]
    if num_groups <= 0 or C % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {_shape_str(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {_shape_str(t.shape)} and input of shape "
                               f"{_shape_str(input.shape)}")
    _check_float(input, "GroupNormKernelImpl")
    x2 = input.reshape(N * num_groups, -1)
    out = _row_norm(x2, None, None, eps).view(input.shape)
    if weight is not None:
        out = out * _channel_view(weight, input.ndim)
    if bias is not None:
        out = out + _channel_view(bias, input.ndim)
    return out


# ---------------------------------------------------------------------------- rms_norm / local_response_norm
def rms_norm(input: Tensor, normalized_shape, weight=None, eps=None) -> Tensor:
    """x / sqrt(mean(x^2 over the trailing dims) + eps) * weight; eps None = the dtype's machine epsilon."""
    shape = _norm_shape(normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{_shape_str(input.shape)}")
    if eps is None:
        eps = float(np.finfo(np.dtype(input._data.dtype)).eps) if input.is_floating_point() else 1.1920928955078125e-07
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * (input * input).mean(dim=dims, keepdim=True).add(eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Normalize each channel by the (alpha-scaled) mean square of its `size` neighbouring channels."""
    from ._padding import pad
    from ._pooling import avg_pool2d, avg_pool3d

    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div

