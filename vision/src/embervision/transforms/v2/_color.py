"""Photometric v2 transforms (images and videos only; masks, boxes and labels pass through)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from .. import _random
from ..transforms import _ColorRange, _setup_size
from . import functional as F
from ._transform import RandomApplyTransform, Transform, query_chw

__all__ = [
    "RGB", "ColorJitter", "GaussianBlur", "GaussianNoise", "Grayscale", "RandomAdjustSharpness", "RandomAutocontrast",
    "RandomChannelPermutation", "RandomEqualize", "RandomGrayscale", "RandomInvert", "RandomPhotometricDistort",
    "RandomPosterize", "RandomSolarize",
]


class Grayscale(Transform):
    """To grayscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def transform(self, inpt, params):
        return F.passthrough(F.rgb_to_grayscale, inpt, self.num_output_channels)


class RandomGrayscale(RandomApplyTransform):
    """To grayscale (same channel count) with probability ``p``."""

    def __init__(self, p: float = 0.1):
        super().__init__(p)

    def make_params(self, flat_inputs):
        return dict(num_input_channels=query_chw(flat_inputs)[0])

    def transform(self, inpt, params):
        return F.passthrough(F.rgb_to_grayscale, inpt, params["num_input_channels"])


class RGB(Transform):
    """Grayscale images to 3 channels; RGB images unchanged."""

    def transform(self, inpt, params):
        return F.passthrough(F.grayscale_to_rgb, inpt)


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue in a random order."""

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None):
        super().__init__()
        self.brightness = None if brightness is None else _ColorRange.check(brightness, "brightness")
        self.contrast = None if contrast is None else _ColorRange.check(contrast, "contrast")
        self.saturation = None if saturation is None else _ColorRange.check(saturation, "saturation")
        self.hue = None if hue is None else _ColorRange.check(hue, "hue", center=0, bound=(-0.5, 0.5),
                                                              clip_first_on_zero=False)

    @staticmethod
    def _generate_value(left: float, right: float) -> float:
        return _random.uniform(left, right)

    def make_params(self, flat_inputs):
        fn_idx = _random.randperm(4)
        b = None if self.brightness is None else self._generate_value(*self.brightness)
        c = None if self.contrast is None else self._generate_value(*self.contrast)
        s = None if self.saturation is None else self._generate_value(*self.saturation)
        h = None if self.hue is None else self._generate_value(*self.hue)
        return dict(fn_idx=fn_idx, brightness_factor=b, contrast_factor=c, saturation_factor=s, hue_factor=h)

    def transform(self, inpt, params):
        out = inpt
        for fn_id in params["fn_idx"]:
            if fn_id == 0 and params["brightness_factor"] is not None:
                out = F.passthrough(F.adjust_brightness, out, params["brightness_factor"])
            elif fn_id == 1 and params["contrast_factor"] is not None:
                out = F.passthrough(F.adjust_contrast, out, params["contrast_factor"])
            elif fn_id == 2 and params["saturation_factor"] is not None:
                out = F.passthrough(F.adjust_saturation, out, params["saturation_factor"])
            elif fn_id == 3 and params["hue_factor"] is not None:
                out = F.passthrough(F.adjust_hue, out, params["hue_factor"])
        return out

    def _repr_args(self) -> str:
        return f"brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, hue={self.hue}"


class RandomChannelPermutation(Transform):
    """Shuffle the channels."""

    def make_params(self, flat_inputs):
        return dict(permutation=_random.randperm(query_chw(flat_inputs)[0]))

    def transform(self, inpt, params):
        return F.passthrough(F.permute_channels, inpt, params["permutation"])


class RandomPhotometricDistort(Transform):
    """SSD's photometric distortions: each jitter with probability ``p``, contrast before or after, channel shuffle."""

    def __init__(self, brightness=(0.875, 1.125), contrast=(0.5, 1.5), saturation=(0.5, 1.5), hue=(-0.05, 0.05),
                 p: float = 0.5):
        super().__init__()
        self.brightness = _ColorRange.check(brightness, "brightness")
        self.contrast = _ColorRange.check(contrast, "contrast")
        self.hue = _ColorRange.check(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)
        self.saturation = _ColorRange.check(saturation, "saturation")
        self.p = p

    def make_params(self, flat_inputs):
        num_channels = query_chw(flat_inputs)[0]
        params = {}
        for key, rng in (("brightness", self.brightness), ("contrast", self.contrast),
                         ("saturation", self.saturation), ("hue", self.hue)):
            params[f"{key}_factor"] = _random.uniform(rng[0], rng[1]) if rng and _random.rand() < self.p else None
        params["contrast_before"] = _random.rand() < 0.5
        params["channel_permutation"] = _random.randperm(num_channels) if _random.rand() < self.p else None
        return params

    def transform(self, inpt, params):
        if params["brightness_factor"] is not None:
            inpt = F.passthrough(F.adjust_brightness, inpt, params["brightness_factor"])
        if params["contrast_factor"] is not None and params["contrast_before"]:
            inpt = F.passthrough(F.adjust_contrast, inpt, params["contrast_factor"])
        if params["saturation_factor"] is not None:
            inpt = F.passthrough(F.adjust_saturation, inpt, params["saturation_factor"])
        if params["hue_factor"] is not None:
            inpt = F.passthrough(F.adjust_hue, inpt, params["hue_factor"])
        if params["contrast_factor"] is not None and not params["contrast_before"]:
            inpt = F.passthrough(F.adjust_contrast, inpt, params["contrast_factor"])
        if params["channel_permutation"] is not None:
            inpt = F.passthrough(F.permute_channels, inpt, params["channel_permutation"])
        return inpt


class GaussianBlur(Transform):
    """Gaussian blur with sigma drawn from ``sigma``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (float(sigma), float(sigma))
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise TypeError("sigma should be a number or a sequence of numbers.")
        self.sigma = sigma

    def make_params(self, flat_inputs):
        sigma = _random.uniform(self.sigma[0], self.sigma[1])
        return dict(sigma=[sigma, sigma])

    def transform(self, inpt, params):
        return F.passthrough(F.gaussian_blur, inpt, self.kernel_size, params["sigma"])


class GaussianNoise(Transform):
    """Add Gaussian noise to float images."""

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True):
        super().__init__()
        self.mean = mean
        self.sigma = sigma
        self.clip = clip

    def transform(self, inpt, params):
        return F.passthrough(F.gaussian_noise, inpt, self.mean, self.sigma, self.clip)


class RandomInvert(RandomApplyTransform):
    def transform(self, inpt, params):
        return F.passthrough(F.invert, inpt)


class RandomPosterize(RandomApplyTransform):
    def __init__(self, bits: int, p: float = 0.5):
        super().__init__(p)
        self.bits = bits

    def transform(self, inpt, params):
        return F.passthrough(F.posterize, inpt, self.bits)


class RandomSolarize(RandomApplyTransform):
    def __init__(self, threshold: float, p: float = 0.5):
        super().__init__(p)
        self.threshold = threshold

    def transform(self, inpt, params):
        return F.passthrough(F.solarize, inpt, self.threshold)


class RandomAutocontrast(RandomApplyTransform):
    def transform(self, inpt, params):
        return F.passthrough(F.autocontrast, inpt)


class RandomAdjustSharpness(RandomApplyTransform):
    def __init__(self, sharpness_factor: float, p: float = 0.5):
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def transform(self, inpt, params):
        return F.passthrough(F.adjust_sharpness, inpt, self.sharpness_factor)


class RandomEqualize(RandomApplyTransform):
    def transform(self, inpt, params):
        return F.passthrough(F.equalize, inpt)
