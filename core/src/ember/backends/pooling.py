"""Array-level pooling kernels (NumPy or CuPy) over the trailing D spatial dims of (*, *S) arrays.

A window reduction is a loop over the kernel offsets: offset k selects, by basic slicing, the strided view
of every window's k-th element, so a pool is K elementwise passes over output-sized views and never builds
an index array. Max pooling keeps, per output, the offset `arg` of its first maximum (NaN counts as the
maximum, as torch); backward routes the gradient through `arg` the same way.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    import cupy

    return cupy


def out_size(size: int, k: int, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: windows may start in the right padding only with ceil_mode."""
    num = size + 2 * pad - dilation * (k - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = num // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


class PoolGeometry:
    """Index arithmetic of one pooling call over trailing spatial dims S."""

    def __init__(self, spatial, kernel, stride, pads, dilation, ceil_mode):
        self.S, self.K, self.stride, self.pads, self.dil = (tuple(spatial), tuple(kernel), tuple(stride),
                                                            tuple(pads), tuple(dilation))
        self.D = len(self.S)
        self.OS = tuple(out_size(*a, ceil_mode) for a in zip(self.S, self.K, self.stride, self.pads, self.dil))
        # the padded extent the last window reaches (ceil_mode may reach past the symmetric padding)
        self.Sp = tuple(max(s + 2 * p, (o - 1) * st + d * (k - 1) + 1)
                        for s, p, o, st, d, k in zip(self.S, self.pads, self.OS, self.stride, self.dil, self.K))
        self.offsets = list(itertools.product(*(range(k) for k in self.K)))
        self.needs_pad = self.Sp != self.S
        self.slices = [(Ellipsis,) + tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                                           for i, d, s, o in zip(idx, self.dil, self.stride, self.OS))
                       for idx in self.offsets]

    def window_views(self, a):
        """For each kernel offset, the (*, *OS) strided view of a padded array `a` (*, *Sp)."""
        return [a[sl] for sl in self.slices]

    def overlapping(self) -> bool:
        return any(d * (k - 1) + 1 > s for k, s, d in zip(self.K, self.stride, self.dil))

    def tiles_exactly(self) -> bool:
        """Windows cover every padded position exactly once (kernel == stride, no dilation gaps, no remainder)."""
        return all(k == s and d == 1 and o * s == sp
                   for k, s, d, o, sp in zip(self.K, self.stride, self.dil, self.OS, self.Sp))

    def interior(self):
        return (Ellipsis,) + tuple(slice(p, p + s) for p, s in zip(self.pads, self.S))

    def padded(self, xp, x, fill):
        if not self.needs_pad:
            return x
        out = xp.full(x.shape[:-self.D] + self.Sp, fill, x.dtype)
        out[self.interior()] = x
        return out


@functools.lru_cache(maxsize=256)
def _pool_geometry(spatial, kernel, stride, pads, dilation, ceil_mode):
    return PoolGeometry(spatial, kernel, stride, pads, dilation, ceil_mode)


def pool_geometry(spatial, kernel, stride, pads, dilation, ceil_mode) -> PoolGeometry:
    """A (cached, immutable) PoolGeometry."""
    return _pool_geometry(tuple(spatial), tuple(kernel), tuple(stride), tuple(pads), tuple(dilation),
                          bool(ceil_mode))


def _lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _arg_dtype(n):
    return np.int8 if n < 127 else np.int32


def max_pool_forward(x, geo: PoolGeometry, need_arg: bool = True):
    """(out, arg): the window maxima (*, *OS) and the kernel offset of each window's first maximum."""
    xp = _xp(x)
    xpad = geo.padded(xp, x, _lowest(x.dtype))
    views = geo.window_views(xpad)
    best = views[0].copy()
    for v in views[1:]:
        xp.maximum(best, v, out=best)  # propagates NaN, as torch's max pooling does
    if not need_arg:
        return best, None
    return best, _first_arg(xp, views, best, geo, x)


def _first_arg(xp, views, best, geo, x):
    """Offset index of the first element equal to the window max: the count of leading non-equal elements."""
    is_float = best.dtype.kind == "f"
    has_nan = bool(xp.isnan(best).any()) if is_float else False
    # a window of only -inf (or only padding) must not point into the padding: torch picks its first real element
    pad_tie = geo.needs_pad and bool((best == _lowest(best.dtype)).any())
    valid = None
    if pad_tie:
        valid = geo.window_views(geo.padded(xp, xp.ones(x.shape[-geo.D:], bool), False))
    notfound = None
    arg = xp.zeros(best.shape, _arg_dtype(len(views)))
    for k, v in enumerate(views[:-1]):
        eq = v == best
        if has_nan:
            eq |= xp.isnan(v) & xp.isnan(best)
        if valid is not None:
            eq &= valid[k]
        ne = ~eq
        notfound = ne if notfound is None else (notfound & ne)
        arg += notfound
    return arg


def max_pool_backward(g, arg, geo: PoolGeometry):
    """Scatter g (*, *OS) to the input position of each window's maximum: (*, *S)."""
    xp = _xp(g)
    lead = g.shape[:-geo.D]
    overlap = geo.overlapping()
    gpad = xp.empty(lead + geo.Sp, g.dtype) if geo.tiles_exactly() else xp.zeros(lead + geo.Sp, g.dtype)
    for k, view in enumerate(geo.window_views(gpad)):
        if overlap:
            view += (arg == k) * g
        else:  # each input position is in one window at most: write, don't accumulate
            xp.multiply(arg == k, g, out=view)
    return xp.ascontiguousarray(gpad[geo.interior()]) if geo.needs_pad else gpad


def max_pool_gather(gg, arg, geo: PoolGeometry):
    """The adjoint of max_pool_backward: each output takes gg (*, *S) at its window's maximum."""
    xp = _xp(gg)
    views = geo.window_views(geo.padded(xp, gg, 0))
    out = xp.zeros(arg.shape, gg.dtype)
    for k, view in enumerate(views):
        out += xp.where(arg == k, view, gg.dtype.type(0))
    return out


def flat_indices(arg, geo: PoolGeometry):
    """torch's return_indices: each maximum's flat position in its (unpadded) input plane, int64."""
    xp = _xp(arg)
    offs = xp.asarray(np.array(geo.offsets, dtype=np.int64).reshape(len(geo.offsets), geo.D))
    kid = offs[arg.astype(np.int64)]  # (*, *OS, D)
    flat = None
    plane_stride = 1
    for d in range(geo.D - 1, -1, -1):
        o = xp.arange(geo.OS[d], dtype=np.int64).reshape((-1,) + (1,) * (geo.D - 1 - d))
        pos = o * geo.stride[d] - geo.pads[d] + kid[..., d] * geo.dil[d]
        flat = pos * plane_stride if flat is None else flat + pos * plane_stride
        plane_stride *= geo.S[d]
    return flat


def avg_divisor(geo: PoolGeometry, count_include_pad: bool, divisor_override):
    """Per-output divisor (*OS) of torch's avg_pool, or a scalar when it is the same everywhere."""
    if divisor_override is not None:
        return float(divisor_override)
    per_dim = []
    for s, k, st, p, o in zip(geo.S, geo.K, geo.stride, geo.pads, geo.OS):
        start = np.arange(o) * st - p
        end = np.minimum(start + k, s + p)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, s) - np.maximum(start, 0)
        per_dim.append(size.astype(np.float64))
    div = per_dim[0]
    for v in per_dim[1:]:
        div = np.multiply.outer(div, v)
    if np.all(div == div.flat[0]):
        return float(div.flat[0])
    return div


def window_sum(x, geo: PoolGeometry):
    xp = _xp(x)
    views = geo.window_views(geo.padded(xp, x, 0))
    out = views[0].copy()
    for v in views[1:]:
        out += v
    return out


def window_sum_adjoint(g, geo: PoolGeometry):
    """Each output's value added back to every input of its window: (*, *OS) -> (*, *S)."""
    xp = _xp(g)
    overlap = geo.overlapping()
    gpad = xp.empty(g.shape[:-geo.D] + geo.Sp, g.dtype) if geo.tiles_exactly() else \
        xp.zeros(g.shape[:-geo.D] + geo.Sp, g.dtype)
    for view in geo.window_views(gpad):
        if overlap:
            view += g
        else:
            view[...] = g
    return xp.ascontiguousarray(gpad[geo.interior()]) if geo.needs_pad else gpad


def adaptive_bounds(n_in: int, n_out: int):
    """torch's adaptive windows: [floor(i * n_in / n_out), ceil((i + 1) * n_in / n_out))."""
    return [((i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)) for i in range(n_out)]


def adaptive_max_pool(x, out_spatial):
    """(values, flat plane indices) of torch's adaptive max pooling over the trailing dims."""
    xp = _xp(x)
    D = len(out_spatial)
    S = x.shape[-D:]
    lead = x.shape[:-D]
    vals = xp.empty(lead + tuple(out_spatial), x.dtype)
    idx = xp.empty(lead + tuple(out_spatial), np.int64)
    bounds = [adaptive_bounds(s, o) for s, o in zip(S, out_spatial)]
    flat = x.reshape((-1,) + tuple(S))
    vflat = vals.reshape((-1,) + tuple(out_spatial))
    iflat = idx.reshape((-1,) + tuple(out_spatial))
    for pos in itertools.product(*(range(o) for o in out_spatial)):
        win = tuple(slice(*bounds[d][p]) for d, p in enumerate(pos))
        block = flat[(slice(None),) + win].reshape(flat.shape[0], -1)
        wshape = tuple(sl.stop - sl.start for sl in win)
        if block.dtype.kind == "f":
            nan = xp.isnan(block)
            # the first NaN wins, else the first maximum (argmax returns the first)
            a = xp.where(nan.any(1), xp.argmax(nan, 1), xp.argmax(block, 1))
        else:
            a = xp.argmax(block, 1)
        vflat[(slice(None),) + pos] = xp.take_along_axis(block, a[:, None], 1)[:, 0]
        rem = a
        flat_pos = 0
        for d in range(D - 1, -1, -1):
            c = rem % wshape[d]
            rem = rem // wshape[d]
            flat_pos = flat_pos + (c + win[d].start) * math.prod(S[d + 1:])
        iflat[(slice(None),) + pos] = flat_pos
    return vals, idx


def plane_take(x, idx, D):
    """out[..., o] = x[..., plane][idx[..., o]]: a gather within each trailing-D plane."""
    xp = _xp(x)
    lead = x.shape[:-D]
    flat = x.reshape((math.prod(lead), -1))
    i = idx.reshape((math.prod(lead), -1))
    return xp.take_along_axis(flat, i, 1).reshape(idx.shape)


def plane_scatter_add(g, idx, spatial):
    """The adjoint of plane_take: (*, *OS) values added at their plane positions of a zero (*, *spatial)."""
    xp = _xp(g)
    D = len(spatial)
    lead = idx.shape[:-D]
    m = math.prod(lead)
    plane = math.prod(spatial)
    glob = (xp.arange(m, dtype=np.int64)[:, None] * plane + idx.reshape(m, -1)).ravel()
    acc = xp.bincount(glob, weights=g.reshape(-1).astype(np.float64), minlength=m * plane)
    return acc.astype(g.dtype).reshape(tuple(lead) + tuple(spatial))


def plane_scatter(x, idx, spatial):
    """out = zeros (*, *spatial); out[..., plane][idx] = x (max_unpool: later writes win, as torch)."""
    xp = _xp(x)
    D = len(spatial)
    lead = idx.shape[:-D]
    m = math.prod(lead)
    out = xp.zeros((m, math.prod(spatial)), x.dtype)
    rows = xp.arange(m)[:, None]
    out[rows, idx.reshape(m, -1)] = x.reshape(m, -1)
    return out.reshape(tuple(lead) + tuple(spatial))
