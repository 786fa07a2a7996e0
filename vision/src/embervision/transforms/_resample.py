"""Resampling on arrays (numpy or cupy, shape (..., H, W)): torch's interpolate kernels and grid_sample.

Resize is separable: each axis is a dense (out, in) weight matrix applied with one matmul, which covers
nearest, bilinear and bicubic with or without antialias and keeps the heavy lifting in BLAS / cuBLAS.
Positions follow torch's kernels (align_corners=False), in float32 like torch's float opmath, so outputs
match torch.nn.functional.interpolate to float rounding.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._backend import xp_of_array

_CUBIC_A = -0.75  # torch's bicubic (no antialias)
_CUBIC_A_AA = -0.5  # torch's / PIL's antialiased bicubic


def _cubic1(x, a):  # |x| <= 1
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic2(x, a):  # 1 < |x| < 2
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _scale(in_size: int, out_size: int) -> np.float32:
    return np.float32(in_size) / np.float32(out_size)


def _plain_matrix(mode: str, in_size: int, out_size: int) -> np.ndarray:
    """(out, in) weights of torch's bilinear / bicubic kernel (align_corners=False, no antialias)."""
    scale = _scale(in_size, out_size)
    dst = np.arange(out_size, dtype=np.float32)
    src = scale * (dst + np.float32(0.5)) - np.float32(0.5)
    m = np.zeros((out_size, in_size), dtype=np.float64)
    rows = np.arange(out_size)
    if mode == "bilinear":
        src = np.maximum(src, np.float32(0))
        i0 = src.astype(np.int64)
        lam = (src - i0.astype(np.float32)).astype(np.float64)
        i1 = np.minimum(i0 + 1, in_size - 1)
        np.add.at(m, (rows, i0), 1.0 - lam)
        np.add.at(m, (rows, i1), lam)
        return m
    # bicubic: four taps at floor(src)-1 .. floor(src)+2, indices clamped to the image
    i0 = np.floor(src).astype(np.int64)
    t = (src - np.floor(src)).astype(np.float64)
    a = _CUBIC_A
    coeffs = (_cubic2(t + 1.0, a), _cubic1(t, a), _cubic1(1.0 - t, a), _cubic2(2.0 - t, a))
    for k, c in enumerate(coeffs):
        np.add.at(m, (rows, np.clip(i0 - 1 + k, 0, in_size - 1)), c)
    return m


def _aa_filter(mode: str):
    if mode == "bilinear":
        return 2, lambda x: np.clip(1.0 - np.abs(x), 0.0, None)

    def cubic(x):
        x = np.abs(x)
        return np.where(x < 1.0, _cubic1(x, _CUBIC_A_AA), np.where(x < 2.0, _cubic2(x, _CUBIC_A_AA), 0.0))

    return 4, cubic


def _aa_matrix(mode: str, in_size: int, out_size: int, antialias: bool = True, double: bool = False) -> np.ndarray:
    """(out, in) weights of torch's separable kernel (PIL's algorithm: with ``antialias`` the support widens by
    the downscale factor). ``double`` computes the scale in float64, as torch's uint8 path does."""
    interp_size, filt = _aa_filter(mode)
    scale = in_size / out_size if double else float(_scale(in_size, out_size))
    support = interp_size * 0.5 * scale if (scale >= 1.0 and antialias) else interp_size * 0.5
    invscale = 1.0 / scale if (scale >= 1.0 and antialias) else 1.0
    max_taps = int(math.ceil(support)) * 2 + 1 if antialias else interp_size
    m = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)  # int() truncates toward zero, as the C++ cast
        xsize = min(max(min(int(center + support + 0.5), in_size) - xmin, 0), max_taps)
        j = np.arange(xmin, xmin + xsize)
        w = filt((j - center + 0.5) * invscale)
        total = w.sum()
        if total != 0.0:
            w = w / total
        m[i, xmin : xmin + xsize] = w
    return m


def _int16_weights(m: np.ndarray) -> tuple[np.ndarray, int]:
    """torch's uint8 path: weights scaled to int16 with as many fraction bits as the largest weight allows."""
    w_max = m.max()
    precision = 0
    while precision < 22 and int(0.5 + w_max * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    v = m * (1 << precision)
    return np.trunc(np.where(v < 0, v - 0.5, v + 0.5)), precision


@functools.lru_cache(maxsize=256)
def uint8_matrix(in_size: int, out_size: int, antialias: bool) -> tuple[np.ndarray, int]:
    """(integer-valued float64 (out, in) bilinear weights, fraction bits) of torch's uint8 CPU kernel."""
    m, precision = _int16_weights(_aa_matrix("bilinear", in_size, out_size, antialias, double=True))
    m.setflags(write=False)
    return m, precision


def resize_uint8_bilinear(x, out_h: int, out_w: int, antialias: bool):
    """torch's uint8 bilinear resize (what torchvision.transforms.v2 uses on CPU): fixed-point weights, each
    pass rounded to uint8. float64 matmuls of integers are exact, so this equals the integer arithmetic."""
    xp = xp_of_array(x)
    h, w = x.shape[-2:]
    a = x.astype(np.float64)
    if w != out_w:
        m, p = uint8_matrix(w, out_w, antialias)
        a = xp.clip(xp.floor((a @ xp.asarray(m).T + (1 << (p - 1))) / (1 << p)), 0, 255)
    if h != out_h:
        m, p = uint8_matrix(h, out_h, antialias)
        a = xp.clip(xp.floor((xp.asarray(m) @ a + (1 << (p - 1))) / (1 << p)), 0, 255)
    return a.astype(np.uint8)


@functools.lru_cache(maxsize=256)
def resize_matrix(mode: str, in_size: int, out_size: int, antialias: bool, dtype: str) -> np.ndarray:
    """The (out, in) weight matrix resizing one axis (cached: crops of one size reuse it)."""
    if antialias:
        m = _aa_matrix(mode, in_size, out_size)
    else:
        m = _plain_matrix(mode, in_size, out_size)
    m = m.astype(dtype)
    m.setflags(write=False)
    return m


@functools.lru_cache(maxsize=256)
def nearest_index(mode: str, in_size: int, out_size: int) -> np.ndarray:
    """Source index of each output pixel for torch's 'nearest' (floor) and 'nearest-exact' (round) modes."""
    if in_size == out_size:
        idx = np.arange(out_size)
    else:
        scale = _scale(in_size, out_size)
        dst = np.arange(out_size, dtype=np.float32)
        if mode == "nearest-exact":
            idx = np.floor((dst + np.float32(0.5)) * scale).astype(np.int64)
        elif out_size == 2 * in_size:
            idx = np.arange(out_size) >> 1
        else:
            idx = np.floor(dst * scale).astype(np.int64)
        idx = np.minimum(idx, in_size - 1)
    idx.setflags(write=False)
    return idx


def resize(x, out_h: int, out_w: int, mode: str, antialias: bool):
    """Resize the last two axes of a float array (..., H, W) to (out_h, out_w) with torch's kernels."""
    xp = xp_of_array(x)
    h, w = x.shape[-2:]
    if mode in ("nearest", "nearest-exact"):
        if h != out_h:
            x = xp.take(x, xp.asarray(nearest_index(mode, h, out_h)), axis=-2)
        if w != out_w:
            x = xp.take(x, xp.asarray(nearest_index(mode, w, out_w)), axis=-1)
        return x
    antialias = antialias and mode in ("bilinear", "bicubic")
    dtype = x.dtype.name
    # width first then height, as torch's separable antialias pass; the matmuls run in x's float dtype
    if w != out_w:
        mw = xp.asarray(resize_matrix(mode, w, out_w, antialias, dtype))
        x = x @ mw.T
    if h != out_h:
        mh = xp.asarray(resize_matrix(mode, h, out_h, antialias, dtype))
        x = mh @ x
    return x


# ------------------------------------------------------------------------------------------ grid sampling


def grid_sample(x, gx, gy, mode: str):
    """Sample x (..., C, H, W) at normalized coordinates gx, gy (oh, ow); zeros outside; align_corners=False.

    Same sampling as torch.nn.functional.grid_sample(padding_mode='zeros', align_corners=False) with one grid
    shared by every leading index.
    """
    xp = xp_of_array(x)
    h, w = x.shape[-2:]
    ix = ((gx + 1) * w - 1) / 2
    iy = ((gy + 1) * h - 1) / 2
    flat = x.reshape(x.shape[:-2] + (h * w,))  # (..., H*W)
    out_shape = x.shape[:-2] + gx.shape
    if mode == "nearest":
        xi = xp.rint(ix).astype(xp.int64)
        yi = xp.rint(iy).astype(xp.int64)
        valid = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        idx = xp.where(valid, yi * w + xi, 0).reshape(-1)
        out = xp.take(flat, idx, axis=-1).reshape(out_shape)
        return out * valid.astype(x.dtype)
    x0 = xp.floor(ix)
    y0 = xp.floor(iy)
    wx1 = (ix - x0).astype(x.dtype)
    wy1 = (iy - y0).astype(x.dtype)
    x0 = x0.astype(xp.int64)
    y0 = y0.astype(xp.int64)
    out = None
    for dy, wy in ((0, 1 - wy1), (1, wy1)):
        for dx, wx in ((0, 1 - wx1), (1, wx1)):
            xi, yi = x0 + dx, y0 + dy
            valid = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            idx = xp.where(valid, yi * w + xi, 0).reshape(-1)
            tap = xp.take(flat, idx, axis=-1).reshape(out_shape)
            term = tap * (wx * wy * valid.astype(x.dtype))
            out = term if out is None else out + term
    return out


def affine_grid(theta: np.ndarray, w: int, h: int, ow: int, oh: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """torchvision's _gen_affine_grid: normalized sampling coordinates (oh, ow) for an inverse affine theta (2, 3)."""
    d = 0.5
    xs = np.linspace(-ow * 0.5 + d, ow * 0.5 + d - 1, num=ow, dtype=np.float64).astype(dtype)
    ys = np.linspace(-oh * 0.5 + d, oh * 0.5 + d - 1, num=oh, dtype=np.float64).astype(dtype)
    theta = np.asarray(theta, dtype=dtype).reshape(2, 3)
    scale = np.asarray([0.5 * w, 0.5 * h], dtype=dtype)
    rescaled = theta / scale[:, None]  # (2, 3)
    gx = xs[None, :] * rescaled[0, 0] + ys[:, None] * rescaled[0, 1] + rescaled[0, 2]
    gy = xs[None, :] * rescaled[1, 0] + ys[:, None] * rescaled[1, 1] + rescaled[1, 2]
    return gx.astype(dtype), gy.astype(dtype)


def identity_grid(h: int, w: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """torchvision's _create_identity_grid: normalized pixel-centre coordinates (h, w) for x and y."""
    xs = np.linspace((-w + 1) / w, (w - 1) / w, num=w, dtype=np.float64).astype(dtype)
    ys = np.linspace((-h + 1) / h, (h - 1) / h, num=h, dtype=np.float64).astype(dtype)
    return np.broadcast_to(xs[None, :], (h, w)), np.broadcast_to(ys[:, None], (h, w))


def perspective_grid(coeffs, ow: int, oh: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """torchvision's _perspective_grid: normalized coordinates (oh, ow) for Pillow's 8 perspective coefficients."""
    a, b, c, d_, e, f, g, hh = (float(v) for v in coeffs)
    d = 0.5
    xs = np.linspace(d, ow * 1.0 + d - 1.0, num=ow, dtype=np.float64).astype(dtype)[None, :]
    ys = np.linspace(d, oh * 1.0 + d - 1.0, num=oh, dtype=np.float64).astype(dtype)[:, None]
    c1 = np.asarray([a, b, c], dtype=dtype) / dtype.type(0.5 * ow)
    c2 = np.asarray([d_, e, f], dtype=dtype) / dtype.type(0.5 * oh)
    denom = xs * dtype.type(g) + ys * dtype.type(hh) + dtype.type(1.0)
    gx = (xs * c1[0] + ys * c1[1] + c1[2]) / denom - 1.0
    gy = (xs * c2[0] + ys * c2[1] + c2[2]) / denom - 1.0
    return gx.astype(dtype), gy.astype(dtype)


def affine_output_size(matrix, w: int, h: int) -> tuple[int, int]:
    """torchvision's _compute_affine_output_size: the (w, h) that holds the whole rotated image."""
    hw, hh = 0.5 * w, 0.5 * h
    pts = np.array([[-hw, -hh, 1.0], [-hw, hh, 1.0], [hw, hh, 1.0], [hw, -hh, 1.0]], dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    min_vals = new_pts.min(axis=0) + np.float32([w * 0.5, h * 0.5])
    max_vals = new_pts.max(axis=0) + np.float32([w * 0.5, h * 0.5])
    tol = 1e-4  # ceil of 1e-15 would otherwise add a pixel
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def gaussian_kernel1d(kernel_size: int, sigma: float) -> np.ndarray:
    """torchvision's 1-D Gaussian kernel (float32, sums to 1)."""
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, num=kernel_size, dtype=np.float32)
    pdf = np.exp(-0.5 * (x / np.float32(sigma)) ** 2)
    return (pdf / pdf.sum()).astype(np.float32)


def correlate2d(x, kernel):
    """Valid 2-D correlation of x (..., H, W) with a small kernel (kh, kw), shared by every channel."""
    kh, kw = kernel.shape
    h, w = x.shape[-2] - kh + 1, x.shape[-1] - kw + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            k = kernel[i, j]
            if k == 0:
                continue
            term = x[..., i : i + h, j : j + w] * k
            out = term if out is None else out + term
    return out


def separable_correlate(x, ky, kx):
    """Valid correlation of x (..., H, W) with the outer product of ky (rows) and kx (columns)."""
    h, w = x.shape[-2] - len(ky) + 1, x.shape[-1] - len(kx) + 1
    tmp = None
    for j, k in enumerate(kx):
        term = x[..., :, j : j + w] * k
        tmp = term if tmp is None else tmp + term
    out = None
    for i, k in enumerate(ky):
        term = tmp[..., i : i + h, :] * k
        out = term if out is None else out + term
    return out
