"""v2 RandomErasing, JPEG, and the batch mixers MixUp and CutMix (images (N, C, H, W) + labels (N,))."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence

from PIL import Image as PILImage

import ember
from ember.nn import functional as nnF

from ... import tv_tensors as tv
from ..._backend import Tensor
from .. import _random
from ..transforms import _check_sequence_input
from . import functional as F
from ._transform import RandomApplyTransform, Transform, has_any, is_pure_tensor, query_chw, query_size
from ._transform import tree_flatten, tree_unflatten

__all__ = ["CutMix", "JPEG", "MixUp", "RandomErasing"]


class RandomErasing(RandomApplyTransform):
    """Erase a random box of the image(s) with ``value`` (or Gaussian noise for value='random')."""

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace: bool = False):
        super().__init__(p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError("Scale should be a sequence of two floats.")
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError("Ratio should be a sequence of two floats.")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        self.scale = scale
        self.ratio = ratio
        if isinstance(value, (int, float)):
            self.value = [float(value)]
        elif isinstance(value, str):
            self.value = None
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace
        self._log_ratio = (math.log(ratio[0]), math.log(ratio[1]))

    def make_params(self, flat_inputs):
        img_c, img_h, img_w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(
                f"If value is a sequence, it should have either a single value or {img_c} (number of inpt channels)"
            )
        area = img_h * img_w
        for _ in range(10):
            erase_area = area * _random.uniform(self.scale[0], self.scale[1])
            aspect_ratio = math.exp(_random.uniform(self._log_ratio[0], self._log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = ember.empty([img_c, h, w], dtype=ember.float32).normal_()
            else:
                v = ember.tensor(self.value)[:, None, None]
            i = _random.randint(0, img_h - h + 1)
            j = _random.randint(0, img_w - w + 1)
            return dict(i=i, j=j, h=h, w=w, v=v)
        return dict(i=0, j=0, h=img_h, w=img_w, v=None)

    def transform(self, inpt, params):
        if params["v"] is None or isinstance(inpt, PILImage.Image):
            if isinstance(inpt, PILImage.Image):
                raise TypeError("RandomErasing() takes tensors; convert PIL images with ToImage() first")
            return inpt
        v = params["v"].to(inpt.device)
        return F.passthrough(F.erase, inpt, params["i"], params["j"], params["h"], params["w"], v, self.inplace)


def _default_labels(sample):
    if isinstance(sample, tuple):
        sample = sample[1]
    if is_pure_tensor(sample):
        return sample
    if not isinstance(sample, Mapping):
        raise ValueError(
            "When using the default labels_getter, the input passed to forward must be a dictionary or a two-tuple "
            f"whose second item is a dictionary or a tensor, but got {type(sample)} instead."
        )
    key = next((k for k in sample if isinstance(k, str) and k.lower() == "labels"), None)
    if key is None:
        key = next((k for k in sample if isinstance(k, str) and "label" in k.lower()), None)
    if key is None:
        raise ValueError("Could not infer where the labels are in the sample; pass labels_getter=")
    return sample[key]


class _BaseMixUpCutMix(Transform):
    def __init__(self, *, alpha: float = 1.0, num_classes: int | None = None, labels_getter="default"):
        super().__init__()
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        self.alpha = float(alpha)
        self.num_classes = num_classes
        self.labels_getter = _default_labels if labels_getter == "default" else labels_getter

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        if has_any(flat, PILImage.Image, tv.BoundingBoxes, tv.Mask):
            raise ValueError(f"{type(self).__name__}() does not support PIL images, bounding boxes and masks.")
        labels = self.labels_getter(sample)
        if not isinstance(labels, Tensor):
            raise ValueError(f"The labels must be a Tensor, but got {type(labels)} instead.")
        if labels.ndim not in (1, 2):
            raise ValueError(
                "labels should be index based with shape (batch_size,) or probability based with shape "
                f"(batch_size, num_classes), but got a tensor of shape {tuple(labels.shape)} instead."
            )
        if labels.ndim == 2 and self.num_classes is not None and labels.shape[-1] != self.num_classes:
            raise ValueError(f"When passing 2D labels, the number of elements in last dimension must match "
                             f"num_classes: {labels.shape[-1]} != {self.num_classes}.")
        needs = self._needs_transform_list(flat)
        params = {"labels": labels, "batch_size": labels.shape[0],
                  **self.make_params([x for x, n in zip(flat, needs) if n])}
        needs[next(i for i, x in enumerate(flat) if x is labels)] = True
        out = [self.transform(x, params) if n else x for x, n in zip(flat, needs)]
        return tree_unflatten(out, spec)

    def _check_image(self, inpt: Tensor, batch_size: int) -> None:
        expected = 5 if isinstance(inpt, tv.Video) else 4
        if inpt.ndim != expected:
            raise ValueError(f"Expected a batched input with {expected} dims, but got {inpt.ndim} dimensions instead.")
        if inpt.shape[0] != batch_size:
            raise ValueError("The batch size of the image or video does not match the batch size of the labels: "
                             f"{inpt.shape[0]} != {batch_size}.")
        if not inpt.is_floating_point():
            raise TypeError(f"{type(self).__name__}() mixes float images; got {inpt.dtype} (use ToDtype first)")

    def _mix_label(self, label: Tensor, lam: float) -> Tensor:
        if label.ndim == 1:
            label = nnF.one_hot(label, num_classes=self.num_classes if self.num_classes is not None else -1)
        if not label.is_floating_point():
            label = label.float()
        return label.roll(1, 0) * (1.0 - lam) + label * lam

    def _is_image(self, inpt) -> bool:
        return isinstance(inpt, (tv.Image, tv.Video)) or is_pure_tensor(inpt)


class MixUp(_BaseMixUpCutMix):
    """Blend each image (and its one-hot label) with the next one in the batch, weight lam ~ Beta(alpha, alpha)."""

    def make_params(self, flat_inputs):
        return dict(lam=_random.beta(self.alpha, self.alpha))

    def transform(self, inpt, params):
        lam = params["lam"]
        if inpt is params["labels"]:
            return self._mix_label(inpt, lam)
        if self._is_image(inpt):
            self._check_image(inpt, params["batch_size"])
            plain = F.to_pure_tensor(inpt)
            out = plain.roll(1, 0) * (1.0 - lam) + plain * lam
            return tv.wrap(out, like=inpt) if isinstance(inpt, tv.TVTensor) else out
        return inpt


class CutMix(_BaseMixUpCutMix):
    """Paste a random box from the next image in the batch; labels mixed by the box's area."""

    def make_params(self, flat_inputs):
        lam = _random.beta(self.alpha, self.alpha)
        h, w = query_size(flat_inputs)
        r_x = _random.randint(0, w)
        r_y = _random.randint(0, h)
        r = 0.5 * math.sqrt(1.0 - lam)
        r_w_half, r_h_half = int(r * w), int(r * h)
        x1, y1 = max(r_x - r_w_half, 0), max(r_y - r_h_half, 0)
        x2, y2 = min(r_x + r_w_half, w), min(r_y + r_h_half, h)
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (w * h))
        return dict(box=(x1, y1, x2, y2), lam_adjusted=lam_adjusted)

    def transform(self, inpt, params):
        if inpt is params["labels"]:
            return self._mix_label(inpt, params["lam_adjusted"])
        if self._is_image(inpt):
            self._check_image(inpt, params["batch_size"])
            x1, y1, x2, y2 = params["box"]
            plain = F.to_pure_tensor(inpt)
            rolled = plain.roll(1, 0)
            out = plain.clone()
            out[..., y1:y2, x1:x2] = rolled[..., y1:y2, x1:x2]
            return tv.wrap(out, like=inpt) if isinstance(inpt, tv.TVTensor) else out
        return inpt


class JPEG(Transform):
    """JPEG-compress and decompress images at a ``quality`` (1-100; a (min, max) range is drawn from, both ends
    included). Tensors must be uint8 (..., 1 or 3, H, W); masks and boxes pass through."""

    def __init__(self, quality):
        super().__init__()
        if isinstance(quality, int):
            if isinstance(quality, bool):
                raise TypeError("quality can't be bool")
            quality = [quality, quality]
        else:
            _check_sequence_input(quality, "quality", req_sizes=(2,))
        if not (1 <= quality[0] <= quality[1] <= 100 and isinstance(quality[0], int) and isinstance(quality[1], int)):
            raise ValueError(f"quality must be an integer from 1 to 100, got {quality =}")
        self.quality = quality

    def make_params(self, flat_inputs):
        return dict(quality=_random.randint(self.quality[0], self.quality[1] + 1))

    def transform(self, inpt, params):
        return F.passthrough(F.jpeg, inpt, quality=params["quality"])

    def _repr_args(self) -> str:
        return f"quality={self.quality}"
