"""Tensor kernels of the functional transforms, on (..., C, H, W) tensors on any device.

Pixel math runs on the tensor's array (numpy or cupy) in torchvision's order of operations and dtypes,
so uint8 results round and truncate exactly where torchvision's do.
"""

from __future__ import annotations

import numpy as np

import ember

from .._backend import Tensor, array_of, np_dtype, to_numpy, wrap, xp_of_array
from . import _resample

# ------------------------------------------------------------------------------------------ helpers


def assert_image_tensor(img) -> None:
    if not isinstance(img, Tensor) or img.ndim < 2:
        shape = tuple(img.shape) if isinstance(img, Tensor) else type(img).__name__
        raise TypeError(f"Tensor is not a torch image: expected (..., H, W) with at least 2 dims, got {shape}")


def get_dimensions(img: Tensor) -> list[int]:
    assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def max_value(dtype) -> float | int:
    """The brightest value of an image dtype: 1.0 for floats, the dtype's max for integers."""
    if dtype.is_floating_point:
        return 1.0
    if dtype == ember.bool:
        return 1
    return int(np.iinfo(np_dtype(dtype)).max)


def _is_float(a) -> bool:
    return a.dtype.kind == "f"


def _to_float(a):
    """(array as float32 unless it already is float32/float64, whether it was cast)."""
    if a.dtype in (np.float32, np.float64):
        return a, False
    return a.astype(np.float32), True


def _cast_back(a, dtype):
    """torchvision's _cast_squeeze_out: round (half to even) before casting to an integer dtype."""
    if a.dtype == dtype:
        return a
    xp = xp_of_array(a)
    if np.dtype(dtype).kind in "iub":
        a = xp.round(a)
    return a.astype(dtype)


def _max_of(a):
    return 1.0 if _is_float(a) else (1 if a.dtype == np.bool_ else int(np.iinfo(a.dtype).max))


def _float_type(a):
    """The float dtype torchvision computes in for ``a``: its own if float, else float32."""
    return a.dtype if _is_float(a) else np.dtype(np.float32)


def _blend(a1, a2, ratio: float):
    """ratio * a1 + (1 - ratio) * a2, clamped to the dtype's range and cast back (truncating for ints)."""
    ft = _float_type(a1)
    ratio = float(ratio)
    out = ft.type(ratio) * a1.astype(ft) + ft.type(1.0 - ratio) * a2.astype(ft)
    return xp_of_array(a1).clip(out, 0, _max_of(a1)).astype(a1.dtype)


def _channels(a) -> int:
    return 1 if a.ndim == 2 else a.shape[-3]


def _require_channels(img: Tensor, allowed: tuple[int, ...]) -> None:
    c = get_dimensions(img)[0]
    if c not in allowed:
        raise TypeError(f"Input image tensor permitted channel values are {list(allowed)}, but found {c}")


# ------------------------------------------------------------------------------------------ geometry


def hflip(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    return img.flip(-1)


def vflip(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    return img.flip(-2)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """img[..., top:top+height, left:left+width], zero-padded where the box leaves the image."""
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [
            max(-left + min(0, right), 0),
            max(-top + min(0, bottom), 0),
            max(right - w, 0),
            max(bottom - h, 0),
        ]
        return pad(img[..., max(top, 0) : bottom, max(left, 0) : right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def parse_padding(padding) -> list[int]:
    """[left, right, top, bottom] from an int or a 1, 2 or 4 element sequence."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    left, top, right, bottom = padding
    return [left, right, top, bottom]


def pad(img: Tensor, padding, fill=0, padding_mode: str = "constant") -> Tensor:
    """Pad the last two dims ([left, top, right, bottom] order as torchvision); negative padding crops."""
    assert_image_tensor(img)
    if fill is None:
        fill = 0
    p = parse_padding(padding)
    a = array_of(img)
    crop_l, crop_r, crop_t, crop_b = [-min(x, 0) for x in p]
    if crop_l or crop_r or crop_t or crop_b:
        a = a[..., crop_t : a.shape[-2] - crop_b, crop_l : a.shape[-1] - crop_r]
    left, right, top, bottom = [max(x, 0) for x in p]
    xp = xp_of_array(a)
    widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        out = xp.pad(a, widths, mode="constant", constant_values=np.asarray(fill).astype(a.dtype).item())
    else:
        if padding_mode == "reflect":
            for size, (before, after), name in zip(a.shape[-2:], widths[-2:], ("height", "width")):
                if before >= size or after >= size:
                    raise ValueError(
                        f"reflect padding ({before}, {after}) must be smaller than the {name} {size} it pads"
                    )
        mode = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[padding_mode]
        out = xp.pad(a, widths, mode=mode)
    return wrap(out)


def resize(img: Tensor, size: list[int], interpolation: str = "bilinear", antialias: bool | None = True) -> Tensor:
    """Resize (..., H, W) to ``size`` = [h, w] as torch.nn.functional.interpolate (align_corners=False)."""
    assert_image_tensor(img)
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Tensor resize supports nearest, nearest-exact, bilinear and bicubic, got {interpolation!r}")
    a = array_of(img)
    out_h, out_w = size
    if interpolation in ("nearest", "nearest-exact"):
        return wrap(_resample.resize(a, out_h, out_w, interpolation, False))
    orig = a.dtype
    a, _ = _to_float(a)
    out = _resample.resize(a, out_h, out_w, interpolation, bool(antialias))
    if interpolation == "bicubic" and orig == np.uint8:
        out = xp_of_array(out).clip(out, 0, 255)
    return wrap(_cast_back(out, orig))


def resize_uint8_bilinear(img: Tensor, size: list[int], antialias: bool = True) -> Tensor:
    """torch's fixed-point uint8 bilinear resize (torchvision.transforms.v2 on CPU), bit-exact."""
    return wrap(_resample.resize_uint8_bilinear(array_of(img), size[0], size[1], bool(antialias)))


def _apply_grid(img: Tensor, gx, gy, mode: str, fill) -> Tensor:
    """torchvision's _apply_grid_transform: grid_sample with a mask channel that blends in ``fill``."""
    a = array_of(img)
    xp = xp_of_array(a)
    squeeze = a.ndim == 2
    if squeeze:
        a = a[None]
    orig = a.dtype
    work = a if a.dtype == gx.dtype else a.astype(gx.dtype)
    gx, gy = xp.asarray(gx), xp.asarray(gy)
    if fill is not None:
        mask_in = xp.ones(work.shape[:-3] + (1,) + work.shape[-2:], dtype=work.dtype)
        work = xp.concatenate([work, mask_in], axis=-3)
    out = _resample.grid_sample(work, gx, gy, mode)
    if fill is not None:
        mask = out[..., -1:, :, :]
        out = out[..., :-1, :, :]
        fill_list = list(fill) if isinstance(fill, (list, tuple)) else [float(fill)]
        fill_arr = xp.asarray(fill_list, dtype=out.dtype).reshape(len(fill_list), 1, 1)
        fill_arr = xp.broadcast_to(fill_arr, out.shape)
        if mode == "nearest":
            out = xp.where(mask < 0.5, fill_arr, out)
        else:
            out = out * mask + (1.0 - mask) * fill_arr
    out = _cast_back(out, orig)
    return wrap(out[0] if squeeze else out)


def _grid_dtype(img: Tensor) -> np.dtype:
    d = array_of(img).dtype
    return d if d in (np.float32, np.float64) else np.dtype(np.float32)


def _check_grid_args(img: Tensor, interpolation: str, fill) -> None:
    assert_image_tensor(img)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    if isinstance(fill, (list, tuple)) and len(fill) > 1 and len(fill) != get_dimensions(img)[0]:
        raise ValueError(
            "The number of elements in 'fill' cannot broadcast to match the number of channels of the image "
            f"({len(fill)} != {get_dimensions(img)[0]})"
        )


def affine(img: Tensor, matrix: list[float], interpolation: str = "nearest", fill=None) -> Tensor:
    """Warp by the inverse affine ``matrix`` (6 floats, centre-origin pixel coordinates)."""
    _check_grid_args(img, interpolation, fill)
    dt = _grid_dtype(img)
    h, w = img.shape[-2:]
    gx, gy = _resample.affine_grid(matrix, w, h, w, h, dt)
    return _apply_grid(img, gx, gy, interpolation, fill)


def rotate(img: Tensor, matrix: list[float], interpolation: str = "nearest", expand: bool = False, fill=None):
    _check_grid_args(img, interpolation, fill)
    h, w = img.shape[-2:]
    ow, oh = _resample.affine_output_size(matrix, w, h) if expand else (w, h)
    dt = _grid_dtype(img)
    gx, gy = _resample.affine_grid(matrix, w, h, ow, oh, dt)
    return _apply_grid(img, gx, gy, interpolation, fill)


def perspective(img: Tensor, coeffs: list[float], interpolation: str = "bilinear", fill=None) -> Tensor:
    _check_grid_args(img, interpolation, fill)
    h, w = img.shape[-2:]
    gx, gy = _resample.perspective_grid(coeffs, w, h, _grid_dtype(img))
    return _apply_grid(img, gx, gy, interpolation, fill)


def elastic_grid(img: Tensor, displacement: Tensor, dtype):
    """The sampling grid (gx, gy), each (H, W) in ``dtype``: identity plus the (1, H, W, 2) ``displacement``."""
    xp = xp_of_array(array_of(img))
    h, w = img.shape[-2:]
    d = array_of(displacement)
    d = xp.asarray(d if xp is xp_of_array(d) else to_numpy(displacement)).astype(dtype)
    gx, gy = _resample.identity_grid(h, w, dtype)
    return xp.asarray(gx) + d[0, :, :, 0], xp.asarray(gy) + d[0, :, :, 1]


def elastic_transform(img: Tensor, displacement: Tensor, interpolation: str = "bilinear", fill=None) -> Tensor:
    """Sample at identity + ``displacement`` (1, H, W, 2) in normalized [-1, 1] units, x then y.

    The grid is float32 (float64 with a float64 displacement) and the image is sampled in the grid's dtype,
    as torchvision's v1 kernel does.
    """
    _check_grid_args(img, interpolation, fill)
    d_dtype = array_of(displacement).dtype
    dtype = np.result_type(np.float32, d_dtype) if d_dtype.kind == "f" else np.dtype(np.float32)
    gx, gy = elastic_grid(img, displacement, dtype)
    return _apply_grid(img, gx, gy, interpolation, fill)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set img[..., i:i+h, j:j+w] to ``v`` (a tensor broadcastable to the patch, or a number)."""
    if not inplace:
        img = img.clone()
    img[..., i : i + h, j : j + w] = v
    return img


# ------------------------------------------------------------------------------------------ colour


def _gray_array(a):
    """ITU-R 601-2 luma of (..., 3, H, W) -> (..., 1, H, W) in float32 (or a's float dtype)."""
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    t = _float_type(a).type
    lum = r.astype(t) * t(0.2989) + g.astype(t) * t(0.587) + b.astype(t) * t(0.114)
    return lum[..., None, :, :]


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    assert_image_tensor(img)
    _require_channels(img, (1, 3))
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    a = array_of(img)
    xp = xp_of_array(a)
    if _channels(a) == 3:
        lum = _gray_array(a).astype(a.dtype)  # truncates for integer images, as torchvision
    else:
        lum = a if a.ndim > 2 else a[None]
    if num_output_channels == 3:
        lum = xp.broadcast_to(lum, lum.shape[:-3] + (3,) + lum.shape[-2:])
    return wrap(xp.ascontiguousarray(lum))


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _require_channels(img, (1, 3))
    a = array_of(img)
    return wrap(_blend(a, xp_of_array(a).zeros_like(a), brightness_factor))


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _require_channels(img, (1, 3))
    a = array_of(img)
    ft = _float_type(a)
    if _channels(a) == 3:
        gray = _gray_array(a).astype(a.dtype).astype(ft)
    else:
        gray = a.astype(ft)
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True) if a.ndim > 2 else gray.mean(keepdims=True)
    return wrap(_blend(a, mean.astype(ft), contrast_factor))


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _require_channels(img, (1, 3))
    a = array_of(img)
    if _channels(a) == 1:
        return img
    return wrap(_blend(a, _gray_array(a).astype(a.dtype), saturation_factor))


def _rgb2hsv(a):
    xp = xp_of_array(a)
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc = a.max(axis=-3)
    minc = a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = xp.ones_like(maxc)
    s = cr / xp.where(eqc, ones, maxc)
    cr_divisor = xp.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = hr + hg + hb
    h = xp.fmod((h / 6.0 + 1.0), 1.0)
    return xp.stack((h, s, maxc), axis=-3).astype(a.dtype)


def _hsv2rgb(a):
    xp = xp_of_array(a)
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = xp.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.astype(np.int32)
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    i = i % 6
    mask = i[..., None, :, :] == xp.arange(6, dtype=np.int32).reshape(6, 1, 1)  # (..., 6, H, W)
    a1 = xp.stack((v, q, p, p, t, v), axis=-3)
    a2 = xp.stack((t, v, v, q, p, p), axis=-3)
    a3 = xp.stack((p, p, t, v, v, q), axis=-3)
    a4 = xp.stack((a1, a2, a3), axis=-4)  # (..., 3, 6, H, W)
    return xp.einsum("...ijk,...xijk->...xjk", mask.astype(a.dtype), a4).astype(a.dtype)


def _to_float01(a):
    """convert_image_dtype(a, float32) on arrays."""
    if _is_float(a):
        return a.astype(np.float32) if a.dtype != np.float32 else a
    return a.astype(np.float32) / np.float32(_max_of(a))


def _from_float01(a, dtype):
    """convert_image_dtype(a float32, dtype) on arrays: scale by max + 1 - 1e-3 and truncate for ints."""
    if np.dtype(dtype).kind == "f":
        return a.astype(dtype)
    return (a * np.float32(np.iinfo(dtype).max + 1.0 - 1e-3)).astype(dtype)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    assert_image_tensor(img)
    _require_channels(img, (1, 3))
    a = array_of(img)
    if _channels(a) == 1:
        return img
    xp = xp_of_array(a)
    orig = a.dtype
    f = _to_float01(a)
    hsv = _rgb2hsv(f)
    h = xp.remainder(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    hsv = xp.stack((h, hsv[..., 1, :, :], hsv[..., 2, :, :]), axis=-3)
    return wrap(_from_float01(_hsv2rgb(hsv), orig))


def adjust_gamma(img: Tensor, gamma: float, gain: float = 1) -> Tensor:
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    assert_image_tensor(img)
    _require_channels(img, (1, 3))
    a = array_of(img)
    xp = xp_of_array(a)
    f = _to_float01(a) if not _is_float(a) else a
    out = xp.clip(gain * f**gamma, 0, 1)
    return wrap(_from_float01(out.astype(np.float32), a.dtype) if not _is_float(a) else out.astype(a.dtype))


def _blurred_degenerate(a):
    xp = xp_of_array(a)
    ft = a.dtype if a.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    kernel = np.ones((3, 3), dtype=ft)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    blurred = _cast_back(_resample.correlate2d(a.astype(ft), kernel), a.dtype)
    out = a.copy()
    out[..., 1:-1, 1:-1] = blurred
    return xp.asarray(out)


def adjust_sharpness(img: Tensor, sharpness_factor: float) -> Tensor:
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _require_channels(img, (1, 3))
    a = array_of(img)
    if a.shape[-1] <= 2 or a.shape[-2] <= 2:
        return img
    return wrap(_blend(a, _blurred_degenerate(a), sharpness_factor))


def adjust_sharpness_v2(img: Tensor, sharpness_factor: float) -> Tensor:
    """torchvision.transforms.v2's sharpness: x + (1 - factor) * (rounded blur - x) inside the 1-pixel border,
    then clamped and truncated (v1 blends with another rounding)."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _require_channels(img, (1, 3))
    a = array_of(img)
    if a.size == 0 or a.shape[-1] <= 2 or a.shape[-2] <= 2:
        return img
    xp = xp_of_array(a)
    ft = _float_type(a)
    kernel = np.full((3, 3), 1.0 / 13.0, dtype=ft)
    kernel[1, 1] = 5.0 / 13.0
    out = a.astype(ft)  # a copy: the border keeps the input
    blurred = _resample.correlate2d(out, kernel)
    if not _is_float(a):
        blurred = xp.round(blurred)
    view = out[..., 1:-1, 1:-1]
    diff = blurred - view
    alpha = ft.type(1.0 - sharpness_factor)
    if ft == np.float32:
        # torch adds with one fused multiply-add: float32 products are exact in float64, so round once from there
        view[...] = (view.astype(np.float64) + diff.astype(np.float64) * np.float64(alpha)).astype(np.float32)
    else:
        view += diff * alpha
    return wrap(xp.clip(out, 0, _max_of(a)).astype(a.dtype))


def autocontrast_v2(img: Tensor) -> Tensor:
    """torchvision.transforms.v2's autocontrast: (x - min) / ((max - min) / bound) per channel, truncated."""
    assert_image_tensor(img)
    _require_channels(img, (1, 3))
    a = array_of(img)
    if a.size == 0:
        return img
    xp = xp_of_array(a)
    ft = _float_type(a)
    bound = _max_of(a)
    f = a.astype(ft)
    lo = f.min(axis=(-2, -1), keepdims=True)
    hi = f.max(axis=(-2, -1), keepdims=True)
    flat = hi == lo
    inv_scale = xp.where(flat, ft.type(1), (hi - lo) * ft.type(1.0 / bound))
    lo = xp.where(flat, ft.type(0), lo)
    return wrap(xp.clip((f - lo) / inv_scale, 0, bound).astype(a.dtype))


def invert(img: Tensor) -> Tensor:
    _require_channels(img, (1, 3))
    a = array_of(img)
    if a.dtype == np.bool_:
        return wrap(~a)
    return wrap((a.dtype.type(_max_of(a)) - a).astype(a.dtype))


def posterize(img: Tensor, bits: int) -> Tensor:
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _require_channels(img, (1, 3))
    mask = -int(2 ** (8 - bits))
    a = array_of(img)
    return wrap(a & np.uint8(mask & 0xFF))


def solarize(img: Tensor, threshold: float) -> Tensor:
    _require_channels(img, (1, 3))
    a = array_of(img)
    if threshold > _max_of(a):
        raise TypeError("Threshold should be less than bound of img.")
    xp = xp_of_array(a)
    inverted = array_of(invert(img))
    return wrap(xp.where(a >= threshold, inverted, a))


def autocontrast(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    _require_channels(img, (1, 3))
    a = array_of(img)
    xp = xp_of_array(a)
    bound = _max_of(a)
    ft = _float_type(a)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(ft)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(ft)
    with np.errstate(divide="ignore", invalid="ignore"):
        # torch evaluates `bound / t` as reciprocal(t) * bound; the rounding differs from a true division
        scale = (ft.type(1) / (hi - lo)) * ft.type(bound)
    flat = ~xp.isfinite(scale)
    lo = xp.where(flat, ft.type(0), lo)
    scale = xp.where(flat, ft.type(1), scale)
    return wrap(xp.clip((a - lo) * scale, 0, bound).astype(a.dtype))


def _equalize_channel(ch):
    xp = xp_of_array(ch)
    hist = xp.bincount(ch.reshape(-1), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return ch
    lut = (xp.cumsum(hist) + step // 2) // step
    lut = xp.concatenate([xp.zeros(1, dtype=lut.dtype), lut[:-1]]).clip(0, 255)
    return lut[ch.astype(np.int64)].astype(np.uint8)


def equalize(img: Tensor) -> Tensor:
    assert_image_tensor(img)
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _require_channels(img, (1, 3))
    a = array_of(img)
    xp = xp_of_array(a)
    flat = a.reshape((-1,) + a.shape[-2:])  # every (H, W) plane on its own
    out = xp.stack([_equalize_channel(ch) for ch in flat])
    return wrap(out.reshape(a.shape))


def gaussian_blur(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    """Depthwise Gaussian blur with reflect padding (kernel_size = [kx, ky], sigma = [sx, sy])."""
    assert_image_tensor(img)
    a = array_of(img)
    xp = xp_of_array(a)
    orig = a.dtype
    ft = a.dtype if a.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    kx = _resample.gaussian_kernel1d(kernel_size[0], sigma[0]).astype(ft)
    ky = _resample.gaussian_kernel1d(kernel_size[1], sigma[1]).astype(ft)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    work = a.astype(ft)
    widths = [(0, 0)] * (a.ndim - 2) + [(py, py), (px, px)]
    work = xp.pad(work, widths, mode="reflect")
    out = _resample.separable_correlate(work, ky, kx)
    return wrap(_cast_back(out, orig))


def normalize_arrays(a, mean, std):
    """(a - mean) / std over the channel dim (used where no autograd is needed)."""
    xp = xp_of_array(a)
    mean = xp.asarray(mean, dtype=a.dtype)
    std = xp.asarray(std, dtype=a.dtype)
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    return (a - mean) / std
