"""ember.cuda: GPU queries and controls through CuPy; everything answers sensibly without a GPU."""

from __future__ import annotations

_available = None


def _cupy():
    from .._device import cupy_module

    return cupy_module()


def is_available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    global _available
    if _available is None:
        try:
            import cupy

            _available = cupy.cuda.runtime.getDeviceCount() > 0
        except Exception:
            _available = False
    return _available


def device_count() -> int:
    return _cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def _require():
    if not is_available():
        raise RuntimeError("ember.cuda: no CUDA GPU is available (install ember[cuda] on a machine with an NVIDIA GPU)")


def current_device() -> int:
    _require()
    return _cupy().cuda.runtime.getDevice()


def set_device(device) -> None:
    from .._device import to_device

    _require()
    d = to_device(device) if not isinstance(device, int) else None
    _cupy().cuda.runtime.setDevice(device if isinstance(device, int) else d.index)


def synchronize(device=None) -> None:
    if is_available():
        _cupy().cuda.Device().synchronize() if device is None else _cupy().cuda.Device(
            device if isinstance(device, int) else device.index).synchronize()


def manual_seed(seed: int) -> None:
    from .. import random

    if is_available():
        random.cuda_generator(current_device()).manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    from .. import random

    for i in range(device_count()):
        random.cuda_generator(i).manual_seed(seed)


def memory_allocated(device=None) -> int:
    """Bytes held by tensors in CuPy's memory pool (0 without a GPU)."""
    if not is_available():
        return 0
    return _cupy().get_default_memory_pool().used_bytes()


def max_memory_allocated(device=None) -> int:
    if not is_available():
        return 0
    return _cupy().get_default_memory_pool().total_bytes()


def memory_reserved(device=None) -> int:
    if not is_available():
        return 0
    return _cupy().get_default_memory_pool().total_bytes()


def empty_cache() -> None:
    if is_available():
        _cupy().get_default_memory_pool().free_all_blocks()


def get_device_name(device=None) -> str:
    _require()
    idx = current_device() if device is None else (device if isinstance(device, int) else device.index)
    props = _cupy().cuda.runtime.getDeviceProperties(idx)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    _require()
    idx = current_device() if device is None else (device if isinstance(device, int) else device.index)
    props = _cupy().cuda.runtime.getDeviceProperties(idx)
    return props["major"], props["minor"]


def is_bf16_supported() -> bool:
    return is_available() and get_device_capability()[0] >= 8
