"""Pooling: max/avg pool 1d-3d, adaptive avg/max pool, max_unpool, lp_pool, as torch.nn.functional.

The array work is in ember.backends.pooling. Each pool is a recorded op whose backward is its adjoint,
itself a recorded op whose backward is the pool again, so double backward works:
  max pool  <-> scatter through the argmax offsets      avg pool <-> window-sum adjoint
  plane gather (adaptive max, unpool backward) <-> plane scatter-add
Adaptive average pooling over windows that do not tile the input is a product of averaging matrices.
"""

from __future__ import annotations

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...backends import pooling as _kernels
from ...ops._util import record1, wrap
from ._conv import _tuple_arg

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d"]


def _xp(d):
    return np if d.__class__ is np.ndarray else cupy_module()


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ---------------------------------------------------------------------------- max pool ops
def _max_pool(x: Tensor, geo, need_indices: bool, name: str):
    need_arg = need_indices or (grad_state.enabled and x._requires_grad)
    out_d, arg = _kernels.max_pool_forward(x._data, geo, need_arg)
    out = wrap(out_d)
    if grad_state.enabled and x._requires_grad:
        record1(out, _MAX_BACKWARDS[name], x, data=(arg, geo))
    indices = wrap(_kernels.flat_indices(arg, geo)) if need_indices else None
    return out, indices


def _max_pool_scatter(g: Tensor, arg, geo) -> Tensor:
    out = wrap(_kernels.max_pool_backward(g._data, arg, geo))
    if grad_state.enabled and g._requires_grad:
        record1(out, MaxPoolBackwardBackward0, g, data=(arg, geo))
    return out


def MaxPoolBackwardBackward0(ctx, gg):
    arg, geo = ctx.data
    return _max_pool_take(gg, arg, geo)


def _max_pool_take(gg: Tensor, arg, geo) -> Tensor:
    out = wrap(_kernels.max_pool_gather(gg._data, arg, geo))
    if grad_state.enabled and gg._requires_grad:
        record1(out, MaxPoolTakeBackward0, gg, data=(arg, geo))
    return out


def MaxPoolTakeBackward0(ctx, g):
    arg, geo = ctx.data
    return _max_pool_scatter(g, arg, geo)


def _max_backward_fn(name):
    def backward(ctx, g):
        arg, geo = ctx.data
        return _max_pool_scatter(g, arg, geo)

    backward.__name__ = name
    return backward


_MAX_BACKWARDS = {f"MaxPool{d}DWithIndicesBackward0": _max_backward_fn(f"MaxPool{d}DWithIndicesBackward0")
                  for d in (1, 2, 3)}


# ---------------------------------------------------------------------------- avg pool ops
def _divide(xp, s, div):
    if isinstance(div, float):
        if div != 1.0:
            s /= s.dtype.type(div)
        return s
    s /= xp.asarray(div.astype(s.dtype))
    return s


def _avg_pool(x: Tensor, geo, div, name: str) -> Tensor:
    d = x._data
    out = wrap(_divide(_xp(d), _kernels.window_sum(d, geo), div))
    if grad_state.enabled and x._requires_grad:
        record1(out, _AVG_BACKWARDS[name], x, data=(geo, div, name))
    return out


def _avg_pool_adjoint(g: Tensor, geo, div, name: str) -> Tensor:
    d = g._data
    scaled = _divide(_xp(d), d.copy(), div)
    out = wrap(_kernels.window_sum_adjoint(scaled, geo))
    if grad_state.enabled and g._requires_grad:
        record1(out, AvgPoolBackwardBackward0, g, data=(geo, div, name))
    return out


def AvgPoolBackwardBackward0(ctx, gg):
    geo, div, name = ctx.data
    return _avg_pool(gg, geo, div, name)


def _avg_backward_fn(name):
    def backward(ctx, g):
        geo, div, name_ = ctx.data
        return _avg_pool_adjoint(g, geo, div, name_)

    backward.__name__ = name
    return backward


_AVG_BACKWARDS = {f"AvgPool{d}DBackward0": _avg_backward_fn(f"AvgPool{d}DBackward0") for d in (1, 2, 3)}


# ---------------------------------------------------------------------------- plane gather / scatter ops
def _plane_take(x: Tensor, idx, D: int) -> Tensor:
    out = wrap(_kernels.plane_take(x._data, idx, D))
    if grad_state.enabled and x._requires_grad:
        record1(out, GatherBackward0, x, data=(idx, tuple(x._data.shape[-D:])))
    return out


def GatherBackward0(ctx, g):
    idx, spatial = ctx.data
    return _plane_scatter_add(g, idx, spatial)


def _plane_scatter_add(g: Tensor, idx, spatial) -> Tensor:
    out = wrap(_kernels.plane_scatter_add(g._data, idx, spatial))
    if grad_state.enabled and g._requires_grad:
        record1(out, ScatterAddBackward0, g, data=(idx, len(spatial)))
    return out


def ScatterAddBackward0(ctx, gg):
    idx, D = ctx.data
    return _plane_take(gg, idx, D)


# ---------------------------------------------------------------------------- argument checks
def _pool_input(input, n: int, name: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    non_batch = input.shape[1:] if input.ndim == n + 2 else input.shape
    if input.ndim not in (n + 1, n + 2) or any(s == 0 for s in non_batch):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got: {_shape_str(input.shape)}")


def _pool_args(kernel_size, stride, padding, dilation, n: int):
    kernel = _tuple_arg(kernel_size, n, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _tuple_arg(stride, n, "stride")
    padding = _tuple_arg(padding, n, "padding")
    dilation = _tuple_arg(dilation, n, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel_size must be greater than zero, but got {kernel}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero" if any(s == 0 for s in stride) else
                           f"stride must be greater than zero, but got {stride}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation must be greater than zero, but got {dilation}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    return kernel, stride, padding, dilation


def _check_out(x: Tensor, geo, n: int):
    if any(o <= 0 for o in geo.OS):
        c = x.shape[1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + tuple(x.shape[2:])))}). Calculated output "
                           f"size: ({'x'.join(map(str, (c,) + tuple(geo.OS)))}). Output size is too small")


def _batched(input, n):
    return (input, True) if input.ndim == n + 2 else (input.unsqueeze(0), False)


# ---------------------------------------------------------------------------- max pool
def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, n):
    name = f"max_pool{n}d"
    _pool_input(input, n, name)
    kernel, stride, padding, dilation = _pool_args(kernel_size, stride, padding, dilation, n)
    x, batched = _batched(input, n)
    geo = _kernels.pool_geometry(x.shape[2:], kernel, stride, padding, dilation, bool(ceil_mode))
    _check_out(x, geo, n)
    out, idx = _max_pool(x, geo, return_indices, f"MaxPool{n}DWithIndicesBackward0")
    if not batched:
        out = out.squeeze(0)
        idx = idx.squeeze(0) if idx is not None else None
    return (out, idx) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, L); with return_indices also each maximum's position."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, H, W); indices are flat positions in each H*W plane."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, D, H, W)."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, True, 1)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, True, 2)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, True, 3)


# ---------------------------------------------------------------------------- avg pool
def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n):
    name = f"avg_pool{n}d"
    _pool_input(input, n, name)
    kernel, stride, padding, _ = _pool_args(kernel_size, stride, padding, 1, n)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, batched = _batched(input, n)
    geo = _kernels.pool_geometry(x.shape[2:], kernel, stride, padding, (1,) * n, bool(ceil_mode))
    _check_out(x, geo, n)
    if not x.is_floating_point():
        raise RuntimeError(f'"{name}" not implemented for \'{x.dtype}\'')
    div = _kernels.avg_divisor(geo, bool(count_include_pad), divisor_override)
    out = _avg_pool(x, geo, div, f"AvgPool{n}DBackward0")
    return out if batched else out.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of (N, C, L)."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of (N, C, H, W); count_include_pad counts zero padding in the divisor."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of (N, C, D, H, W)."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3)


# ---------------------------------------------------------------------------- adaptive pools
def _adaptive_sizes(input, output_size, n: int, name: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got {_shape_str(input.shape)}")
    if isinstance(output_size, (list, tuple)):
        if len(output_size) == 1 and n != 1:
            output_size = tuple(output_size) * n
        if len(output_size) != n:
            raise RuntimeError(f"{name}: internal error: output_size.size() must be {n}")
        sizes = tuple(input.shape[input.ndim - n + d] if o is None else int(o) for d, o in enumerate(output_size))
    else:
        sizes = (int(output_size),) * n
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{_shape_str(sizes)}")
    for d in range(n):
        if input.shape[input.ndim - n + d] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {_shape_str(input.shape)} with dimension {input.ndim - n + d} being empty")
    return sizes


def _averaging_matrix(n_in: int, n_out: int, like: Tensor) -> Tensor:
    """(n_out, n_in) rows averaging torch's adaptive windows."""
    a = np.zeros((n_out, n_in))
    for i, (s, e) in enumerate(_kernels.adaptive_bounds(n_in, n_out)):
        a[i, s:e] = 1.0 / (e - s)
    xp = _xp(like._data)
    return wrap(xp.asarray(a.astype(like._data.dtype)))


def _adaptive_avg_poolnd(input, output_size, n: int):
    name = f"adaptive_avg_pool{n}d"
    sizes = _adaptive_sizes(input, output_size, n, name)
    x, batched = _batched(input, n)
    spatial = tuple(x.shape[2:])
    if all(o == 1 for o in sizes):
        out = x.mean(dim=tuple(range(2, 2 + n)), keepdim=True)
    elif all(o > 0 and s % o == 0 for s, o in zip(spatial, sizes)):  # windows tile the input: a plain avg pool
        k = tuple(s // o for s, o in zip(spatial, sizes))
        geo = _kernels.pool_geometry(spatial, k, k, (0,) * n, (1,) * n, False)
        out = _avg_pool(x, geo, float(np.prod(k)), f"AvgPool{n}DBackward0")
    else:
        out = x
        for d in range(n):  # average one spatial dim at a time: move it last, multiply by A^T, move it back
            axis = 2 + d
            a = _averaging_matrix(spatial[d], sizes[d], x)
            out = (out.movedim(axis, -1) @ a.t()).movedim(-1, axis)
        out = out.contiguous()
    return out if batched else out.squeeze(0)


def adaptive_avg_pool1d(input, output_size):
    """Average pool (N, C, L) to (N, C, output_size) with torch's adaptive windows."""
    return _adaptive_avg_poolnd(input, output_size, 1)


def adaptive_avg_pool2d(input, output_size):
    """Average pool (N, C, H, W) to (N, C, *output_size); None keeps that input size."""
    return _adaptive_avg_poolnd(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg_poolnd(input, output_size, 3)


def _adaptive_max_poolnd(input, output_size, return_indices, n: int):
    name = f"adaptive_max_pool{n}d"
    sizes = _adaptive_sizes(input, output_size, n, name)
    x, batched = _batched(input, n)
    spatial = tuple(x.shape[2:])
    if all(o > 0 and s % o == 0 for s, o in zip(spatial, sizes)):
        k = tuple(s // o for s, o in zip(spatial, sizes))
        geo = _kernels.pool_geometry(spatial, k, k, (0,) * n, (1,) * n, False)
        out, idx = _max_pool(x, geo, True, f"MaxPool{n}DWithIndicesBackward0")
    else:
        vals, idx_d = _kernels.adaptive_max_pool(x._data, sizes)
        out = wrap(vals)
        if grad_state.enabled and x._requires_grad:
            record1(out, AdaptiveMaxPoolBackward0, x, data=(idx_d, spatial))
        idx = wrap(idx_d)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def AdaptiveMaxPoolBackward0(ctx, g):
    idx, spatial = ctx.data
    return _plane_scatter_add(g, idx, spatial)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pool (N, C, L) to (N, C, output_size) with torch's adaptive windows."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pool (N, C, H, W) to (N, C, *output_size); indices are flat positions in each H*W plane."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pool (N, C, D, H, W) to (N, C, *output_size)."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 3)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max_poolnd(input, output_size, True, 1)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max_poolnd(input, output_size, True, 2)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max_poolnd(input, output_size, True, 3)


# ---------------------------------------------------------------------------- max unpool
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    default = [(input.shape[input.ndim - len(kernel_size) + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
               for d in range(len(kernel_size))]
    if output_size is None:
        return default
    output_size = list(output_size.tolist() if isinstance(output_size, Tensor) else output_size)
    if len(output_size) == len(kernel_size) + 2:
        output_size = output_size[2:]
    if len(output_size) != len(kernel_size):
        raise ValueError(f"output_size should be a sequence containing {len(kernel_size)} or {len(kernel_size) + 2} "
                         f"elements, but it has a length of '{len(output_size)}'")
    for d in range(len(kernel_size)):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return [int(o) for o in output_size]


def _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, n: int):
    kernel = _tuple_arg(kernel_size, n, "kernel_size")
    stride = kernel if stride is None else _tuple_arg(stride, n, "stride")
    padding = _tuple_arg(padding, n, "padding")
    if indices.dtype.name != "int64":
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{_shape_str(indices.shape)}")
    sizes = tuple(_unpool_output_size(input, kernel, stride, padding, output_size))
    x, batched = _batched(input, n)
    idx = indices._data if batched else indices._data[None]
    plane = int(np.prod(sizes))
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= plane:
            bad = lo if lo < 0 else hi
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, sizes))})")
    out = wrap(_kernels.plane_scatter(x._data, idx, sizes))
    if grad_state.enabled and x._requires_grad:
        record1(out, _UNPOOL_BACKWARDS[n], x, data=(idx, n))
    return out if batched else out.squeeze(0)


def _unpool_backward_fn(n):
    def backward(ctx, g):
        idx, D = ctx.data
        return _plane_take(g, idx, D)

    backward.__name__ = f"MaxUnpool{n}DBackward0"
    return backward


_UNPOOL_BACKWARDS = {n: _unpool_backward_fn(n) for n in (1, 2, 3)}


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: each value placed at its index, zeros elsewhere."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: (N, C, H, W) values put at their plane indices of (N, C, *output_size)."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 3)


# ---------------------------------------------------------------------------- power-average pool
def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, n: int):
    kernel = _tuple_arg(kernel_size, n, "kernel_size")
    pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[n]
    p = float(norm_type)
    out = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    # sum over the window = mean * window size; sign * relu(abs) keeps torch's handling of negative sums
    return (out.sign() * out.abs().relu()).mul(float(np.prod(kernel))).pow(1.0 / p)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p) over (N, C, L)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p) over (N, C, H, W)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p) over (N, C, D, H, W)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)
