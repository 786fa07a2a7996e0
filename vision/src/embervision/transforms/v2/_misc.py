"""v2 conversions and utilities: ToImage, ToDtype, ToPureTensor, Normalize, Lambda, box helpers, containers."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image as PILImage

import ember

from ... import tv_tensors as tv
from ..._backend import Tensor
from .. import _random
from .. import functional as F1
from . import functional as F
from ._transform import Transform, is_pure_tensor, tree_flatten, tree_unflatten

__all__ = [
    "ClampBoundingBoxes", "Compose", "ConvertBoundingBoxFormat", "ConvertImageDtype", "Identity", "Lambda",
    "LinearTransformation", "Normalize", "PILToTensor", "RandomApply", "RandomChoice", "RandomOrder",
    "SanitizeBoundingBoxes", "ToDtype", "ToImage", "ToPILImage", "ToPureTensor", "ToTensor",
]


class Identity(Transform):
    def transform(self, inpt, params):
        return inpt


class Lambda(Transform):
    """Apply ``lambd`` to the inputs of ``types`` (all inputs by default)."""

    def __init__(self, lambd: Callable, *types: type):
        super().__init__()
        self.lambd = lambd
        self.types = types or (object,)

    def transform(self, inpt, params):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def _needs_transform_list(self, flat_inputs):
        return [True] * len(flat_inputs)


class ToImage(Transform):
    """PIL image, ndarray or tensor -> tv_tensors.Image (no rescaling)."""

    _transformed_types = (Tensor, PILImage.Image, np.ndarray)

    def transform(self, inpt, params):
        if isinstance(inpt, (tv.Mask, tv.BoundingBoxes, tv.Video)) or (
            isinstance(inpt, tv.Image)
        ):
            return inpt
        return F.to_image(inpt)


class PILToTensor(Transform):
    """PIL image -> plain uint8 (C, H, W) tensor."""

    _transformed_types = (PILImage.Image,)

    def transform(self, inpt, params):
        return F1.pil_to_tensor(inpt)


class ToPILImage(Transform):
    """Tensor / ndarray image -> PIL image."""

    _transformed_types = (Tensor, np.ndarray)

    def __init__(self, mode: str | None = None):
        super().__init__()
        self.mode = mode

    def transform(self, inpt, params):
        if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)):
            return inpt
        return F1.to_pil_image(F.to_pure_tensor(inpt), self.mode)


class ToTensor(Transform):
    """v1's ToTensor (PIL / ndarray -> float in [0, 1]); prefer ToImage() + ToDtype(float32, scale=True)."""

    _transformed_types = (PILImage.Image, np.ndarray)

    def __init__(self):
        warnings.warn("The transform `ToTensor()` is deprecated; use `Compose([ToImage(), ToDtype(ember.float32, "
                      "scale=True)])` instead.")
        super().__init__()

    def transform(self, inpt, params):
        return F1.to_tensor(inpt)


class ToPureTensor(Transform):
    """tv_tensors -> plain tensors (drops the tags)."""

    _transformed_types = (tv.TVTensor,)

    def transform(self, inpt, params):
        return F.to_pure_tensor(inpt)


class ToDtype(Transform):
    """Convert dtypes; ``dtype`` may be a dict by input type ({tv_tensors.Image: float32, "others": None}).

    With ``scale=True`` images are rescaled (uint8 [0, 255] -> float [0, 1] and back); masks never are.
    """

    _transformed_types = (Tensor,)

    def __init__(self, dtype, scale: bool = False):
        super().__init__()
        if not isinstance(dtype, (dict, ember.dtype)):
            raise ValueError(f"dtype must be a dtype or a dict of dtypes, got {type(dtype).__name__} instead.")
        if isinstance(dtype, dict) and Tensor in dtype and any(c in dtype for c in (tv.Image, tv.Video)):
            warnings.warn("Got `dtype` values for `Tensor` and either `tv_tensors.Image` or `tv_tensors.Video`; "
                          "the plain tensor in the sample is treated as the image only when there is no Image.")
        self.dtype = dtype
        self.scale = scale

    def _dtype_for(self, inpt):
        if not isinstance(self.dtype, dict):
            return self.dtype if (isinstance(inpt, (tv.Image, tv.Video)) or is_pure_tensor(inpt)) else None
        for cls, dt in self.dtype.items():
            if isinstance(cls, type) and type(inpt) is cls:
                return dt
        if is_pure_tensor(inpt) and Tensor in self.dtype:
            return self.dtype[Tensor]
        return self.dtype.get("others")

    def transform(self, inpt, params):
        dtype = self._dtype_for(inpt)
        if dtype is None:
            return inpt
        return F.to_dtype(inpt, dtype, self.scale)

    def _repr_args(self) -> str:
        return f"dtype={self.dtype}, scale={self.scale}"


class ConvertImageDtype(ToDtype):
    """ToDtype(dtype, scale=True) for images."""

    def __init__(self, dtype=ember.float32):
        super().__init__(dtype, scale=True)


class Normalize(Transform):
    """(x - mean) / std per channel of float images."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def transform(self, inpt, params):
        if isinstance(inpt, PILImage.Image):
            raise TypeError("Normalize() takes tensors; convert PIL images first")
        return F.passthrough(F.normalize, inpt, self.mean, self.std, self.inplace)

    def _repr_args(self) -> str:
        return f"mean={self.mean}, std={self.std}, inplace={self.inplace}"


class LinearTransformation(Transform):
    """Whitening: flatten, subtract ``mean_vector``, multiply by ``transformation_matrix``."""

    def __init__(self, transformation_matrix: Tensor, mean_vector: Tensor):
        super().__init__()
        from ..transforms import LinearTransformation as V1

        self._v1 = V1(transformation_matrix, mean_vector)

    def transform(self, inpt, params):
        if isinstance(inpt, PILImage.Image):
            raise TypeError("LinearTransformation does not work on PIL Images")
        if isinstance(inpt, (tv.Mask, tv.BoundingBoxes)):
            return inpt
        out = self._v1(F.to_pure_tensor(inpt))
        return tv.wrap(out, like=inpt) if isinstance(inpt, tv.TVTensor) else out


class ConvertBoundingBoxFormat(Transform):
    _transformed_types = (tv.BoundingBoxes,)

    def __init__(self, format):
        super().__init__()
        self.format = format

    def transform(self, inpt, params):
        return F.convert_bounding_box_format(inpt, new_format=self.format)


class ClampBoundingBoxes(Transform):
    _transformed_types = (tv.BoundingBoxes,)

    def transform(self, inpt, params):
        return F.clamp_bounding_boxes(inpt)


class SanitizeBoundingBoxes(Transform):
    """Drop boxes smaller than ``min_size`` or ``min_area`` or reaching outside the canvas (and their labels and
    per-box masks); run it after RandomIoUCrop, which marks the boxes it drops as degenerate."""

    def __init__(self, min_size: float = 1.0, min_area: float = 1.0, labels_getter="default"):
        super().__init__()
        if min_size < 1:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        if min_area < 1:
            raise ValueError(f"min_area must be >= 1, got {min_area}.")
        self.min_size = min_size
        self.min_area = min_area
        self.labels_getter = labels_getter

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        boxes = [x for x in flat if isinstance(x, tv.BoundingBoxes)]
        if len(boxes) != 1:
            raise ValueError(f"SanitizeBoundingBoxes needs exactly one BoundingBoxes in the sample, got {len(boxes)}")
        _, valid = F.sanitize_bounding_boxes(boxes[0], min_size=self.min_size, min_area=self.min_area)
        keep = ember.from_numpy(np.nonzero(valid.cpu().numpy())[0]).to(valid.device)
        labels = _find_labels(sample, flat) if self.labels_getter == "default" else (
            self.labels_getter(sample) if callable(self.labels_getter) else None)
        n = len(valid)
        out = []
        for x in flat:
            if isinstance(x, tv.BoundingBoxes) or (isinstance(x, tv.Mask) and x.ndim >= 3 and x.shape[0] == n):
                out.append(tv.wrap(x.as_subclass(Tensor)[keep], like=x))
            elif labels is not None and x is labels:
                out.append(x[keep])
            else:
                out.append(x)
        return tree_unflatten(out, spec)


def _find_labels(sample, flat):
    """The labels tensor: key 'labels' of a dict sample (or of its second element), as torchvision's default."""
    candidates = [sample] if isinstance(sample, dict) else []
    if isinstance(sample, (tuple, list)) and len(sample) == 2 and isinstance(sample[1], dict):
        candidates.append(sample[1])
    for d in candidates:
        for key in d:
            if isinstance(key, str) and key.lower() == "labels":
                return d[key]
    return None


class Compose(Transform):
    """Chain v2 transforms; each gets the previous one's output (unpacked when there were several inputs)."""

    def __init__(self, transforms: Sequence[Callable]):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Pass at least one transform")
        self.transforms = transforms

    def forward(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for t in self.transforms:
            outputs = t(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class RandomApply(Compose):
    """All of ``transforms`` with probability ``p``, else none."""

    def __init__(self, transforms, p: float = 0.5):
        super().__init__(transforms)
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        if _random.rand() >= self.p:
            return sample
        return super().forward(*inputs)


class RandomChoice(Transform):
    """One of ``transforms``, drawn with weights ``p``."""

    def __init__(self, transforms, p=None):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs):
        return self.transforms[_random.choice(self.p)](*inputs)


class RandomOrder(Transform):
    """``transforms`` in a random order."""

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        self.transforms = transforms

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        needs_unpacking = len(inputs) > 1
        for idx in _random.randperm(len(self.transforms)):
            sample = self.transforms[idx](*sample) if needs_unpacking else self.transforms[idx](sample)
        return sample
