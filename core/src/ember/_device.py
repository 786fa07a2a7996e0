"""Devices and the array module behind each: numpy on `cpu`, cupy on `cuda:N`."""

from __future__ import annotations

import numpy as np

_cupy = None


def cupy_module():
    """The cupy module, imported on first use; RuntimeError naming the fix when it is missing."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError as e:
            raise RuntimeError(
                "CUDA tensors need CuPy: install ember with the cuda extra (pip install './core[cuda]')"
            ) from e
        _cupy = cupy
    return _cupy


class device:
    """`ember.device('cuda:0')`, `ember.device('cuda', 0)`, `ember.device('cpu')`."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            self.type, self.index = "cuda", type
            return
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string, int or device, got {type!r}")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: {type}"
            )
        if idx:
            if index is not None:
                raise RuntimeError(f"device string {type!r} already has an index; got index={index} too")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if name == "cpu" and index not in (None, 0):
            raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
        self.type, self.index = name, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")
_cuda_devices: dict = {}


def to_device(d) -> device:
    """Normalise what users pass as `device=`: None, str, int or device; 'cuda' means the current GPU."""
    if d is None or d is CPU:
        return CPU
    if not isinstance(d, device):
        d = device(d)
    if d.type == "cuda" and d.index is None:
        d = device("cuda", cupy_module().cuda.runtime.getDevice())
    if d.type == "cpu":
        return CPU
    return d


def device_of(data) -> device:
    """The device an array lives on."""
    if data.__class__ is np.ndarray:
        return CPU
    idx = data.device.id
    d = _cuda_devices.get(idx)
    if d is None:
        d = _cuda_devices[idx] = device("cuda", idx)
    return d


def xp_of(data):
    """The array module of an array: numpy or cupy."""
    return np if data.__class__ is np.ndarray else cupy_module()


def xp_for(d: device):
    return np if d.type == "cpu" else cupy_module()
