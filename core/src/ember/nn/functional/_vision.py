"""Vision functionals: pixel_shuffle/unshuffle, channel_shuffle, interpolate/upsample, grid_sample, affine_grid.

interpolate is separable: each spatial axis is resampled by a small recorded op, `_resample_axis`, that sums
a few gathered copies of the input weighted per output position (1 for nearest, 2 for linear, 4 for cubic).
Its adjoint scatters back with a segmented sum (the index arrays are monotone), and each is the other's
backward. grid_sample is written with Tensor ops over a plane gather, so both of its inputs get gradients
of any order.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record1, wrap
from ._pooling import _plane_take, adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "interpolate",
           "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]


def _xp(d):
    return np if d.__class__ is np.ndarray else cupy_module()


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ---------------------------------------------------------------------------- shuffles
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r) != 0:
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    oc = c // (r * r)
    n = len(lead)
    x = input.reshape(*lead, oc, r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (*, oc, h, r, w, r)
    return x.reshape(*lead, oc, h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if h % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (*, c, r, r, h/r, w/r)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with channels seen as (groups, C / groups) -> transposed to (C / groups, groups)."""
    g = int(groups)
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    n, c = input.shape[:2]
    if c % g != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


# ---------------------------------------------------------------------------- separable resampling op
def _segment_scatter(xp, v, idx, n: int, axis: int):
    """out (with length n along axis) where out[j] = sum of v[o] over o with idx[o] == j; idx is monotone."""
    shape = list(v.shape)
    shape[axis] = n
    out = xp.zeros(shape, v.dtype)
    if xp is np:
        uniq, starts = np.unique(idx, return_index=True)
        sums = np.add.reduceat(v, starts, axis=axis)
        sl = [slice(None)] * v.ndim
        sl[axis] = uniq
        out[tuple(sl)] += sums
        return out
    import cupyx

    moved = xp.moveaxis(out, axis, 0)
    cupyx.scatter_add(moved, xp.asarray(idx), xp.moveaxis(v, axis, 0))
    return out


def _weights_shape(w, axis: int, ndim: int):
    return w.reshape((-1,) + (1,) * (ndim - axis - 1))


def _resample_axis(x: Tensor, axis: int, terms, n_in: int) -> Tensor:
    """out[.., o, ..] = sum over terms (idx, w) of x[.., idx[o], ..] * w[o] along `axis` (w None means 1)."""
    d = x._data
    xp = _xp(d)
    out = None
    for idx, w in terms:
        part = xp.take(d, idx if xp is np else xp.asarray(idx), axis=axis)
        if w is not None:
            part *= xp.asarray(_weights_shape(w.astype(d.dtype), axis, d.ndim))
        out = part if out is None else out.__iadd__(part)
    res = wrap(out)
    if grad_state.enabled and x._requires_grad:
        record1(res, UpsampleBackward0, x, data=(axis, terms, n_in, d.shape[axis]))
    return res


def _resample_axis_adjoint(g: Tensor, axis: int, terms, n_in: int, n_out: int) -> Tensor:
    d = g._data
    xp = _xp(d)
    out = None
    for idx, w in terms:
        v = d if w is None else d * xp.asarray(_weights_shape(w.astype(d.dtype), axis, d.ndim))
        part = _segment_scatter(xp, v, idx, n_in, axis)
        out = part if out is None else out.__iadd__(part)
    res = wrap(out)
    if grad_state.enabled and g._requires_grad:
        record1(res, UpsampleBackwardBackward0, g, data=(axis, terms, n_in))
    return res


def UpsampleBackward0(ctx, g):
    axis, terms, n_in, n_out = ctx.data
    return _resample_axis_adjoint(g, axis, terms, n_in, n_out)


def UpsampleBackwardBackward0(ctx, gg):
    axis, terms, n_in = ctx.data
    return _resample_axis(gg, axis, terms, n_in)


# ---------------------------------------------------------------------------- per-axis index/weight plans
def _src_scale(n_in: int, n_out: int, align_corners: bool, scale, ftype):
    """torch's area_pixel_compute_scale, in the op's float type."""
    if align_corners:
        return ftype((n_in - 1) / (n_out - 1)) if n_out > 1 else ftype(0)
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(n_in) / ftype(n_out)


def _source_coords(n_in, n_out, align_corners, scale, ftype, cubic=False):
    s = _src_scale(n_in, n_out, align_corners, scale, ftype)
    dst = np.arange(n_out, dtype=ftype)
    if align_corners:
        return s * dst
    src = s * (dst + ftype(0.5)) - ftype(0.5)
    return src if cubic else np.maximum(src, ftype(0))


def _nearest_terms(n_in, n_out, scale, exact: bool, shortcuts: bool):
    if shortcuts and n_out == 2 * n_in:  # torch's 2-D 'nearest' kernel shifts instead of scaling
        return [(np.arange(n_out) >> 1, None)]
    # torch computes nearest indices in float32, whatever the input dtype
    s = np.float32(1.0 / scale) if (scale is not None and scale > 0) else np.float32(n_in) / np.float32(n_out)
    dst = np.arange(n_out, dtype=np.float32)
    src = np.floor((dst + np.float32(0.5)) * s) if exact else np.floor(dst * s)
    return [(np.minimum(src.astype(np.int64), n_in - 1), None)]


def _linear_terms(n_in, n_out, align_corners, scale, ftype):
    src = _source_coords(n_in, n_out, align_corners, scale, ftype)
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    l1 = (src - i0.astype(ftype)).astype(ftype)
    l0 = (ftype(1) - l1).astype(ftype)
    return [(i0, l0), (i1, l1)]


def _cubic_terms(n_in, n_out, align_corners, scale, ftype):
    a = ftype(-0.75)
    src = _source_coords(n_in, n_out, align_corners, scale, ftype, cubic=True)
    fl = np.floor(src)
    t = (src - fl).astype(ftype)

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    coeffs = [conv2(t + 1), conv1(t), conv1(1 - t), conv2(2 - t)]
    base = fl.astype(np.int64)
    return [(np.clip(base - 1 + k, 0, n_in - 1), c.astype(ftype)) for k, c in enumerate(coeffs)]


# ---------------------------------------------------------------------------- interpolate
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR_DIM = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resample (N, C, *S) to `size` or S * `scale_factor` with torch's index and weight conventions."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            if not all(isinstance(s, numbers.Integral) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            out_size = [int(s) for s in size]
        else:
            out_size = [int(size)] * dim
    elif scale_factor is not None:
        out_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of "
                                 f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if out_size is None:
        out_size = [int(math.floor(float(s) * f)) for s, f in zip(input.shape[2:], scales)]
    if recompute_scale_factor:
        scales = None
    if antialias:
        if not (mode in ("bilinear", "bicubic") and input.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                             "4-D tensor as input")
        raise NotImplementedError("interpolate(antialias=True) is not supported by ember yet")
    if mode not in _MODES or input.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  "nearest-exact")
    if mode in _LINEAR_DIM and input.ndim != _LINEAR_DIM[mode]:
        need = _LINEAR_DIM[mode]
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need}D input")
    if any(o <= 0 for o in out_size):
        raise RuntimeError("Input and output sizes should be greater than 0, but got input (" +
                           ", ".join(map(str, input.shape[2:])) + ") output (" + ", ".join(map(str, out_size)) +
                           ")")
    if mode == "area":
        pool = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}[dim]
        return pool(input, out_size)
    if not input.is_floating_point() and mode != "nearest":
        raise RuntimeError(f'"upsample_{mode}" not implemented for \'{input.dtype}\'')
    ftype = np.float64 if input._data.dtype == np.float64 else np.float32
    out = input
    for d in range(dim):
        n_in, n_out = input.shape[2 + d], out_size[d]
        s = None if scales is None else scales[d]
        if mode in ("nearest", "nearest-exact"):
            # torch's 2-D 'nearest' kernel copies an unchanged axis and halves indices for a doubled one,
            # whatever scale_factor says; its 1-D and 3-D kernels always apply the scale
            shortcuts = mode == "nearest" and dim == 2
            if n_in == n_out and (shortcuts or s is None):
                continue
            terms = _nearest_terms(n_in, n_out, s, mode == "nearest-exact", shortcuts)
        elif n_in == n_out and mode != "bicubic":  # torch copies an axis whose size does not change
            continue
        elif mode == "bicubic":
            terms = _cubic_terms(n_in, n_out, align_corners, s, ftype)
        else:
            terms = _linear_terms(n_in, n_out, align_corners, s, ftype)
        out = _resample_axis(out, 2 + d, terms, n_in)
    return out if out is not input else input.clone()


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------- grid_sample / affine_grid
def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """torch's reflect_coordinates: fold coord into [low, high] by mirroring at the ends."""
    if twice_low == twice_high:
        return coord * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = (coord - lo).abs()
    extra = c.fmod(span)
    flips = (c.detach() / span).floor()
    even = (flips.fmod(2) == 0)
    from ...ops.compare import where

    return where(even, extra + lo, (extra * -1) + (span + lo))


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def _gather_plane(input: Tensor, ix, iy, H: int, W: int) -> Tensor:
    """input (N, C, H, W) at integer positions (N, Ho, Wo) -> (N, C, Ho, Wo); zero where out of bounds."""
    xp = _xp(input._data)
    valid = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
    flat = xp.where(valid, xp.clip(iy, 0, H - 1) * W + xp.clip(ix, 0, W - 1), 0)
    N, C = input.shape[:2]
    idx = xp.ascontiguousarray(xp.broadcast_to(flat[:, None], (N, C) + flat.shape[1:]))
    vals = _plane_take(input, idx, 2)
    mask = wrap(xp.broadcast_to(valid[:, None], vals._data.shape).astype(input._data.dtype))
    return vals * mask


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None) -> Tensor:
    """Sample (N, C, H, W) at the normalized (x, y) locations of grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample(mode='bicubic') is not supported by ember yet")
    if align_corners is None:
        align_corners = False
    if input.ndim != 4:
        raise NotImplementedError("grid_sample in ember supports 4-D input (N, C, H, W) only, got "
                                  f"{input.ndim}-D input")
    if grid.ndim != 4 or grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
                           f"{_shape_str(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {_shape_str(input.shape)} and grid with sizes {_shape_str(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    H, W = input.shape[2:]
    ix = _source_index(grid[..., 0], W, padding_mode, align_corners)  # (N, Ho, Wo)
    iy = _source_index(grid[..., 1], H, padding_mode, align_corners)
    xp = _xp(input._data)
    if mode == "nearest":
        jx = xp.rint(ix._data).astype(np.int64)
        jy = xp.rint(iy._data).astype(np.int64)
        out = _gather_plane(input, jx, jy, H, W)
        if grid._requires_grad and grad_state.enabled:  # torch gives the grid a zero gradient in nearest mode
            out = out + ((ix + iy) * 0).unsqueeze(1)
        return out
    x0 = xp.floor(ix._data)
    y0 = xp.floor(iy._data)
    fx = ix - wrap(x0)  # differentiable in the grid
    fy = iy - wrap(y0)
    x0i, y0i = x0.astype(np.int64), y0.astype(np.int64)
    out = None
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            v = _gather_plane(input, x0i + dx, y0i + dy, H, W) * (wx * wy).unsqueeze(1)
            out = v if out is None else out + v
    return out


def _base_coords(n: int, align_corners: bool) -> np.ndarray:
    if n <= 1:
        return np.zeros(max(n, 1))
    c = np.linspace(-1.0, 1.0, n)
    return c if align_corners else c * (n - 1) / n


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """Sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps theta (N, 2, 3) (or (N, 3, 4))."""
    if align_corners is None:
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"ember.Size({size}). Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"ember.Size({size}). Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch {theta.shape[0]} to match size batch {size[0]}")
    # base grid (*spatial, D + 1): coordinates x (last dim) first, then y (, z), then 1
    axes = [_base_coords(n, align_corners) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack(list(reversed(mesh)) + [np.ones_like(mesh[0])], axis=-1)
    D = len(spatial)
    xp = _xp(theta._data)
    base_t = wrap(xp.asarray(base.reshape(1, -1, D + 1).astype(theta._data.dtype)))
    grid = base_t @ theta.transpose(1, 2)  # (N, prod(spatial), D)
    return grid.reshape(size[0], *spatial, D)
