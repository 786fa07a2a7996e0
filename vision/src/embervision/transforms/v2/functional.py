"""transforms.v2.functional: the v1 kernels dispatched by input type (PIL, Image/Video/plain tensor, Mask,
BoundingBoxes), with v2's names. Masks are resampled with nearest and skipped by colour ops; boxes move
with the geometry; other values pass through.
"""

from __future__ import annotations

import numpy as np
from PIL import Image as PILImage

import ember

from ... import tv_tensors as tv
from ..._backend import Tensor, array_of, wrap
from .. import _functional_tensor as F_t
from .. import functional as F1
from ..functional import InterpolationMode, _check_interpolation
from . import _boxes

__all__ = [
    "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation", "adjust_sharpness",
    "affine", "autocontrast", "center_crop", "clamp_bounding_boxes", "convert_bounding_box_format",
    "convert_image_dtype", "crop", "equalize", "erase", "five_crop", "gaussian_blur", "gaussian_noise",
    "get_dimensions", "get_num_channels", "get_size", "grayscale_to_rgb", "hflip", "horizontal_flip", "invert",
    "normalize", "pad", "permute_channels", "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop",
    "rgb_to_grayscale", "rotate", "solarize", "ten_crop", "to_dtype", "to_grayscale", "to_image", "to_pil_image",
    "to_pure_tensor", "vertical_flip", "vflip",
]

pil_to_tensor = F1.pil_to_tensor
to_pil_image = F1.to_pil_image
convert_image_dtype = F1.convert_image_dtype


def _plain(t: Tensor) -> Tensor:
    return t.as_subclass(Tensor) if isinstance(t, tv.TVTensor) else t


def _rewrap(out, like):
    if isinstance(like, tv.TVTensor) and isinstance(out, Tensor):
        return tv.wrap(out, like=like)
    return out


def _is_image_like(inpt) -> bool:
    return isinstance(inpt, (PILImage.Image, Tensor)) and not isinstance(inpt, (tv.Mask, tv.BoundingBoxes))


def _require_image(inpt, name: str) -> None:
    """As torchvision's functionals: image kernels refuse masks, boxes and non-images (the transform classes
    pass those through instead)."""
    if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)):
        raise TypeError(f"{name}() supports images, videos and plain tensors, got {type(inpt).__name__}")
    if not _is_image_like(inpt):
        raise TypeError(f"{name}() supports PIL images and tensors, got {type(inpt).__name__}")


def _color(fn, inpt, *args, name: str | None = None):
    """Apply an image-only kernel to a PIL image or (tagged) tensor."""
    _require_image(inpt, name or fn.__name__)
    return _rewrap(fn(_plain(inpt) if isinstance(inpt, Tensor) else inpt, *args), inpt)


def passthrough(kernel, inpt, *args, **kwargs):
    """Call a v2 functional, returning masks, boxes and non-image values unchanged (what transforms do)."""
    if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)) or not _is_image_like(inpt):
        return inpt
    return kernel(inpt, *args, **kwargs)


def _mask_op(fn, mask: tv.Mask):
    """Run an image kernel on a mask of shape (..., H, W) (masks have no channel dim of their own)."""
    t = _plain(mask)
    squeeze = t.ndim == 2
    out = fn(t.unsqueeze(0) if squeeze else t)
    return tv.wrap(out[0] if squeeze else out, like=mask)


# ------------------------------------------------------------------------------------------ queries


def get_dimensions(inpt) -> list[int]:
    if isinstance(inpt, tv.BoundingBoxes):
        raise TypeError("get_dimensions() is not defined for BoundingBoxes; use get_size()")
    return F1.get_dimensions(inpt)


def get_num_channels(inpt) -> int:
    return get_dimensions(inpt)[0]


def get_size(inpt) -> list[int]:
    """[height, width] of an image, video, mask or boxes' canvas."""
    if isinstance(inpt, tv.BoundingBoxes):
        return list(inpt.canvas_size)
    if isinstance(inpt, PILImage.Image):
        return [inpt.height, inpt.width]
    return [inpt.shape[-2], inpt.shape[-1]]


# ------------------------------------------------------------------------------------------ conversion


def to_image(inpt) -> tv.Image:
    """PIL image, ndarray (H, W, C) or tensor -> tv_tensors.Image (uint8 PIL data stays uint8)."""
    if isinstance(inpt, np.ndarray):
        arr = inpt[:, :, None] if inpt.ndim == 2 else inpt
        return tv.Image(wrap(np.ascontiguousarray(arr.transpose(2, 0, 1))))
    if isinstance(inpt, PILImage.Image):
        return tv.Image(F1.pil_to_tensor(inpt))
    if isinstance(inpt, Tensor):
        return tv.Image(_plain(inpt))
    raise TypeError(f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} instead.")


def to_pure_tensor(inpt):
    return _plain(inpt) if isinstance(inpt, tv.TVTensor) else inpt


def to_dtype(inpt, dtype=ember.float32, scale: bool = False):
    """Change the dtype; with ``scale`` images' values are rescaled (uint8 [0, 255] <-> float [0, 1])."""
    if isinstance(inpt, PILImage.Image):
        raise TypeError("to_dtype() takes tensors; convert PIL images with to_image() first")
    if not isinstance(inpt, Tensor):
        return inpt
    if scale and _is_image_like(inpt):
        return _rewrap(F1.convert_image_dtype(_plain(inpt), dtype), inpt)
    return _rewrap(_plain(inpt).to(dtype), inpt)


def normalize(inpt, mean, std, inplace: bool = False):
    return _color(lambda t: F1.normalize(t, mean, std, inplace), inpt, name="normalize")


# ------------------------------------------------------------------------------------------ geometry


def _geometric(inpt, image_fn, mask_fn=None, boxes_fn=None):
    if isinstance(inpt, tv.BoundingBoxes):
        return boxes_fn(inpt) if boxes_fn is not None else inpt
    if isinstance(inpt, tv.Mask):
        return _mask_op(mask_fn or image_fn, inpt)
    if isinstance(inpt, PILImage.Image):
        return image_fn(inpt)
    if isinstance(inpt, Tensor):
        return _rewrap(image_fn(_plain(inpt)), inpt)
    return inpt


def horizontal_flip(inpt):
    return _geometric(inpt, F1.hflip, boxes_fn=_boxes.hflip)


def vertical_flip(inpt):
    return _geometric(inpt, F1.vflip, boxes_fn=_boxes.vflip)


hflip = horizontal_flip
vflip = vertical_flip


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias: bool | None = True):
    """Resize; ``size=None`` with ``max_size`` caps the longer edge (v2)."""
    interpolation = _check_interpolation(interpolation)
    if isinstance(size, int):
        size = [size]
    if isinstance(inpt, tv.BoundingBoxes):
        new_h, new_w = F1.compute_resized_output_size(inpt.canvas_size, size, max_size)
        return _boxes.resize(inpt, new_h, new_w)
    if isinstance(inpt, tv.Mask):
        return _mask_op(lambda t: F1.resize(t, size, InterpolationMode.NEAREST, max_size, False), inpt)
    if size is None:
        h, w = get_size(inpt)
        size = F1.compute_resized_output_size((h, w), None, max_size)
        max_size = None
    if (isinstance(inpt, Tensor) and inpt.dtype == ember.uint8 and inpt.is_cpu
            and interpolation == InterpolationMode.BILINEAR):
        # torchvision v2 keeps uint8 images in uint8 on CPU (torch's fixed-point kernel); match it bit for bit
        out_size = F1.compute_resized_output_size(get_size(inpt), size, max_size)
        if out_size == get_size(inpt):
            return inpt
        return _rewrap(F_t.resize_uint8_bilinear(_plain(inpt), out_size, bool(antialias)), inpt)
    return _geometric(inpt, lambda t: F1.resize(t, size, interpolation, max_size, antialias))


def crop(inpt, top: int, left: int, height: int, width: int):
    return _geometric(inpt, lambda t: F1.crop(t, top, left, height, width),
                      boxes_fn=lambda b: _boxes.crop(b, top, left, height, width))


def center_crop(inpt, output_size):
    crop_h, crop_w = F1._size_pair(output_size)
    if isinstance(inpt, tv.BoundingBoxes):
        h, w = inpt.canvas_size
        top = int(round((h - crop_h) / 2.0))
        left = int(round((w - crop_w) / 2.0))
        return _boxes.crop(inpt, top, left, crop_h, crop_w)
    return _geometric(inpt, lambda t: F1.center_crop(t, [crop_h, crop_w]))


def resized_crop(inpt, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias: bool | None = True):
    return resize(crop(inpt, top, left, height, width), size, interpolation, antialias=antialias)


def _fill_value(fill, inpt):
    """Pick the fill for ``inpt`` from a number, a sequence, or a {type: fill, "others": fill} dict."""
    if isinstance(fill, dict):
        for cls, value in fill.items():
            if isinstance(cls, type) and isinstance(inpt, cls):
                return value
        if isinstance(inpt, Tensor) and not isinstance(inpt, tv.TVTensor) and Tensor in fill:
            return fill[Tensor]
        return fill.get("others", 0)
    return fill


def pad(inpt, padding, fill=0, padding_mode: str = "constant"):
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        left, right, top, bottom = F_t.parse_padding([padding] if isinstance(padding, int) else list(padding))
        return _boxes.pad(inpt, left, top, right, bottom)
    return _geometric(inpt, lambda t: F1.pad(t, padding, fill, padding_mode))


def rotate(inpt, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=None):
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        return _boxes.affine(inpt, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], center, expand)
    if isinstance(inpt, tv.Mask):
        return _mask_op(lambda t: F1.rotate(t, angle, InterpolationMode.NEAREST, expand, center, fill), inpt)
    return _geometric(inpt, lambda t: F1.rotate(t, angle, interpolation, expand, center, fill))


def affine(inpt, angle: float, translate, scale: float, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        return _boxes.affine(inpt, angle, [float(t) for t in translate], scale, F1._parse_shear(shear), center)
    if isinstance(inpt, tv.Mask):
        return _mask_op(
            lambda t: F1.affine(t, angle, translate, scale, shear, InterpolationMode.NEAREST, fill, center), inpt
        )
    return _geometric(inpt, lambda t: F1.affine(t, angle, translate, scale, shear, interpolation, fill, center))


def perspective(inpt, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        return _boxes.perspective(inpt, startpoints, endpoints)
    if isinstance(inpt, tv.Mask):
        return _mask_op(lambda t: F1.perspective(t, startpoints, endpoints, InterpolationMode.NEAREST, fill), inpt)
    return _geometric(inpt, lambda t: F1.perspective(t, startpoints, endpoints, interpolation, fill))


def five_crop(inpt, size):
    return tuple(_rewrap(o, inpt) for o in F1.five_crop(_plain(inpt) if isinstance(inpt, Tensor) else inpt, size))


def ten_crop(inpt, size, vertical_flip: bool = False):
    crops = F1.ten_crop(_plain(inpt) if isinstance(inpt, Tensor) else inpt, size, vertical_flip)
    return tuple(_rewrap(o, inpt) for o in crops)


# ------------------------------------------------------------------------------------------ colour


def adjust_brightness(inpt, brightness_factor: float):
    return _color(F1.adjust_brightness, inpt, brightness_factor)


def adjust_contrast(inpt, contrast_factor: float):
    return _color(F1.adjust_contrast, inpt, contrast_factor)


def adjust_saturation(inpt, saturation_factor: float):
    return _color(F1.adjust_saturation, inpt, saturation_factor)


def adjust_hue(inpt, hue_factor: float):
    return _color(F1.adjust_hue, inpt, hue_factor)


def adjust_gamma(inpt, gamma: float, gain: float = 1):
    return _color(F1.adjust_gamma, inpt, gamma, gain)


def adjust_sharpness(inpt, sharpness_factor: float):
    return _color(F1.adjust_sharpness, inpt, sharpness_factor)


def invert(inpt):
    return _color(F1.invert, inpt)


def posterize(inpt, bits: int):
    return _color(F1.posterize, inpt, bits)


def solarize(inpt, threshold: float):
    return _color(F1.solarize, inpt, threshold)


def autocontrast(inpt):
    return _color(F1.autocontrast, inpt)


def equalize(inpt):
    return _color(F1.equalize, inpt)


def rgb_to_grayscale(inpt, num_output_channels: int = 1):
    return _color(F1.rgb_to_grayscale, inpt, num_output_channels)


to_grayscale = rgb_to_grayscale


def grayscale_to_rgb(inpt):
    """Repeat a single channel three times (RGB images are returned as they are)."""
    if isinstance(inpt, PILImage.Image):
        return inpt.convert("RGB")
    _require_image(inpt, "grayscale_to_rgb")
    t = _plain(inpt)
    if t.shape[-3] == 3:
        return inpt
    return _rewrap(ember.cat([t, t, t], dim=-3), inpt)


def gaussian_blur(inpt, kernel_size, sigma=None):
    return _color(F1.gaussian_blur, inpt, kernel_size, sigma)


def gaussian_noise(inpt, mean: float = 0.0, sigma: float = 0.1, clip: bool = True):
    """Add N(mean, sigma) noise to a float image tensor, optionally clipped to [0, 1]."""
    if isinstance(inpt, PILImage.Image):
        raise TypeError("gaussian_noise() takes float tensors; convert PIL images with to_image/to_dtype first")
    _require_image(inpt, "gaussian_noise")
    t = _plain(inpt)
    if not t.is_floating_point():
        raise ValueError(f"Input tensor is expected to be in float dtype, got dtype={t.dtype}")
    if sigma < 0:
        raise ValueError(f"sigma shouldn't be negative. Got {sigma}")
    out = t + ember.randn(tuple(t.shape), dtype=t.dtype, device=t.device) * sigma + mean
    if clip:
        out = out.clamp(0, 1)
    return _rewrap(out, inpt)


def permute_channels(inpt, permutation):
    """Reorder the channels: out[..., i, :, :] = in[..., permutation[i], :, :]."""
    if isinstance(inpt, PILImage.Image):
        return F1.to_pil_image(permute_channels(F1.pil_to_tensor(inpt), permutation))
    _require_image(inpt, "permute_channels")
    t = _plain(inpt)
    return _rewrap(wrap(array_of(t)[..., list(permutation), :, :]), inpt)


def erase(inpt, i: int, j: int, h: int, w: int, v, inplace: bool = False):
    return _color(lambda t: F1.erase(t, i, j, h, w, v, inplace), inpt, name="erase")


# ------------------------------------------------------------------------------------------ boxes


def convert_bounding_box_format(inpt: tv.BoundingBoxes, old_format=None, new_format=None, inplace: bool = False):
    """Convert boxes between XYXY, XYWH and CXCYWH."""
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    if not isinstance(inpt, tv.BoundingBoxes):
        if old_format is None:
            raise ValueError("For pure tensors, `old_format` has to be passed.")
        inpt = tv.BoundingBoxes(inpt, format=old_format, canvas_size=(1, 1))
        return _plain(_boxes.convert_format(inpt, new_format))
    return _boxes.convert_format(inpt, new_format)


def clamp_bounding_boxes(inpt: tv.BoundingBoxes, format=None, canvas_size=None):
    """Clip boxes to their canvas."""
    if not isinstance(inpt, tv.BoundingBoxes):
        if format is None or canvas_size is None:
            raise ValueError("For pure tensors, `format` and `canvas_size` have to be passed.")
        return _plain(_boxes.clamp(tv.BoundingBoxes(inpt, format=format, canvas_size=canvas_size)))
    return _boxes.clamp(inpt)
