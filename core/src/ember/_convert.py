"""Tensor.to(device/dtype), copy_, and the legacy type names (`torch.FloatTensor`, `x.type()`)."""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from ._device import device_of, to_device, xp_for
from ._tensor import Tensor
from .autograd.grad_mode import state as grad_state
from .ops._util import record1, wrap
from .ops.inplace import apply_inplace, bump_version

_LEGACY = {
    "FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64, "HalfTensor": _dtype.float16,
    "BFloat16Tensor": _dtype.bfloat16, "ByteTensor": _dtype.uint8, "CharTensor": _dtype.int8,
    "ShortTensor": _dtype.int16, "IntTensor": _dtype.int32, "LongTensor": _dtype.int64, "BoolTensor": _dtype.bool_,
}
_NAME_OF = {v: k for k, v in _LEGACY.items()}


def legacy_type_name(t: Tensor) -> str:
    prefix = "torch.cuda." if t.is_cuda else "torch."
    return prefix + _NAME_OF[t.dtype]


def legacy_type_to_dtype(name):
    if isinstance(name, str):
        short = name.split(".")[-1]
        if short in _LEGACY:
            return _LEGACY[short]
        return _dtype.to_dtype(name)
    if getattr(name, "_legacy_dtype", None) is not None:
        return name._legacy_dtype
    return _dtype.to_dtype(name)


def _parse_to_args(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, _dtype.dtype) or (isinstance(a, type) and a in (float, int, bool)):
            dtype = a
        elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
            device = a
        elif isinstance(a, bool):
            continue  # non_blocking / copy passed positionally
        elif a is not None:
            dtype = a
    return (None if device is None else to_device(device)), (None if dtype is None else _dtype.to_dtype(dtype)), copy


def tensor_to(t: Tensor, *args, **kwargs) -> Tensor:
    """Return t on another device and/or dtype; t itself when nothing changes (unless copy=True)."""
    device, dtype, copy = _parse_to_args(args, dict(kwargs))
    d = t._data
    src_dev = device_of(d)
    same_dev = device is None or device == src_dev
    same_dtype = dtype is None or dtype.np == d.dtype
    if same_dev and same_dtype and not copy:
        return t
    new = d
    if not same_dtype:
        new = new.astype(dtype.np)
    if not same_dev:
        if device.type == "cpu":
            new = new.get()
        else:
            xp = xp_for(device)
            with xp.cuda.Device(device.index):
                new = xp.asarray(new)
    elif copy and new is d:
        new = d.copy()
    out = wrap(new)
    if grad_state.enabled and t._requires_grad:
        if dtype is not None and not dtype.is_floating_point:
            return out
        record1(out, ToCopyBackward0, t, data=(src_dev, _dtype.from_numpy_dtype(d.dtype)))
    return out


def ToCopyBackward0(ctx, g):
    dev, dt = ctx.data
    return g.to(device=dev, dtype=dt)


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy src's values into self (broadcasting, casting, across devices)."""
    if not isinstance(src, Tensor):
        from ._creation import tensor

        src = tensor(src)
    recording = grad_state.enabled and (self._requires_grad or src._requires_grad)
    if not recording:
        sd = src._data
        if sd.__class__ is not self._data.__class__:
            sd = sd.get() if self._data.__class__ is np.ndarray else xp_for(self.device).asarray(sd)
        try:
            self._data[...] = sd  # copy_ casts freely (float -> int truncates), as torch
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({list(self.shape)}) must match the size of tensor b "
                               f"({list(src.shape)}) (in copy_)") from None
        bump_version(self)
        return self
    return apply_inplace(self, _copy_from, "copy_", src)


def _copy_from(dst, src):
    """Out-of-place copy_: src cast to dst's dtype/device, broadcast to dst's shape; dst's old value gets no gradient."""
    s = src.to(device=dst.device, dtype=dst.dtype)
    if s.shape != dst.shape:
        s = s.expand(dst.shape)
    return s.clone()


def _legacy_tensor_type(name, dt):
    """`torch.FloatTensor(2, 3)`, `torch.LongTensor([1, 2])` and isinstance checks on them."""

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dt and obj.is_cpu

        def __call__(cls, *args, device=None):
            from ._creation import empty, tensor

            if len(args) == 1 and not isinstance(args[0], int):
                return tensor(args[0], dtype=dt, device=device)
            return empty(*args, dtype=dt, device=device)

    return _Meta(name, (), {"_legacy_dtype": dt, "dtype": dt})


LEGACY_TYPES = {name: _legacy_tensor_type(name, dt) for name, dt in _LEGACY.items()}
