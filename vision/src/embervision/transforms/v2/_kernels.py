"""transforms.v2.functional's per-type kernels (``resize_image``, ``resize_mask``, ``resize_bounding_boxes``, ...).

Each runs one input type's path of the dispatcher of the same stem on a plain tensor and returns a plain tensor,
as torchvision's kernels do. Box kernels take the format and canvas size explicitly; those that change the
canvas return ``(boxes, canvas_size)``. ``clamping_mode`` None skips the clamp to the canvas ("soft" and "hard"
are the same for axis-aligned boxes).
"""

from __future__ import annotations

import functools
import inspect

from PIL import Image as PILImage

from ... import tv_tensors as tv
from ..._backend import Tensor
from .._functional_tensor import parse_padding
from ..functional import InterpolationMode, _check_interpolation, _parse_shear, _size_pair
from . import _boxes
from . import functional as F

# ------------------------------------------------------------------------------------------ helpers


def _pure(x):
    """A plain tensor (tags dropped); tuples of results element-wise; PIL images unchanged."""
    if isinstance(x, tuple):
        return tuple(_pure(o) for o in x)
    return x.as_subclass(Tensor) if isinstance(x, tv.TVTensor) else x


def _image_input(image):
    """What an image kernel hands its dispatcher: a plain tensor (so it counts as the image), or a PIL image."""
    if isinstance(image, PILImage.Image):
        return image
    if not isinstance(image, Tensor):
        raise TypeError(f"expected an image tensor, got {type(image).__name__}")
    return _pure(image)


def _mask_input(mask) -> tv.Mask:
    if not isinstance(mask, Tensor):
        raise TypeError(f"expected a mask tensor, got {type(mask).__name__}")
    return tv.Mask(_pure(mask))


def _boxes_input(bounding_boxes, format, canvas_size) -> tv.BoundingBoxes:
    if not isinstance(bounding_boxes, Tensor):
        raise TypeError(f"expected a bounding boxes tensor, got {type(bounding_boxes).__name__}")
    return tv.BoundingBoxes(_pure(bounding_boxes), format=F._box_format(format), canvas_size=canvas_size)


def _clamps(clamping_mode) -> bool:
    if clamping_mode not in ("soft", "hard", None):
        raise ValueError(f"clamping_mode must be 'soft', 'hard' or None, got {clamping_mode!r}")
    return clamping_mode is not None


def _with_canvas(boxes: tv.BoundingBoxes) -> tuple[Tensor, tuple[int, int]]:
    return _pure(boxes), tuple(boxes.canvas_size)


def _image_kernel(dispatcher, name: str):
    """``dispatcher`` restricted to images: a plain tensor in, a plain tensor out."""

    @functools.wraps(dispatcher)
    def kernel(image, *args, **kwargs):
        return _pure(dispatcher(_image_input(image), *args, **kwargs))

    params = list(inspect.signature(dispatcher).parameters.values())
    kernel.__signature__ = inspect.Signature([params[0].replace(name="image")] + params[1:])
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"{dispatcher.__name__}() of an image tensor (..., C, H, W); returns a plain tensor."
    return kernel


def _video_kernel(image_kernel, name: str):
    """The image kernel under its video name (first argument ``video``, (..., T, C, H, W))."""

    def kernel(*args, **kwargs):
        if "video" in kwargs:
            args = (kwargs.pop("video"),) + args
        return image_kernel(*args, **kwargs)

    params = list(inspect.signature(image_kernel).parameters.values())
    kernel.__signature__ = inspect.Signature([params[0].replace(name="video")] + params[1:])
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = image_kernel.__doc__.replace("an image tensor (..., C, H, W)", "a video tensor (..., T, C, H, W)")
    return kernel


# ------------------------------------------------------------------------------------------ images, videos

adjust_brightness_image = _image_kernel(F.adjust_brightness, "adjust_brightness_image")
adjust_contrast_image = _image_kernel(F.adjust_contrast, "adjust_contrast_image")
adjust_gamma_image = _image_kernel(F.adjust_gamma, "adjust_gamma_image")
adjust_hue_image = _image_kernel(F.adjust_hue, "adjust_hue_image")
adjust_saturation_image = _image_kernel(F.adjust_saturation, "adjust_saturation_image")
adjust_sharpness_image = _image_kernel(F.adjust_sharpness, "adjust_sharpness_image")
affine_image = _image_kernel(F.affine, "affine_image")
autocontrast_image = _image_kernel(F.autocontrast, "autocontrast_image")
center_crop_image = _image_kernel(F.center_crop, "center_crop_image")
crop_image = _image_kernel(F.crop, "crop_image")
elastic_image = _image_kernel(F.elastic, "elastic_image")
equalize_image = _image_kernel(F.equalize, "equalize_image")
erase_image = _image_kernel(F.erase, "erase_image")
five_crop_image = _image_kernel(F.five_crop, "five_crop_image")
gaussian_blur_image = _image_kernel(F.gaussian_blur, "gaussian_blur_image")
gaussian_noise_image = _image_kernel(F.gaussian_noise, "gaussian_noise_image")
grayscale_to_rgb_image = _image_kernel(F.grayscale_to_rgb, "grayscale_to_rgb_image")
horizontal_flip_image = _image_kernel(F.horizontal_flip, "horizontal_flip_image")
invert_image = _image_kernel(F.invert, "invert_image")
jpeg_image = _image_kernel(F.jpeg, "jpeg_image")
normalize_image = _image_kernel(F.normalize, "normalize_image")
pad_image = _image_kernel(F.pad, "pad_image")
permute_channels_image = _image_kernel(F.permute_channels, "permute_channels_image")
perspective_image = _image_kernel(F.perspective, "perspective_image")
posterize_image = _image_kernel(F.posterize, "posterize_image")
resize_image = _image_kernel(F.resize, "resize_image")
resized_crop_image = _image_kernel(F.resized_crop, "resized_crop_image")
rgb_to_grayscale_image = _image_kernel(F.rgb_to_grayscale, "rgb_to_grayscale_image")
rotate_image = _image_kernel(F.rotate, "rotate_image")
solarize_image = _image_kernel(F.solarize, "solarize_image")
ten_crop_image = _image_kernel(F.ten_crop, "ten_crop_image")
to_dtype_image = _image_kernel(F.to_dtype, "to_dtype_image")
vertical_flip_image = _image_kernel(F.vertical_flip, "vertical_flip_image")

adjust_brightness_video = _video_kernel(adjust_brightness_image, "adjust_brightness_video")
adjust_contrast_video = _video_kernel(adjust_contrast_image, "adjust_contrast_video")
adjust_gamma_video = _video_kernel(adjust_gamma_image, "adjust_gamma_video")
adjust_hue_video = _video_kernel(adjust_hue_image, "adjust_hue_video")
adjust_saturation_video = _video_kernel(adjust_saturation_image, "adjust_saturation_video")
adjust_sharpness_video = _video_kernel(adjust_sharpness_image, "adjust_sharpness_video")
affine_video = _video_kernel(affine_image, "affine_video")
autocontrast_video = _video_kernel(autocontrast_image, "autocontrast_video")
center_crop_video = _video_kernel(center_crop_image, "center_crop_video")
crop_video = _video_kernel(crop_image, "crop_video")
elastic_video = _video_kernel(elastic_image, "elastic_video")
equalize_video = _video_kernel(equalize_image, "equalize_video")
erase_video = _video_kernel(erase_image, "erase_video")
five_crop_video = _video_kernel(five_crop_image, "five_crop_video")
gaussian_blur_video = _video_kernel(gaussian_blur_image, "gaussian_blur_video")
gaussian_noise_video = _video_kernel(gaussian_noise_image, "gaussian_noise_video")
horizontal_flip_video = _video_kernel(horizontal_flip_image, "horizontal_flip_video")
invert_video = _video_kernel(invert_image, "invert_video")
jpeg_video = _video_kernel(jpeg_image, "jpeg_video")
normalize_video = _video_kernel(normalize_image, "normalize_video")
pad_video = _video_kernel(pad_image, "pad_video")
permute_channels_video = _video_kernel(permute_channels_image, "permute_channels_video")
perspective_video = _video_kernel(perspective_image, "perspective_video")
posterize_video = _video_kernel(posterize_image, "posterize_video")
resize_video = _video_kernel(resize_image, "resize_video")
resized_crop_video = _video_kernel(resized_crop_image, "resized_crop_video")
rotate_video = _video_kernel(rotate_image, "rotate_video")
solarize_video = _video_kernel(solarize_image, "solarize_video")
ten_crop_video = _video_kernel(ten_crop_image, "ten_crop_video")
to_dtype_video = _video_kernel(to_dtype_image, "to_dtype_video")
vertical_flip_video = _video_kernel(vertical_flip_image, "vertical_flip_video")

# ------------------------------------------------------------------------------------------ queries


def get_dimensions_image(image) -> list[int]:
    return F.get_dimensions(_image_input(image))


def get_dimensions_video(video) -> list[int]:
    return get_dimensions_image(video)


def get_num_channels_image(image) -> int:
    return get_dimensions_image(image)[0]


def get_num_channels_video(video) -> int:
    return get_num_channels_image(video)


def get_size_image(image) -> list[int]:
    """[height, width]."""
    return F.get_size(_image_input(image))


def get_size_video(video) -> list[int]:
    return get_size_image(video)


def get_size_mask(mask) -> list[int]:
    return [mask.shape[-2], mask.shape[-1]]


def get_size_bounding_boxes(bounding_box: tv.BoundingBoxes) -> list[int]:
    return list(bounding_box.canvas_size)


def get_num_frames_video(video) -> int:
    """T of a (..., T, C, H, W) video."""
    return video.shape[-4]


def get_num_frames(inpt) -> int:
    if isinstance(inpt, tv.Video) or (isinstance(inpt, Tensor) and not isinstance(inpt, tv.TVTensor)):
        return get_num_frames_video(inpt)
    raise TypeError(f"get_num_frames() supports videos and plain tensors, got {type(inpt).__name__}")


# ------------------------------------------------------------------------------------------ masks


def horizontal_flip_mask(mask) -> Tensor:
    return _pure(F.horizontal_flip(_mask_input(mask)))


def vertical_flip_mask(mask) -> Tensor:
    return _pure(F.vertical_flip(_mask_input(mask)))


def resize_mask(mask, size, interpolation=InterpolationMode.BILINEAR, max_size=None) -> Tensor:
    """Nearest (or nearest-exact) resize; any other mode is coerced to nearest, as torchvision does."""
    return _pure(F.resize(_mask_input(mask), size, _check_interpolation(interpolation), max_size))


def crop_mask(mask, top: int, left: int, height: int, width: int) -> Tensor:
    return _pure(F.crop(_mask_input(mask), top, left, height, width))


def center_crop_mask(mask, output_size) -> Tensor:
    return _pure(F.center_crop(_mask_input(mask), output_size))


def resized_crop_mask(mask, top: int, left: int, height: int, width: int, size) -> Tensor:
    return _pure(F.resized_crop(_mask_input(mask), top, left, height, width, size))


def pad_mask(mask, padding, fill=None, padding_mode: str = "constant") -> Tensor:
    return _pure(F.pad(_mask_input(mask), padding, 0 if fill is None else fill, padding_mode))


def rotate_mask(mask, angle: float, expand: bool = False, center=None, fill=None) -> Tensor:
    return _pure(F.rotate(_mask_input(mask), angle, InterpolationMode.NEAREST, expand, center, fill))


def affine_mask(mask, angle: float, translate, scale: float, shear, fill=None, center=None) -> Tensor:
    return _pure(F.affine(_mask_input(mask), angle, translate, scale, shear, InterpolationMode.NEAREST, fill, center))


def perspective_mask(mask, startpoints, endpoints, fill=None, coefficients=None) -> Tensor:
    return _pure(F.perspective(_mask_input(mask), startpoints, endpoints, InterpolationMode.NEAREST, fill,
                               coefficients))


def elastic_mask(mask, displacement: Tensor, fill=None) -> Tensor:
    return _pure(F.elastic(_mask_input(mask), displacement, InterpolationMode.NEAREST, fill))


# ------------------------------------------------------------------------------------------ boxes


def horizontal_flip_bounding_boxes(bounding_boxes, format, canvas_size) -> Tensor:
    return _pure(_boxes.hflip(_boxes_input(bounding_boxes, format, canvas_size)))


def vertical_flip_bounding_boxes(bounding_boxes, format, canvas_size) -> Tensor:
    return _pure(_boxes.vflip(_boxes_input(bounding_boxes, format, canvas_size)))


def resize_bounding_boxes(bounding_boxes, canvas_size, size, max_size=None, format=tv.BoundingBoxFormat.XYXY,
                          clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    _clamps(clamping_mode)
    return _with_canvas(F.resize(_boxes_input(bounding_boxes, format, canvas_size), size, max_size=max_size))


def crop_bounding_boxes(bounding_boxes, format, top: int, left: int, height: int, width: int,
                        clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    boxes = _boxes_input(bounding_boxes, format, (height, width))  # the canvas only matters after the crop
    return _with_canvas(_boxes.crop(boxes, top, left, height, width, _clamps(clamping_mode)))


def center_crop_bounding_boxes(bounding_boxes, format, canvas_size, output_size,
                               clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    crop_h, crop_w = _size_pair(output_size)
    h, w = canvas_size
    top, left = int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0))
    return crop_bounding_boxes(bounding_boxes, format, top, left, crop_h, crop_w, clamping_mode)


def resized_crop_bounding_boxes(bounding_boxes, format, top: int, left: int, height: int, width: int, size,
                                clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    boxes, canvas = crop_bounding_boxes(bounding_boxes, format, top, left, height, width, clamping_mode)
    return resize_bounding_boxes(boxes, canvas, size, format=format, clamping_mode=clamping_mode)


def pad_bounding_boxes(bounding_boxes, format, canvas_size, padding, padding_mode: str = "constant",
                       clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    if padding_mode not in ["constant"]:
        raise ValueError(f"Padding mode '{padding_mode}' is not supported with bounding boxes")
    left, right, top, bottom = parse_padding([padding] if isinstance(padding, int) else list(padding))
    boxes = _boxes_input(bounding_boxes, format, canvas_size)
    return _with_canvas(_boxes.pad(boxes, left, top, right, bottom, _clamps(clamping_mode)))


def rotate_bounding_boxes(bounding_boxes, format, canvas_size, angle: float, expand: bool = False, center=None,
                          clamping_mode="soft") -> tuple[Tensor, tuple[int, int]]:
    boxes = _boxes_input(bounding_boxes, format, canvas_size)
    out = _boxes.affine(boxes, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], center, expand, _clamps(clamping_mode))
    return _with_canvas(out)


def affine_bounding_boxes(bounding_boxes, format, canvas_size, angle: float, translate, scale: float, shear,
                          center=None, clamping_mode="soft") -> Tensor:
    boxes = _boxes_input(bounding_boxes, format, canvas_size)
    return _pure(_boxes.affine(boxes, angle, [float(t) for t in translate], scale, _parse_shear(shear), center,
                               clamp=_clamps(clamping_mode)))


def perspective_bounding_boxes(bounding_boxes, format, canvas_size, startpoints, endpoints, coefficients=None,
                               clamping_mode="soft") -> Tensor:
    coeffs = F._perspective_coefficients(startpoints, endpoints, coefficients)
    boxes = _boxes_input(bounding_boxes, format, canvas_size)
    return _pure(_boxes.perspective(boxes, coeffs, _clamps(clamping_mode)))


def elastic_bounding_boxes(bounding_boxes, format, canvas_size, displacement: Tensor,
                           clamping_mode="soft") -> Tensor:
    boxes = _boxes_input(bounding_boxes, format, canvas_size)
    return _pure(_boxes.elastic(boxes, displacement, _clamps(clamping_mode)))


__all__ = [
    "adjust_brightness_image", "adjust_brightness_video", "adjust_contrast_image", "adjust_contrast_video",
    "adjust_gamma_image", "adjust_gamma_video", "adjust_hue_image", "adjust_hue_video", "adjust_saturation_image",
    "adjust_saturation_video", "adjust_sharpness_image", "adjust_sharpness_video", "affine_bounding_boxes",
    "affine_image", "affine_mask", "affine_video", "autocontrast_image", "autocontrast_video",
    "center_crop_bounding_boxes", "center_crop_image", "center_crop_mask", "center_crop_video", "crop_bounding_boxes",
    "crop_image", "crop_mask", "crop_video", "elastic_bounding_boxes", "elastic_image", "elastic_mask",
    "elastic_video", "equalize_image", "equalize_video", "erase_image", "erase_video", "five_crop_image",
    "five_crop_video", "gaussian_blur_image", "gaussian_blur_video", "gaussian_noise_image", "gaussian_noise_video",
    "get_dimensions_image", "get_dimensions_video", "get_num_channels_image", "get_num_channels_video",
    "get_num_frames", "get_num_frames_video", "get_size_bounding_boxes", "get_size_image", "get_size_mask",
    "get_size_video", "grayscale_to_rgb_image", "horizontal_flip_bounding_boxes", "horizontal_flip_image",
    "horizontal_flip_mask", "horizontal_flip_video", "invert_image", "invert_video", "jpeg_image", "jpeg_video",
    "normalize_image", "normalize_video", "pad_bounding_boxes", "pad_image", "pad_mask", "pad_video",
    "permute_channels_image", "permute_channels_video", "perspective_bounding_boxes", "perspective_image",
    "perspective_mask", "perspective_video", "posterize_image", "posterize_video", "resize_bounding_boxes",
    "resize_image", "resize_mask", "resize_video", "resized_crop_bounding_boxes", "resized_crop_image",
    "resized_crop_mask", "resized_crop_video", "rgb_to_grayscale_image", "rotate_bounding_boxes", "rotate_image",
    "rotate_mask", "rotate_video", "solarize_image", "solarize_video", "ten_crop_image", "ten_crop_video",
    "to_dtype_image", "to_dtype_video", "vertical_flip_bounding_boxes", "vertical_flip_image", "vertical_flip_mask",
    "vertical_flip_video",
]
