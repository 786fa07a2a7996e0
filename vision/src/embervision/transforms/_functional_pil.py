"""PIL kernels of the functional transforms: what torchvision's _functional_pil does, with Pillow."""

from __future__ import annotations

import numbers

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

__all__ = []  # internal; reached through embervision.transforms.functional


def is_pil_image(img) -> bool:
    return isinstance(img, Image.Image)


def _assert_pil(img) -> None:
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_image_num_channels(img: Image.Image) -> int:
    _assert_pil(img)
    return len(img.getbands())


def get_dimensions(img: Image.Image) -> list[int]:
    _assert_pil(img)
    width, height = img.size
    return [len(img.getbands()), height, width]


def get_image_size(img: Image.Image) -> list[int]:
    _assert_pil(img)
    return list(img.size)


def parse_fill(fill, img: Image.Image, name: str = "fillcolor") -> dict:
    """Pillow's fill argument for ``img``: a number per channel, ints unless the mode is "F"."""
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * num_channels
        elif len(fill) != num_channels:
            raise ValueError(
                "The number of elements in 'fill' does not match the number of channels of the image "
                f"({len(fill)} != {num_channels})"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def hflip(img):
    _assert_pil(img)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _assert_pil(img)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(img, top: int, left: int, height: int, width: int):
    _assert_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size: list[int], interpolation: int):
    _assert_pil(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    _assert_pil(img)
    if isinstance(padding, numbers.Number):
        padding = (int(padding),) * 4
    padding = tuple(padding)
    if len(padding) == 1:
        padding = padding * 4
    if len(padding) == 2:
        padding = (padding[0], padding[1], padding[0], padding[1])
    left, top, right, bottom = padding
    if padding_mode == "constant" and min(padding) >= 0:
        opts = parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            out = ImageOps.expand(img, border=padding, **opts)
            out.putpalette(palette)
            return out
        return ImageOps.expand(img, border=padding, **opts)
    # negative padding crops first, as torchvision
    cl, ct, cr, cb = (-min(p, 0) for p in (left, top, right, bottom))
    if cl or ct or cr or cb:
        w, h = img.size
        img = img.crop((cl, ct, w - cr, h - cb))
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == "constant":
        return pad(img, (left, top, right, bottom), fill, "constant")
    palette = img.getpalette() if img.mode == "P" else None
    arr = np.asarray(img)
    widths = ((top, bottom), (left, right)) + (((0, 0),) if arr.ndim == 3 else ())
    out = Image.fromarray(np.pad(arr, widths, mode=padding_mode), mode=img.mode if arr.ndim == 2 else None)
    if palette is not None:
        out.putpalette(palette)
    return out


def affine(img, matrix: list[float], interpolation: int = Image.NEAREST, fill=None):
    _assert_pil(img)
    return img.transform(img.size, Image.AFFINE, matrix, interpolation, **parse_fill(fill, img))


def rotate(img, angle: float, interpolation: int = Image.NEAREST, expand: bool = False, center=None, fill=None):
    _assert_pil(img)
    return img.rotate(angle, interpolation, expand, center, **parse_fill(fill, img))


def perspective(img, coeffs: list[float], interpolation: int = Image.BICUBIC, fill=None):
    _assert_pil(img)
    return img.transform(img.size, Image.PERSPECTIVE, coeffs, interpolation, **parse_fill(fill, img))


def to_grayscale(img, num_output_channels: int):
    _assert_pil(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        gray = np.asarray(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.dstack([gray, gray, gray]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def adjust_brightness(img, factor: float):
    _assert_pil(img)
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor: float):
    _assert_pil(img)
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor: float):
    _assert_pil(img)
    return ImageEnhance.Color(img).enhance(factor)


def adjust_sharpness(img, factor: float):
    _assert_pil(img)
    return ImageEnhance.Sharpness(img).enhance(factor)


def adjust_hue(img, hue_factor: float):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _assert_pil(img)
    mode = img.mode
    if mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over="ignore"):  # uint8 wrap-around rotates the hue
        np_h += np.int32(hue_factor * 255).astype(np.uint8)
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(mode)


def adjust_gamma(img, gamma: float, gain: float = 1.0):
    _assert_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)] * 3
    return img.point(gamma_map).convert(mode)


def invert(img):
    _assert_pil(img)
    return ImageOps.invert(img)


def posterize(img, bits: int):
    _assert_pil(img)
    return ImageOps.posterize(img, bits)


def solarize(img, threshold: int):
    _assert_pil(img)
    return ImageOps.solarize(img, threshold)


def autocontrast(img):
    _assert_pil(img)
    return ImageOps.autocontrast(img)


def equalize(img):
    _assert_pil(img)
    return ImageOps.equalize(img)
