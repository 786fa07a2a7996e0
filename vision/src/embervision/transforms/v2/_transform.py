"""The v2 Transform base: any structure of inputs (tuples, lists, dicts) in, the same structure out.

One set of random parameters is drawn per call and applied to every image, video, mask and box set in
the sample; labels and other values pass through. A plain tensor counts as the image only when the
sample holds no PIL image or tv_tensors.Image/Video, and then only the first one (torchvision's rule).
"""

from __future__ import annotations

from typing import Any

from PIL import Image as PILImage

from ember import nn

from ... import tv_tensors as tv
from ..._backend import Tensor
from .. import _random

# ------------------------------------------------------------------------------------------ pytrees


def tree_flatten(obj) -> tuple[list, Any]:
    """Leaves of nested tuples/lists/dicts in order, and a spec to rebuild the structure."""
    if isinstance(obj, (tuple, list)) and not isinstance(obj, Tensor):
        leaves, specs = [], []
        for item in obj:
            sub_leaves, sub_spec = tree_flatten(item)
            leaves.extend(sub_leaves)
            specs.append((len(sub_leaves), sub_spec))
        return leaves, (type(obj), specs)
    if isinstance(obj, dict):
        leaves, specs = [], []
        for key, item in obj.items():
            sub_leaves, sub_spec = tree_flatten(item)
            leaves.extend(sub_leaves)
            specs.append((key, len(sub_leaves), sub_spec))
        return leaves, (type(obj), specs)
    return [obj], None


def tree_unflatten(leaves: list, spec) -> Any:
    if spec is None:
        return leaves[0]
    kind, specs = spec
    pos = 0
    if issubclass(kind, dict):
        out = kind()
        for key, n, sub in specs:
            out[key] = tree_unflatten(leaves[pos : pos + n], sub)
            pos += n
        return out
    items = []
    for n, sub in specs:
        items.append(tree_unflatten(leaves[pos : pos + n], sub))
        pos += n
    if kind is tuple or kind is list:
        return kind(items)
    try:
        return kind(*items)  # namedtuple
    except TypeError:
        return kind(items)


# ------------------------------------------------------------------------------------------ queries


def is_pure_tensor(x) -> bool:
    return isinstance(x, Tensor) and not isinstance(x, tv.TVTensor)


def _is_image_or_video(x) -> bool:
    return isinstance(x, (PILImage.Image, tv.Image, tv.Video)) or is_pure_tensor(x)


def query_chw(flat_inputs: list) -> tuple[int, int, int]:
    """(C, H, W) shared by every image/video in the sample; ValueError when they disagree."""
    from . import functional as F

    chws = {tuple(F.get_dimensions(x)) for x in flat_inputs if _is_image_or_video(x)}
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {sorted(chws)}")
    return chws.pop()


def query_size(flat_inputs: list) -> tuple[int, int]:
    """(H, W) shared by every image, video, mask and box canvas in the sample."""
    from . import functional as F

    sizes = {
        tuple(F.get_size(x))
        for x in flat_inputs
        if _is_image_or_video(x) or isinstance(x, (tv.Mask, tv.BoundingBoxes))
    }
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {sorted(sizes)}")
    return sizes.pop()


def has_any(flat_inputs: list, *types) -> bool:
    return any(isinstance(x, types) for x in flat_inputs)


# ------------------------------------------------------------------------------------------ base


class Transform(nn.Module):
    """Subclasses define ``make_params(flat_inputs) -> dict`` and ``transform(inpt, params)``."""

    _transformed_types: tuple = (Tensor, PILImage.Image)

    def make_params(self, flat_inputs: list) -> dict:
        return {}

    def transform(self, inpt, params: dict):
        raise NotImplementedError(f"{type(self).__name__} must implement transform()")

    def _needs_transform_list(self, flat_inputs: list) -> list[bool]:
        transform_pure_tensor = not has_any(flat_inputs, tv.Image, tv.Video, PILImage.Image)
        needs = []
        for inpt in flat_inputs:
            need = isinstance(inpt, self._transformed_types)
            if need and is_pure_tensor(inpt):
                if transform_pure_tensor:
                    transform_pure_tensor = False
                else:
                    need = False
            needs.append(need)
        return needs

    def forward(self, *inputs):
        flat, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        needs = self._needs_transform_list(flat)
        params = self.make_params([x for x, n in zip(flat, needs) if n])
        out = [self.transform(x, params) if n else x for x, n in zip(flat, needs)]
        return tree_unflatten(out, spec)

    def _repr_args(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_args()})"


class RandomApplyTransform(Transform):
    """A Transform applied to the whole sample with probability ``p``."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        if _random.rand() >= self.p:
            return sample
        return super().forward(*inputs)

    def _repr_args(self) -> str:
        return f"p={self.p}"
