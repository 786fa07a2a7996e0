"""ember.accelerator: the device-agnostic queries current PyTorch examples call first."""

from __future__ import annotations

from . import cuda
from ._device import device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """The accelerator device (cuda) or None when there is none."""
    if cuda.is_available():
        return device("cuda")
    return None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    return cuda.current_device() if cuda.is_available() else -1


def set_device_index(index: int) -> None:
    cuda.set_device(index)


def synchronize(device=None) -> None:
    cuda.synchronize()
