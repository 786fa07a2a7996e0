"""Geometric v2 transforms: resize, crops, flips, pad, rotation, affine, perspective."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image as PILImage

from ... import tv_tensors as tv
from ..._backend import array_of, wrap, xp_of_array
from .. import _random
from ..functional import InterpolationMode, _check_interpolation, _get_perspective_coeffs
from ..transforms import _check_sequence_input, _elastic_displacement, _setup_angle, _setup_size
from . import _boxes
from . import functional as F
from ._transform import RandomApplyTransform, Transform, has_any, is_pure_tensor, query_size

__all__ = [
    "CenterCrop", "ElasticTransform", "FiveCrop", "Pad", "RandomAffine", "RandomCrop", "RandomHorizontalFlip",
    "RandomIoUCrop", "RandomPerspective", "RandomResize", "RandomResizedCrop", "RandomRotation", "RandomShortestSize",
    "RandomVerticalFlip", "RandomZoomOut", "Resize", "ScaleJitter", "TenCrop",
]


def _check_fill(fill) -> None:
    if fill is None:
        return
    if isinstance(fill, dict):
        for v in fill.values():
            _check_fill(v)
        return
    if not isinstance(fill, (numbers.Number, Sequence)) or isinstance(fill, str):
        raise TypeError("Got inappropriate fill arg, only Numbers, tuples, lists and dicts are allowed.")


class RandomHorizontalFlip(RandomApplyTransform):
    """Mirror left-right (images, masks, boxes together) with probability ``p``."""

    def transform(self, inpt, params):
        return F.horizontal_flip(inpt)


class RandomVerticalFlip(RandomApplyTransform):
    """Mirror top-bottom with probability ``p``."""

    def transform(self, inpt, params):
        return F.vertical_flip(inpt)


class Resize(Transform):
    """Resize to ``size`` ((h, w), or an int for the shorter edge; None with ``max_size`` caps the longer)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias: bool | None = True):
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif isinstance(size, Sequence) and len(size) in (1, 2):
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(f"max_size must be an integer when size is None, but got {max_size} instead.")
        else:
            raise ValueError(
                f"size can be an integer, a sequence of one or two integers, or None, but got {size} instead."
            )
        self.size = size
        self.interpolation = _check_interpolation(interpolation)
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt, params):
        return F.resize(inpt, self.size, self.interpolation, self.max_size, self.antialias)

    def _repr_args(self) -> str:
        return (f"size={self.size}, interpolation={self.interpolation}, max_size={self.max_size}, "
                f"antialias={self.antialias}")


class CenterCrop(Transform):
    """Crop the central (h, w) box."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def transform(self, inpt, params):
        return F.center_crop(inpt, self.size)

    def _repr_args(self) -> str:
        return f"size={self.size}"


class RandomResizedCrop(Transform):
    """A random crop of random area and aspect ratio, resized to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=InterpolationMode.BILINEAR,
                 antialias: bool | None = True):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError("Scale should be a sequence of two floats.")
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError("Ratio should be a sequence of two floats.")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        self.scale = scale
        self.ratio = ratio
        self.interpolation = _check_interpolation(interpolation)
        self.antialias = antialias
        self._log_ratio = (math.log(ratio[0]), math.log(ratio[1]))

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        area = height * width
        for _ in range(10):
            target_area = area * _random.uniform(self.scale[0], self.scale[1])
            aspect_ratio = math.exp(_random.uniform(self._log_ratio[0], self._log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = _random.randint(0, height - h + 1)
                j = _random.randint(0, width - w + 1)
                break
        else:
            in_ratio = float(width) / float(height)
            if in_ratio < min(self.ratio):
                w = width
                h = int(round(w / min(self.ratio)))
            elif in_ratio > max(self.ratio):
                h = height
                w = int(round(h * max(self.ratio)))
            else:
                w, h = width, height
            i = (height - h) // 2
            j = (width - w) // 2
        return dict(top=i, left=j, height=h, width=w)

    def transform(self, inpt, params):
        return F.resized_crop(inpt, **params, size=self.size, interpolation=self.interpolation,
                              antialias=self.antialias)

    def _repr_args(self) -> str:
        return f"size={self.size}, scale={self.scale}, ratio={self.ratio}, interpolation={self.interpolation}"


class FiveCrop(Transform):
    """The four corner crops and the centre crop (images and videos only)."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def transform(self, inpt, params):
        if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)):
            raise TypeError(f"FiveCrop() does not support {type(inpt).__name__}")
        return F.five_crop(inpt, self.size)


class TenCrop(Transform):
    """FiveCrop of the image and of its flip."""

    def __init__(self, size, vertical_flip: bool = False):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def transform(self, inpt, params):
        if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)):
            raise TypeError(f"TenCrop() does not support {type(inpt).__name__}")
        return F.ten_crop(inpt, self.size, self.vertical_flip)


def _parse_padding(padding) -> list[int]:
    """[left, right, top, bottom]."""
    if isinstance(padding, int):
        return [padding] * 4
    if isinstance(padding, Sequence) and len(padding) in (1, 2, 4):
        if len(padding) == 1:
            return [padding[0]] * 4
        if len(padding) == 2:
            return [padding[0], padding[0], padding[1], padding[1]]
        return [padding[0], padding[2], padding[1], padding[3]]
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element of tuple or list, got {padding}.")


class Pad(Transform):
    """Pad the borders; ``fill`` may be a dict by input type, e.g. {tv_tensors.Mask: 255, "others": 0}."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        super().__init__()
        _parse_padding(padding)
        _check_fill(fill)
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("`padding_mode` must be one of 'constant', 'edge', 'reflect' or 'symmetric'.")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def transform(self, inpt, params):
        return F.pad(inpt, self.padding, self.fill, self.padding_mode)


class RandomZoomOut(RandomApplyTransform):
    """Place the image on a canvas ``side_range`` times larger at a random spot (SSD-style zoom out)."""

    def __init__(self, fill=0, side_range=(1.0, 4.0), p: float = 0.5):
        super().__init__(p)
        _check_fill(fill)
        self.fill = fill
        if len(side_range) != 2 or side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")
        self.side_range = side_range

    def make_params(self, flat_inputs):
        orig_h, orig_w = query_size(flat_inputs)
        r = self.side_range[0] + _random.rand() * (self.side_range[1] - self.side_range[0])
        canvas_width = int(orig_w * r)
        canvas_height = int(orig_h * r)
        rx, ry = _random.rand(), _random.rand()
        left = int((canvas_width - orig_w) * rx)
        top = int((canvas_height - orig_h) * ry)
        return dict(padding=[left, top, canvas_width - (left + orig_w), canvas_height - (top + orig_h)])

    def transform(self, inpt, params):
        return F.pad(inpt, params["padding"], fill=self.fill)


class RandomCrop(Transform):
    """A random (h, w) crop after optional padding; ``pad_if_needed`` pads smaller inputs on both sides."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0, padding_mode: str = "constant"):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        self.padding = _parse_padding(padding) if padding else None
        self.pad_if_needed = pad_if_needed
        _check_fill(fill)
        self.fill = fill
        self.padding_mode = padding_mode

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        if self.padding is not None:
            pad_left, pad_right, pad_top, pad_bottom = self.padding
            height += pad_top + pad_bottom
            width += pad_left + pad_right
        else:
            pad_left = pad_right = pad_top = pad_bottom = 0
        cropped_height, cropped_width = self.size
        if self.pad_if_needed:
            if height < cropped_height:
                diff = cropped_height - height
                pad_top += diff
                pad_bottom += diff
                height += 2 * diff
            if width < cropped_width:
                diff = cropped_width - width
                pad_left += diff
                pad_right += diff
                width += 2 * diff
        if height < cropped_height or width < cropped_width:
            raise ValueError(
                f"Required crop size {(cropped_height, cropped_width)} is larger than "
                f"{'padded ' if self.padding is not None else ''}input image size {(height, width)}."
            )
        padding = [pad_left, pad_top, pad_right, pad_bottom]
        top = _random.randint(0, height - cropped_height + 1) if height > cropped_height else 0
        left = _random.randint(0, width - cropped_width + 1) if width > cropped_width else 0
        return dict(needs_crop=height > cropped_height or width > cropped_width, top=top, left=left,
                    height=cropped_height, width=cropped_width, needs_pad=any(padding), padding=padding)

    def transform(self, inpt, params):
        if params["needs_pad"]:
            inpt = F.pad(inpt, params["padding"], self.fill, self.padding_mode)
        if params["needs_crop"]:
            inpt = F.crop(inpt, params["top"], params["left"], params["height"], params["width"])
        return inpt


class RandomRotation(Transform):
    """Rotate everything in the sample by one angle drawn from ``degrees``."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=0):
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        self.interpolation = _check_interpolation(interpolation)
        self.expand = expand
        _check_fill(fill)
        self.fill = fill
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    def make_params(self, flat_inputs):
        return dict(angle=_random.uniform(self.degrees[0], self.degrees[1]))

    def transform(self, inpt, params):
        return F.rotate(inpt, params["angle"], self.interpolation, self.expand, self.center, self._fill(inpt))

    def _fill(self, inpt):
        return F._fill_value(self.fill, inpt)


class RandomAffine(RandomRotation):
    """Random rotation, translation, scale and shear applied to everything in the sample."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        super().__init__(degrees, interpolation, False, center, fill)
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not (0.0 <= t <= 1.0):
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else None

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        angle = _random.uniform(self.degrees[0], self.degrees[1])
        if self.translate is not None:
            max_dx = float(self.translate[0] * width)
            max_dy = float(self.translate[1] * height)
            translate = (int(round(_random.uniform(-max_dx, max_dx))), int(round(_random.uniform(-max_dy, max_dy))))
        else:
            translate = (0, 0)
        scale = _random.uniform(self.scale[0], self.scale[1]) if self.scale is not None else 1.0
        shear_x = shear_y = 0.0
        if self.shear is not None:
            shear_x = _random.uniform(self.shear[0], self.shear[1])
            if len(self.shear) == 4:
                shear_y = _random.uniform(self.shear[2], self.shear[3])
        return dict(angle=angle, translate=translate, scale=scale, shear=(shear_x, shear_y))

    def transform(self, inpt, params):
        return F.affine(inpt, params["angle"], list(params["translate"]), params["scale"], list(params["shear"]),
                        self.interpolation, self._fill(inpt), self.center)


class RandomPerspective(RandomApplyTransform):
    """Random perspective warp (corners moved by up to ``distortion_scale``) with probability ``p``."""

    def __init__(self, distortion_scale: float = 0.5, p: float = 0.5, interpolation=InterpolationMode.BILINEAR,
                 fill=0):
        super().__init__(p)
        if not (0 <= distortion_scale <= 1):
            raise ValueError("Argument distortion_scale value should be between 0 and 1")
        self.distortion_scale = distortion_scale
        self.interpolation = _check_interpolation(interpolation)
        _check_fill(fill)
        self.fill = fill

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        bound_h = int(self.distortion_scale * (height // 2)) + 1
        bound_w = int(self.distortion_scale * (width // 2)) + 1
        topleft = [_random.randint(0, bound_w), _random.randint(0, bound_h)]
        topright = [_random.randint(width - bound_w, width), _random.randint(0, bound_h)]
        botright = [_random.randint(width - bound_w, width), _random.randint(height - bound_h, height)]
        botleft = [_random.randint(0, bound_w), _random.randint(height - bound_h, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        endpoints = [topleft, topright, botright, botleft]
        return dict(startpoints=startpoints, endpoints=endpoints,
                    coefficients=_get_perspective_coeffs(startpoints, endpoints))

    def transform(self, inpt, params):
        fill = RandomRotation._fill(self, inpt)
        return F.perspective(inpt, params["startpoints"], params["endpoints"], self.interpolation, fill)


class RandomResize(Transform):
    """Resize the shorter edge to a size drawn from [min_size, max_size)."""

    def __init__(self, min_size: int, max_size: int, interpolation=InterpolationMode.BILINEAR,
                 antialias: bool | None = True):
        super().__init__()
        self.min_size = min_size
        self.max_size = max_size
        self.interpolation = _check_interpolation(interpolation)
        self.antialias = antialias

    def make_params(self, flat_inputs):
        return dict(size=[_random.randint(self.min_size, self.max_size)])

    def transform(self, inpt, params):
        return F.resize(inpt, params["size"], self.interpolation, antialias=self.antialias)


class RandomShortestSize(Transform):
    """Resize so the shorter edge is one of ``min_size`` (random) and the longer at most ``max_size``."""

    def __init__(self, min_size, max_size: int | None = None, interpolation=InterpolationMode.BILINEAR,
                 antialias: bool | None = True):
        super().__init__()
        self.min_size = [min_size] if isinstance(min_size, int) else list(min_size)
        self.max_size = max_size
        self.interpolation = _check_interpolation(interpolation)
        self.antialias = antialias

    def make_params(self, flat_inputs):
        orig_height, orig_width = query_size(flat_inputs)
        min_size = self.min_size[_random.randint(0, len(self.min_size))]
        r = min_size / min(orig_height, orig_width)
        if self.max_size is not None:
            r = min(r, self.max_size / max(orig_height, orig_width))
        return dict(size=[int(orig_height * r), int(orig_width * r)])

    def transform(self, inpt, params):
        return F.resize(inpt, params["size"], self.interpolation, antialias=self.antialias)




def _setup_number_or_seq(arg, name: str) -> list[float]:
    """A number or a sequence of 1 or 2 numbers -> [first, second]."""
    if not isinstance(arg, (int, float, Sequence)):
        raise TypeError(f"{name} should be a number or a sequence of numbers. Got {type(arg)}")
    if isinstance(arg, Sequence) and len(arg) not in (1, 2):
        raise ValueError(f"If {name} is a sequence its length should be 1 or 2. Got {len(arg)}")
    if isinstance(arg, Sequence):
        for element in arg:
            if not isinstance(element, (int, float)):
                raise ValueError(f"{name} should be a sequence of numbers. Got {type(element)}")
        return [float(arg[0]), float(arg[-1])]
    return [float(arg), float(arg)]


class ElasticTransform(Transform):
    """Displace pixels by smooth random offsets (strength ``alpha``, smoothness ``sigma``); masks move with the
    image (nearest), boxes by torchvision's approximate inverse of the displacement."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.alpha = _setup_number_or_seq(alpha, "alpha")
        self.sigma = _setup_number_or_seq(sigma, "sigma")
        self.interpolation = _check_interpolation(interpolation)
        _check_fill(fill)
        self.fill = fill

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        return dict(displacement=_elastic_displacement(self.alpha, self.sigma, [height, width]))

    def transform(self, inpt, params):
        return F.elastic(inpt, params["displacement"], self.interpolation, F._fill_value(self.fill, inpt))

    def _repr_args(self) -> str:
        return f"alpha={self.alpha}, sigma={self.sigma}, interpolation={self.interpolation}, fill={self.fill}"


def _iou_with_box(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """IoU of each xyxy row of ``boxes`` (N, 4) with one xyxy ``box`` (NaN for empty unions, as box_iou)."""
    lt = np.maximum(boxes[:, :2], box[:2])
    rb = np.minimum(boxes[:, 2:], box[2:])
    wh = (rb - lt).clip(min=0)
    inter = wh[:, 0] * wh[:, 1]
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    area = (box[2] - box[0]) * (box[3] - box[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / (areas + area - inter)


class RandomIoUCrop(Transform):
    """SSD's random crop: a crop whose IoU with some box reaches an overlap drawn from ``sampler_options``.

    Boxes whose centre falls outside the crop become all-zero (degenerate); follow with SanitizeBoundingBoxes
    to drop them and their labels, as in torchvision.
    """

    def __init__(self, min_scale: float = 0.3, max_scale: float = 1.0, min_aspect_ratio: float = 0.5,
                 max_aspect_ratio: float = 2.0, sampler_options: list[float] | None = None, trials: int = 40):
        super().__init__()
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.min_aspect_ratio = min_aspect_ratio
        self.max_aspect_ratio = max_aspect_ratio
        if sampler_options is None:
            sampler_options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
        self.options = sampler_options
        self.trials = trials

    def _check_inputs(self, flat_inputs) -> None:
        has_image = has_any(flat_inputs, PILImage.Image, tv.Image) or any(is_pure_tensor(x) for x in flat_inputs)
        if not (has_any(flat_inputs, tv.BoundingBoxes) and has_image):
            raise TypeError(f"{type(self).__name__}() requires input sample to contain tensor or PIL images "
                            "and bounding boxes. Sample can also contain masks.")

    def make_params(self, flat_inputs):
        self._check_inputs(flat_inputs)
        orig_h, orig_w = query_size(flat_inputs)
        boxes = next(x for x in flat_inputs if isinstance(x, tv.BoundingBoxes))
        xyxy = _boxes._xyxy(boxes)
        cx = 0.5 * (xyxy[:, 0] + xyxy[:, 2])
        cy = 0.5 * (xyxy[:, 1] + xyxy[:, 3])
        span = np.float32(self.max_scale - self.min_scale)
        while True:
            min_jaccard_overlap = self.options[_random.randint(0, len(self.options))]
            if min_jaccard_overlap >= 1.0:  # 1 (or more) means: leave the sample as it is
                return dict()
            for _ in range(self.trials):
                # float32 arithmetic, as torchvision's torch.rand(2) tensors
                r = np.float32(self.min_scale) + span * _random.rand_float32(2)
                new_w = int(np.float32(orig_w) * r[0])
                new_h = int(np.float32(orig_h) * r[1])
                if new_h == 0 or not (self.min_aspect_ratio <= new_w / new_h <= self.max_aspect_ratio):
                    continue
                r = _random.rand_float32(2)
                left = int(np.float32(orig_w - new_w) * r[0])
                top = int(np.float32(orig_h - new_h) * r[1])
                right, bottom = left + new_w, top + new_h
                if left == right or top == bottom:
                    continue
                within = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
                if not within.any():
                    continue
                ious = _iou_with_box(xyxy[within], np.array([left, top, right, bottom], dtype=np.float64))
                if ious.max() < min_jaccard_overlap:
                    continue
                return dict(top=top, left=left, height=new_h, width=new_w, is_within_crop_area=within)

    def transform(self, inpt, params):
        if not params:
            return inpt
        out = F.crop(inpt, params["top"], params["left"], params["height"], params["width"])
        if isinstance(out, tv.BoundingBoxes):
            a = array_of(out).copy()
            a[xp_of_array(a).asarray(~params["is_within_crop_area"])] = 0  # marked for SanitizeBoundingBoxes
            out = tv.wrap(wrap(a), like=out)
        return out


class ScaleJitter(Transform):
    """Large scale jitter: resize, keeping the aspect ratio, by a factor drawn from ``scale_range`` times the
    scale that fits ``target_size`` (torchvision pairs target_size[0] with the width, [1] with the height)."""

    def __init__(self, target_size: tuple[int, int], scale_range: tuple[float, float] = (0.1, 2.0),
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
        super().__init__()
        self.target_size = target_size
        self.scale_range = scale_range
        self.interpolation = _check_interpolation(interpolation)
        self.antialias = antialias

    def make_params(self, flat_inputs):
        orig_height, orig_width = query_size(flat_inputs)
        # float32 arithmetic, as torchvision's torch.rand(1) tensor
        scale = np.float32(self.scale_range[0]) + _random.rand_float32(1)[0] * np.float32(
            self.scale_range[1] - self.scale_range[0])
        r = np.float32(min(self.target_size[1] / orig_height, self.target_size[0] / orig_width)) * scale
        return dict(size=(int(np.float32(orig_height) * r), int(np.float32(orig_width) * r)))

    def transform(self, inpt, params):
        return F.resize(inpt, list(params["size"]), self.interpolation, antialias=self.antialias)

    def _repr_args(self) -> str:
        return f"target_size={self.target_size}, scale_range={self.scale_range}, interpolation={self.interpolation}"
