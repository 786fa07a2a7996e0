"""v2 AutoAugment, RandAugment, TrivialAugmentWide and AugMix: the v1 policies on the sample's one image."""

from __future__ import annotations

from PIL import Image as PILImage

from ... import tv_tensors as tv
from .. import autoaugment as v1
from ..autoaugment import AutoAugmentPolicy
from ..functional import InterpolationMode
from . import functional as F
from ._transform import Transform, is_pure_tensor, tree_flatten, tree_unflatten

__all__ = ["AugMix", "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide"]


class _AutoAugmentBase(Transform):
    _v1_cls: type

    def __init__(self, *args, **kwargs):
        super().__init__()
        self._v1 = self._v1_cls(*args, **kwargs)

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        needs = self._needs_transform_list(flat)
        idx = None
        for i, (x, n) in enumerate(zip(flat, needs)):
            if isinstance(x, (tv.BoundingBoxes, tv.Mask)):
                raise TypeError(f"{type(self).__name__}() does not support {type(x).__name__}: it moves only the image")
            if n and (isinstance(x, (PILImage.Image, tv.Image, tv.Video)) or is_pure_tensor(x)):
                if idx is not None:
                    raise TypeError(f"{type(self).__name__}() found more than one image or video in the sample")
                idx = i
        if idx is None:
            raise TypeError(f"{type(self).__name__}() found no image or video in the sample")
        img = flat[idx]
        out = self._v1(F.to_pure_tensor(img))
        flat = list(flat)
        flat[idx] = tv.wrap(out, like=img) if isinstance(img, tv.TVTensor) else out
        return tree_unflatten(flat, spec)

    def __repr__(self) -> str:
        return repr(self._v1)


class AutoAugment(_AutoAugmentBase):
    """AutoAugment with torchvision's ImageNet / CIFAR10 / SVHN policies."""

    _v1_cls = v1.AutoAugment

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(policy, interpolation, fill)


class RandAugment(_AutoAugmentBase):
    _v1_cls = v1.RandAugment

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(num_ops, magnitude, num_magnitude_bins, interpolation, fill)


class TrivialAugmentWide(_AutoAugmentBase):
    _v1_cls = v1.TrivialAugmentWide

    def __init__(self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(num_magnitude_bins, interpolation, fill)


class AugMix(_AutoAugmentBase):
    _v1_cls = v1.AugMix

    def __init__(self, severity: int = 3, mixture_width: int = 3, chain_depth: int = -1, alpha: float = 1.0,
                 all_ops: bool = True, interpolation=InterpolationMode.BILINEAR, fill=None):
        super().__init__(severity, mixture_width, chain_depth, alpha, all_ops, interpolation, fill)
