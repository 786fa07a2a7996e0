"""Typed tensors for transforms.v2 (torchvision.tv_tensors): Image, Video, Mask and BoundingBoxes.

Each is an ember Tensor tagged with its meaning, so a v2 transform knows to resample a Mask with nearest,
to move BoundingBoxes' coordinates, and to leave labels alone. Ops on them return plain tensors, as in
torchvision; `wrap(tensor, like=...)` tags a result again.
"""

from __future__ import annotations

import enum

from PIL import Image as _PILImage

import ember

from ._backend import Tensor, array_of, wrap as _wrap_array

__all__ = ["BoundingBoxFormat", "BoundingBoxes", "Image", "Mask", "TVTensor", "Video", "wrap"]


def _as_tensor(data, dtype=None, device=None, requires_grad=None) -> Tensor:
    if isinstance(data, _PILImage.Image):
        from .transforms import functional as F

        data = F.pil_to_tensor(data)
    if isinstance(data, Tensor):
        t = data
        if dtype is not None or device is not None:
            t = t.to(device=device, dtype=dtype)
    else:
        t = ember.as_tensor(data, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild(cls, data, meta):
    return cls._from(data, **meta)


class TVTensor(Tensor):
    """Base of the typed tensors; behaves as a Tensor, ops on it return plain Tensors."""

    _meta_names: tuple[str, ...] = ()

    @classmethod
    def _from(cls, t: Tensor, **meta):
        """A new ``cls`` tensor sharing ``t``'s memory (``t`` itself keeps its type)."""
        out = _wrap_array(array_of(t))
        out.__class__ = cls
        for k, v in meta.items():
            object.__setattr__(out, k, v)
        return out

    def as_subclass(self, cls):
        """This tensor's data without the tag (``as_subclass(Tensor)``) or with another one."""
        out = _wrap_array(array_of(self))
        if cls is not Tensor:
            out.__class__ = cls
        return out

    def __reduce_ex__(self, protocol):
        meta = {k: getattr(self, k) for k in self._meta_names}
        return _rebuild, (type(self), self.as_subclass(Tensor), meta)

    def __repr__(self) -> str:
        base = Tensor.__repr__(self.as_subclass(Tensor))
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in self._meta_names)
        return f"{type(self).__name__}({base[len('tensor('):-1] if base.startswith('tensor(') else base}{extra})"

    __str__ = __repr__


class Image(TVTensor):
    """An image (..., C, H, W); PIL images are converted with pil_to_tensor."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        t = _as_tensor(data, dtype, device, requires_grad)
        if t.ndim < 2:
            raise ValueError(f"Image needs at least 2 dims (H, W), got shape {tuple(t.shape)}")
        if t.ndim == 2:
            t = t.unsqueeze(0)
        return cls._from(t)


class Video(TVTensor):
    """A video (..., T, C, H, W)."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        t = _as_tensor(data, dtype, device, requires_grad)
        if t.ndim < 4:
            raise ValueError(f"Video needs at least 4 dims (T, C, H, W), got shape {tuple(t.shape)}")
        return cls._from(t)


class Mask(TVTensor):
    """A segmentation / detection mask (..., H, W): resampled with nearest, untouched by colour transforms."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        return cls._from(_as_tensor(data, dtype, device, requires_grad))


class BoundingBoxFormat(enum.Enum):
    """XYXY: corners; XYWH: top-left corner and size; CXCYWH: centre and size."""

    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"


class BoundingBoxes(TVTensor):
    """Boxes (N, 4) on an image of ``canvas_size`` = (H, W), in ``format``."""

    _meta_names = ("format", "canvas_size")

    def __new__(cls, data, *, format, canvas_size, dtype=None, device=None, requires_grad=None):
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        t = _as_tensor(data, dtype, device, requires_grad)
        if t.ndim == 1:
            t = t.unsqueeze(0)
        if t.ndim != 2 or t.shape[-1] != 4:
            raise ValueError(f"BoundingBoxes must be (N, 4), got shape {tuple(t.shape)}")
        return cls._from(t, format=format, canvas_size=tuple(int(s) for s in canvas_size))


def wrap(wrappee: Tensor, *, like: TVTensor, **kwargs) -> TVTensor:
    """Tag ``wrappee`` with the type (and metadata, overridable by kwargs) of ``like``."""
    meta = {k: kwargs.get(k, getattr(like, k)) for k in like._meta_names}
    return type(like)._from(wrappee, **meta)
