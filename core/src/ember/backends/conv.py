"""Array-level convolution kernels (NumPy or CuPy): im2col as a strided view + one GEMM per chunk of the batch.

These are the one place convolution arithmetic happens; `nn.functional` records the graph around them, so a
faster backend (cuDNN, a compiled CPU kernel) replaces this module without touching autograd.

Geometry is that of the forward convolution x (N, C, *S) * w (O, C/groups, *K) -> y (N, O, *OS), with
`pads` ((lo, hi) per spatial dim). Two kernels cover the three faces of the trilinear form <conv(x, w), g>:
  conv_forward:   y  = conv(x, w)
  conv_backward:  gx = conv^T(g, w) and/or gw = corr(x, g)
The batch is processed in chunks small enough that the column buffer stays in cache; per chunk everything
is channel-major ((C, b, plane) inputs, (C * KK, b * L) columns, (O, b * L) outputs) so each GEMM is one
long product, and the scratch buffers are reused between calls (see `_Workspace`).

With stride 1 the columns are taken over the padded rows ("wide" layout): the window of kernel offset k is
then one contiguous run of the flattened padded plane, so im2col is a memcpy per (channel, offset) and col2im
one contiguous add per offset; the few output columns that straddle a row end are computed and dropped.
With stride 1 the input gradient is itself a convolution (of g with the flipped kernel), used when that is
cheaper than scattering a column matrix back (col2im).
"""

from __future__ import annotations

import collections
import functools
import itertools
import math
import threading

import numpy as np

# bytes of column buffer per chunk: small enough for the L2/L3 cache, big enough to amortise the per-chunk calls
_CHUNK_BYTES = 1 << 21
_GPU_CHUNK_BYTES = 1 << 28
# scratch memory kept between calls, per thread
_WORKSPACE_BYTES = 1 << 26


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    import cupy

    return cupy


def _as_strided(xp, a, shape, strides, offset=0):
    """A view of contiguous `a` with the given shape and byte strides, starting `offset` elements in."""
    if xp is np:  # the ndarray constructor is several times cheaper than np.lib.stride_tricks.as_strided
        return np.ndarray(shape, a.dtype, buffer=a, offset=offset * a.itemsize, strides=strides)
    return xp.lib.stride_tricks.as_strided(a.reshape(-1)[offset:], shape, strides)


class _Workspace(threading.local):
    """Per-thread scratch arrays reused across calls (fresh multi-MB allocations cost page faults), kept in
    least-recently-used order up to `_WORKSPACE_BYTES`.

    A buffer allocated with `zero=True` is zeroed once: callers only ever write its interior, so its padding
    border stays zero. The key must therefore pin everything that decides where that interior lies.
    """

    def __init__(self):
        self.buffers = collections.OrderedDict()
        self.nbytes = 0

    def get(self, xp, key, shape, dtype, zero=False):
        if xp is not np:  # CuPy's memory pool already makes allocation cheap
            return xp.zeros(shape, dtype) if zero else xp.empty(shape, dtype)
        key = (key, shape, np.dtype(dtype).str, zero)
        buf = self.buffers.get(key)
        if buf is not None:
            self.buffers.move_to_end(key)
            return buf
        buf = np.zeros(shape, dtype) if zero else np.empty(shape, dtype)
        self.buffers[key] = buf
        self.nbytes += buf.nbytes
        while self.nbytes > _WORKSPACE_BYTES and len(self.buffers) > 1:
            _, old = self.buffers.popitem(last=False)
            self.nbytes -= old.nbytes
        return buf


_ws = _Workspace()


def out_size(size: int, k: int, stride: int, lo: int, hi: int, dilation: int) -> int:
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


class _Geometry:
    """Everything about one convolution's index arithmetic, derived once per call.

    Per chunk of b samples, arrays are channel-major: the padded input is (C, b, plane + tail), the columns
    (C * KK, b * L) and the outputs and output gradients (O, b * L), so every GEMM is one long product
    (per group) rather than b short ones.
    """

    def __init__(self, x_shape, w_shape, stride, pads, dilation, groups, out_spatial=None):
        self.N, self.C = x_shape[0], x_shape[1]
        self.S = tuple(x_shape[2:])
        self.O = w_shape[0]
        self.K = tuple(w_shape[2:])
        self.D = len(self.S)
        self.stride, self.pads, self.dil, self.G = tuple(stride), tuple(pads), tuple(dilation), groups
        self.Cg, self.Og = self.C // groups, self.O // groups
        self.Sp = tuple(s + lo + hi for s, (lo, hi) in zip(self.S, self.pads))
        if out_spatial is None:
            out_spatial = tuple(out_size(s, k, st, lo, hi, d)
                                for s, k, st, (lo, hi), d in zip(self.S, self.K, self.stride, self.pads, self.dil))
        self.OS = tuple(out_spatial)
        self.KK = math.prod(self.K)
        self.CgK = self.Cg * self.KK
        # element strides of the padded plane, last dim fastest
        P = [1] * self.D
        for d in range(self.D - 2, -1, -1):
            P[d] = P[d + 1] * self.Sp[d + 1]
        self.P = tuple(P)
        self.plane = math.prod(self.Sp)
        self.wide = all(s == 1 for s in self.stride)
        # flat offset of each kernel position inside the padded plane
        self.k_offsets = [sum(i * d * p for i, d, p in zip(idx, self.dil, self.P))
                          for idx in itertools.product(*(range(k) for k in self.K))]
        if self.wide:
            self.L = self.OS[0] * self.P[0]  # output rows span whole padded rows
            # the last window of a wide row reads this far past the plane
            self.tail = sum((k - 1) * d * p for k, d, p in zip(self.K[1:], self.dil[1:], self.P[1:]))
            self.o_strides = self.P  # where output position o sits in a wide row, in elements
        else:
            self.L = math.prod(self.OS)
            self.tail = 0
            st = [1] * self.D
            for d in range(self.D - 2, -1, -1):
                st[d] = st[d + 1] * self.OS[d + 1]
            self.o_strides = tuple(st)
        self.interior_off = sum(lo * p for (lo, _), p in zip(self.pads, self.P))

    def chunk(self, itemsize, xp):
        budget = _CHUNK_BYTES if xp is np else _GPU_CHUNK_BYTES
        per_item = max(self.C * self.KK, self.O) * self.L * itemsize
        return max(1, min(self.N, budget // max(per_item, 1)))

    def key(self):
        return (self.S, self.pads, self.K, self.dil, self.stride, self.C)

    # ------------------------------------------------------------------ channel-major chunk views
    def padded_input(self, xp, x_chunk, dtype):
        """(C, b, plane + tail) buffer with a zero border, its interior set to x_chunk (b, C, *S)."""
        b = x_chunk.shape[0]
        buf = _ws.get(xp, ("x", self.key()), (self.C, b, self.plane + self.tail), dtype, zero=True)
        it = buf.itemsize
        inner = _as_strided(xp, buf, (b, self.C) + self.S,
                            (buf.strides[1], buf.strides[0]) + tuple(p * it for p in self.P), self.interior_off)
        inner[...] = x_chunk
        return buf

    def columns(self, xp, xpad, dtype):
        """(C * KK, b * L) column matrix of a padded chunk: a strided view copied once."""
        C, b = xpad.shape[:2]
        it = xpad.itemsize
        k_strides = tuple(d * p * it for d, p in zip(self.dil, self.P))
        if self.wide:
            view = _as_strided(xp, xpad, (C,) + self.K + (b, self.L), (xpad.strides[0],) + k_strides
                               + (xpad.strides[1], it))
        else:
            o_strides = tuple(s * p * it for s, p in zip(self.stride, self.P))
            view = _as_strided(xp, xpad, (C,) + self.K + (b,) + self.OS, (xpad.strides[0],) + k_strides
                               + (xpad.strides[1],) + o_strides)
        cols = _ws.get(xp, "cols", (C * self.KK, b * self.L), dtype)
        xp.copyto(cols.reshape(view.shape), view)
        return cols

    def outputs_view(self, xp, yo, b):
        """(b, O, *OS) view of the valid outputs in a channel-major (O, b * L) array."""
        it = yo.itemsize
        return _as_strided(xp, yo, (b, self.O) + self.OS,
                           (self.L * it, b * self.L * it) + tuple(s * it for s in self.o_strides))

    def output_grad(self, xp, g_chunk, dtype):
        """g_chunk (b, O, *OS) laid out channel-major (O, b * L), zero at the dropped wide positions."""
        b = g_chunk.shape[0]
        g2 = _ws.get(xp, ("g", self.key(), self.OS), (self.O, b * self.L), dtype, zero=self.wide)
        self.outputs_view(xp, g2, b)[...] = g_chunk
        return g2


@functools.lru_cache(maxsize=256)
def _geometry(x_shape, w_shape, stride, pads, dilation, groups, out_spatial):
    """_Geometry objects are immutable: a training loop's repeated shapes reuse them."""
    return _Geometry(x_shape, w_shape, stride, pads, dilation, groups, out_spatial)


def conv_forward(x, w, stride, pads, dilation, groups, bias=None, out_spatial=None):
    """y (N, O, *OS) = x (N, C, *S) convolved (cross-correlated) with w (O, C/groups, *K), plus bias (O,).

    `out_spatial` computes only the leading OS outputs per dim (a transposed convolution's adjoint needs
    fewer outputs than the input would give when output_padding >= stride)."""
    xp = _xp(x)
    geo = _geometry(x.shape, w.shape, tuple(stride), tuple(pads), tuple(dilation), groups,
                    None if out_spatial is None else tuple(out_spatial))
    N, O, G, L = geo.N, geo.O, geo.G, geo.L
    dtype = x.dtype
    y = xp.empty((N, O) + geo.OS, dtype)
    B = geo.chunk(dtype.itemsize, xp)
    wm = w.reshape(G, geo.Og, geo.CgK)
    bias_b = None if bias is None else bias.reshape((1, O) + (1,) * geo.D)
    for n0 in range(0, N, B):
        b = min(B, N - n0)
        cols = geo.columns(xp, geo.padded_input(xp, x[n0:n0 + b], dtype), dtype)
        yo = _ws.get(xp, "yo", (O, b * L), dtype)
        xp.matmul(wm, cols.reshape(G, geo.CgK, b * L), out=yo.reshape(G, geo.Og, b * L))
        valid = geo.outputs_view(xp, yo, b)
        if bias_b is None:
            y[n0:n0 + b] = valid
        else:
            xp.add(valid, bias_b, out=y[n0:n0 + b])
    return y


def _transposed_as_conv(geo, w):
    """(w', pads') with conv(g, w', pads') equal to the input gradient, for stride 1; None if pads' < 0.

    The input gradient of a stride-1 convolution is the correlation of the output gradient with the kernel
    flipped and its channel axes swapped (per group); it is cheaper than col2im when O is not much larger
    than C, since no column matrix of C * KK rows has to be scattered back."""
    if not geo.wide:
        return None
    pads = tuple((d * (k - 1) - lo, s - o + lo) for k, d, (lo, _), s, o in zip(geo.K, geo.dil, geo.pads, geo.S,
                                                                               geo.OS))
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        return None
    G, Og, Cg = geo.G, geo.Og, geo.Cg
    wt = w.reshape((G, Og, Cg) + geo.K).swapaxes(1, 2).reshape((geo.C, Og) + geo.K)
    wt = wt[(slice(None), slice(None)) + (slice(None, None, -1),) * geo.D]
    return _xp(w).ascontiguousarray(wt), pads


def conv_backward(x, w, g, stride, pads, dilation, groups, x_shape, w_shape, need_input=True, need_weight=True):
    """(gx, gw): the gradients of conv_forward at x, w for output gradient g (N, O, *OS).

    gx = conv^T(g, w), as a flipped-kernel convolution of g or by col2im; gw = columns(x) @ g^T summed over
    the batch. Only the operands a requested gradient needs are read: x may be None without need_weight,
    w without need_input. Returns None for a gradient not requested.
    """
    xp = _xp(g)
    geo = _geometry(tuple(x_shape), tuple(w_shape), tuple(stride), tuple(pads), tuple(dilation), groups,
                    g.shape[2:])
    N, C, O, G, L = geo.N, geo.C, geo.O, geo.G, geo.L
    dtype = g.dtype
    gx = None
    if need_input and O <= 4 * C:
        flipped = _transposed_as_conv(geo, w)
        if flipped is not None:
            gx = conv_forward(g, flipped[0], (1,) * geo.D, flipped[1], geo.dil, G, out_spatial=geo.S)
    col2im_needed = need_input and gx is None
    if not (need_weight or col2im_needed):
        return gx, None
    B = geo.chunk(dtype.itemsize, xp)
    gw = xp.zeros((G, geo.CgK, geo.Og), dtype) if need_weight else None
    if col2im_needed:
        gx = xp.empty((N, C) + geo.S, dtype)
        wT = xp.ascontiguousarray(w.reshape(G, geo.Og, geo.CgK).transpose(0, 2, 1))
        k_slices = None
        if not geo.wide:
            k_slices = [tuple(slice(i * d, i * d + s * (n - 1) + 1, s)
                              for i, d, s, n in zip(idx, geo.dil, geo.stride, geo.OS))
                        for idx in itertools.product(*(range(k) for k in geo.K))]
    for n0 in range(0, N, B):
        b = min(B, N - n0)
        g2 = geo.output_grad(xp, g[n0:n0 + b], dtype).reshape(G, geo.Og, b * L)
        if need_weight:
            cols = geo.columns(xp, geo.padded_input(xp, x[n0:n0 + b], dtype), dtype)
            gw += xp.matmul(cols.reshape(G, geo.CgK, b * L), g2.transpose(0, 2, 1))
        if col2im_needed:
            gcols = _ws.get(xp, "gcols", (G, geo.CgK, b * L), dtype)
            xp.matmul(wT, g2, out=gcols)
            gcols = gcols.reshape(C, geo.KK, b, L)
            gpad = _ws.get(xp, ("gpad", geo.key()), (C, b, geo.plane + geo.tail), dtype)
            gpad.fill(0)
            if geo.wide:
                for kk, off in enumerate(geo.k_offsets):
                    gpad[:, :, off:off + L] += gcols[:, kk]
            else:
                gsp = gpad.reshape((C, b) + geo.Sp)
                for kk, sl in enumerate(k_slices):
                    gsp[(slice(None), slice(None)) + sl] += gcols[:, kk].reshape((C, b) + geo.OS)
            it = gpad.itemsize
            gx[n0:n0 + b] = _as_strided(xp, gpad, (b, C) + geo.S,
                                        (gpad.strides[1], gpad.strides[0]) + tuple(p * it for p in geo.P),
                                        geo.interior_off)
    if need_weight:
        gw = gw.transpose(0, 2, 1).reshape(w_shape)
    return gx, gw


def im2col(x, kernel, stride, pads, dilation):
    """(N, C, *S) -> (N, C * prod(kernel), prod(OS)): torch's unfold layout (channel-major, then kernel offsets)."""
    xp = _xp(x)
    N, C = x.shape[:2]
    geo = _Geometry(x.shape, (C, C) + tuple(kernel), stride, pads, dilation, 1)
    xpad = xp.zeros((N, C) + geo.Sp, x.dtype)
    xpad[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(geo.pads, geo.S))] = x
    st = xpad.strides
    view = _as_strided(xp, xpad, (N, C) + geo.K + geo.OS,
                       st[:2] + tuple(d * s for d, s in zip(geo.dil, st[2:]))
                       + tuple(k * s for k, s in zip(geo.stride, st[2:])))
    return xp.ascontiguousarray(view).reshape(N, C * geo.KK, math.prod(geo.OS))


def col2im(cols, size, kernel, stride, pads, dilation):
    """Adjoint of im2col: (N, C * prod(kernel), L) -> (N, C, *size), overlapping windows summed."""
    xp = _xp(cols)
    N = cols.shape[0]
    KK = math.prod(kernel)
    C = cols.shape[1] // KK
    geo = _Geometry((N, C) + tuple(size), (C, C) + tuple(kernel), stride, pads, dilation, 1)
    out = xp.zeros((N, C) + geo.Sp, cols.dtype)
    c = cols.reshape((N, C, KK) + geo.OS)
    for kk, idx in enumerate(itertools.product(*(range(k) for k in geo.K))):
        sl = tuple(slice(i * d, i * d + s * (n - 1) + 1, s) for i, d, s, n in zip(idx, geo.dil, geo.stride, geo.OS))
        out[(slice(None), slice(None)) + sl] += c[:, :, kk]
    return xp.ascontiguousarray(out[(slice(None), slice(None))
                                    + tuple(slice(lo, lo + s) for (lo, _), s in zip(geo.pads, geo.S))])
