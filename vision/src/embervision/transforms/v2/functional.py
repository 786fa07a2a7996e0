"""transforms.v2.functional: the v1 kernels dispatched by input type (PIL, Image/Video/plain tensor, Mask,
BoundingBoxes), with v2's names. Masks are resampled with nearest and skipped by colour ops; boxes move
with the geometry; other values pass through.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image as PILImage

import ember

from ... import tv_tensors as tv
from ..._backend import Tensor, array_of, wrap
from .. import _functional_pil as F_pil
from .. import _functional_tensor as F_t
from .. import functional as F1
from ..functional import InterpolationMode, _check_interpolation
from . import _boxes

__all__ = [
    "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation", "adjust_sharpness",
    "affine", "autocontrast", "center_crop", "clamp_bounding_boxes", "convert_bounding_box_format",
    "convert_image_dtype", "crop", "elastic", "elastic_transform", "equalize", "erase", "five_crop", "gaussian_blur",
    "gaussian_noise", "get_dimensions", "get_image_num_channels", "get_num_channels", "get_size", "grayscale_to_rgb",
    "hflip", "horizontal_flip", "invert", "is_pure_tensor", "jpeg", "normalize", "pad", "permute_channels",
    "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop", "rgb_to_grayscale", "rotate",
    "sanitize_bounding_boxes", "solarize", "ten_crop", "to_dtype", "to_grayscale", "to_image", "to_pil_image",
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


get_image_num_channels = get_num_channels


def is_pure_tensor(inpt) -> bool:
    """A tensor without a tv_tensors tag."""
    return isinstance(inpt, Tensor) and not isinstance(inpt, tv.TVTensor)


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
        # masks only take the nearest modes; any other is coerced to NEAREST, as torchvision does
        if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
            interpolation = InterpolationMode.NEAREST
        return _mask_op(lambda t: F1.resize(t, size, interpolation, max_size, False), inpt)
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


def _perspective_coefficients(startpoints, endpoints, coefficients) -> list[float]:
    """The 8 homography coefficients: given directly, or from the 4 start and end corners (not both)."""
    if coefficients is not None:
        if startpoints is not None and endpoints is not None:
            raise ValueError("The startpoints/endpoints and the coefficients shouldn't be defined concurrently.")
        if len(coefficients) != 8:
            raise ValueError("Argument coefficients should have 8 float values")
        return [float(c) for c in coefficients]
    if startpoints is not None and endpoints is not None:
        if len(startpoints) != 4 or len(endpoints) != 4:
            raise ValueError("Please provide only four corners for startpoints and endpoints, got "
                             f"{len(startpoints)} and {len(endpoints)}")
        return F1._get_perspective_coeffs(startpoints, endpoints)
    raise ValueError("Either the startpoints/endpoints or the coefficients must have non `None` values.")


def perspective(inpt, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None,
                coefficients=None):
    """Warp so the 4 ``startpoints`` land on ``endpoints`` (or by the 8 output->input ``coefficients``)."""
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        return _boxes.perspective(inpt, coeffs)
    interpolation = _check_interpolation(interpolation)

    def warp(img, mode):
        if isinstance(img, PILImage.Image):
            return F_pil.perspective(img, coeffs, F1.pil_modes_mapping[mode], fill)
        return F_t.perspective(img, coeffs, mode.value, F1._tensor_fill(img, fill))

    if isinstance(inpt, tv.Mask):
        return _mask_op(lambda t: warp(t, InterpolationMode.NEAREST), inpt)
    return _geometric(inpt, lambda t: warp(t, interpolation))


def _elastic_tensor(image: Tensor, displacement: Tensor, interpolation=InterpolationMode.BILINEAR, fill=None):
    """v2's tensor path: the grid is in the image's float dtype (float32 for integer images)."""
    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    interpolation = _check_interpolation(interpolation)
    image = _plain(image)
    height, width = image.shape[-2:]
    expected = (1, height, width, 2)
    if tuple(displacement.shape) != expected:
        raise ValueError(f"Argument displacement shape should be {expected}, but given {tuple(displacement.shape)}")
    F_t._check_grid_args(image, interpolation.value, fill)
    a = array_of(image)
    dtype = a.dtype if a.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    gx, gy = F_t.elastic_grid(image, displacement, dtype)
    return F_t._apply_grid(image, gx, gy, interpolation.value, fill)


def elastic(inpt, displacement: Tensor, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Resample at identity + ``displacement`` ((1, H, W, 2), normalized units); masks use nearest, boxes move
    by torchvision's approximate inverse (identity - displacement) at their corners."""
    fill = _fill_value(fill, inpt)
    if isinstance(inpt, tv.BoundingBoxes):
        return _boxes.elastic(inpt, displacement)
    if isinstance(inpt, tv.Mask):
        return _mask_op(lambda t: _elastic_tensor(t, displacement, InterpolationMode.NEAREST, fill), inpt)
    if isinstance(inpt, PILImage.Image):
        out = _elastic_tensor(F1.pil_to_tensor(inpt), displacement, interpolation, fill)
        return F1.to_pil_image(out, mode=inpt.mode)
    _require_image(inpt, "elastic")
    return _rewrap(_elastic_tensor(inpt, displacement, interpolation, fill), inpt)


elastic_transform = elastic


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


def _tensor_or_pil(tensor_kernel, pil_fn):
    """A colour op with v2's own tensor arithmetic (which rounds differently from v1's) and v1's PIL path."""
    def fn(img, *args):
        return pil_fn(img, *args) if isinstance(img, PILImage.Image) else tensor_kernel(img, *args)

    fn.__name__ = pil_fn.__name__
    return fn


def adjust_sharpness(inpt, sharpness_factor: float):
    return _color(_tensor_or_pil(F_t.adjust_sharpness_v2, F1.adjust_sharpness), inpt, sharpness_factor)


def invert(inpt):
    return _color(F1.invert, inpt)


def posterize(inpt, bits: int):
    return _color(F1.posterize, inpt, bits)


def solarize(inpt, threshold: float):
    return _color(F1.solarize, inpt, threshold)


def autocontrast(inpt):
    return _color(_tensor_or_pil(F_t.autocontrast_v2, F1.autocontrast), inpt)


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


def jpeg(image, quality: int):
    """Encode as JPEG at ``quality`` (1-100) and decode again, through Pillow; tensors must be uint8 with 1 or
    3 channels, any leading dims."""
    if isinstance(image, PILImage.Image):
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=quality)
        return PILImage.open(buf).copy()
    _require_image(image, "jpeg")
    return _rewrap(_jpeg_tensor(_plain(image), quality), image)


def _jpeg_tensor(image: Tensor, quality: int) -> Tensor:
    from ...io import decode_jpeg, encode_jpeg

    flat = image.reshape((-1,) + tuple(image.shape[-3:]))  # (..., C, H, W) -> (B, C, H, W)
    if flat.shape[0] == 0:
        return image.clone()
    frames = [decode_jpeg(encode_jpeg(frame.cpu(), quality=quality)) for frame in flat]
    return ember.stack(frames, dim=0).reshape(tuple(image.shape)).to(image.device)


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


def _box_format(format):
    return tv.BoundingBoxFormat[format.upper()] if isinstance(format, str) else format


def sanitize_bounding_boxes(bounding_boxes, format=None, canvas_size=None, min_size: float = 1.0,
                            min_area: float = 1.0):
    """(the valid boxes, the bool mask of them): boxes narrower or shorter than ``min_size``, smaller than
    ``min_area``, or with a corner outside the canvas are dropped. Index labels with the mask."""
    if isinstance(bounding_boxes, tv.BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError(
                "format and canvas_size must be None when bounding_boxes is a tv_tensors.BoundingBoxes instance. "
                f"Got format={format} and canvas_size={canvas_size}. "
                "Leave those to None or pass bounding_boxes as a pure tensor."
            )
        boxes = bounding_boxes
    elif isinstance(bounding_boxes, Tensor):
        if format is None or canvas_size is None:
            raise ValueError(
                "format and canvas_size cannot be None if bounding_boxes is a pure tensor. "
                f"Got format={format} and canvas_size={canvas_size}."
                "Set those to appropriate values or pass bounding_boxes as a tv_tensors.BoundingBoxes object."
            )
        boxes = tv.BoundingBoxes(bounding_boxes, format=_box_format(format), canvas_size=canvas_size)
    else:
        raise ValueError("bounding_boxes must be a tv_tensors.BoundingBoxes instance or a pure tensor.")
    b = _boxes._xyxy(boxes)
    h, w = boxes.canvas_size
    ws, hs = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    valid = (ws >= min_size) & (hs >= min_size) & (b >= 0).all(axis=-1) & (ws * hs >= min_area)
    valid &= (b[:, 0] <= w) & (b[:, 2] <= w) & (b[:, 1] <= h) & (b[:, 3] <= h)
    mask = ember.from_numpy(valid).to(bounding_boxes.device)
    kept = _plain(bounding_boxes)[mask]
    return (_rewrap(kept, bounding_boxes), mask)


def clamp_bounding_boxes(inpt: tv.BoundingBoxes, format=None, canvas_size=None):
    """Clip boxes to their canvas."""
    if not isinstance(inpt, tv.BoundingBoxes):
        if format is None or canvas_size is None:
            raise ValueError("For pure tensors, `format` and `canvas_size` have to be passed.")
        return _plain(_boxes.clamp(tv.BoundingBoxes(inpt, format=format, canvas_size=canvas_size)))
    return _boxes.clamp(inpt)


# the per-type kernels (resize_image, resize_mask, resize_bounding_boxes, ...) run the dispatchers above
from ._kernels import *  # noqa: E402, F401, F403
from ._kernels import __all__ as _kernel_names  # noqa: E402

__all__ += _kernel_names
