"""Conversions: Tensor.to(device/dtype), copy_, python/NumPy conversions (item rules, __array__), the
new_* factories, memory formats, and the legacy names (`torch.FloatTensor`, `x.type()`, `Tensor(2, 3)`)."""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from ._device import device_of, to_device, xp_for
from ._tensor import Tensor
from .autograd.grad_mode import state as grad_state
from .ops._util import record, record1, wrap
from .ops.inplace import apply_inplace, bump_version

_LEGACY = {
    "FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64, "HalfTensor": _dtype.float16,
    "BFloat16Tensor": _dtype.bfloat16, "ByteTensor": _dtype.uint8, "CharTensor": _dtype.int8,
    "ShortTensor": _dtype.int16, "IntTensor": _dtype.int32, "LongTensor": _dtype.int64, "BoolTensor": _dtype.bool_,
}
_NAME_OF = {v: k for k, v in _LEGACY.items()}


# ---------------------------------------------------------------------------- dtype arguments
def _as_dtype(d) -> _dtype.dtype:
    """A dtype argument; python `float` means float64 whatever the default dtype (as torch)."""
    if d is builtins.float:
        return _dtype.float64
    return _dtype.to_dtype(d)


def _is_dtype_like(a) -> bool:
    return isinstance(a, _dtype.dtype) or a in (builtins.float, builtins.int, builtins.bool)


# ---------------------------------------------------------------------------- Tensor.to
def _describe(args, kwargs) -> str:
    parts = [type(a).__name__ if not isinstance(a, _dtype.dtype) else "ember.dtype" for a in args]
    parts += [f"{k}={type(v).__name__}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _bad_to(args, kwargs):
    return TypeError(
        f"to() received an invalid combination of arguments - got ({_describe(args, kwargs)}), but expected one of:\n"
        " * (ember.device device = None, ember.dtype dtype = None, bool non_blocking = False, bool copy = False, *, "
        "ember.memory_format memory_format = None)\n"
        " * (ember.dtype dtype, bool non_blocking = False, bool copy = False, *, ember.memory_format memory_format "
        "= None)\n"
        " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, ember.memory_format memory_format = None)")


def _parse_to_args(args, kwargs):
    """torch's three to() overloads: (device, dtype, non_blocking, copy), (dtype, non_blocking, copy),
    (tensor, non_blocking, copy) -> (device or None, dtype or None, copy)."""
    kw = dict(kwargs)
    device, dtype = kw.pop("device", None), kw.pop("dtype", None)
    other = kw.pop("tensor", None)
    non_blocking, copy = kw.pop("non_blocking", False), kw.pop("copy", False)
    kw.pop("memory_format", None)
    if kw:
        raise _bad_to(args, kwargs)
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
    elif rest and _is_dtype_like(rest[0]):
        dtype = rest.pop(0)
    elif rest and (rest[0] is None or isinstance(rest[0], (str, _device_cls, int))) and not isinstance(rest[0],
                                                                                                         bool):
        device = rest.pop(0)
        if rest and (rest[0] is None or _is_dtype_like(rest[0])):
            dtype = rest.pop(0)
    flags = [non_blocking, copy]
    for i, a in enumerate(rest):
        if not isinstance(a, bool) or i >= 2:
            raise _bad_to(args, kwargs)
        flags[i] = a
    if other is not None:
        device, dtype = other.device, other.dtype
    return (None if device is None else to_device(device)), (None if dtype is None else _as_dtype(dtype)), flags[1]


def tensor_to(t: Tensor, *args, **kwargs) -> Tensor:
    """t on another device and/or dtype; t itself when nothing changes (unless copy=True)."""
    device, dtype, copy = _parse_to_args(args, kwargs)
    return _convert(t, device, dtype, copy)


def _convert(t: Tensor, device, dtype, copy=False) -> Tensor:
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
    elif new is d:
        new = d.copy()
    out = wrap(new)
    if grad_state.enabled and t._requires_grad and (dtype is None or dtype.is_floating_point):
        record1(out, ToCopyBackward0, t, data=(src_dev, _dtype.from_numpy_dtype(d.dtype)))
    return out


def ToCopyBackward0(ctx, g):
    dev, dt = ctx.data
    return g.to(device=dev, dtype=dt)


# ---------------------------------------------------------------------------- legacy type names
def legacy_type_name(t: Tensor) -> str:
    return ("torch.cuda." if t.is_cuda else "torch.") + _NAME_OF[t.dtype]


def _parse_legacy_type(name):
    """'torch.FloatTensor' / 'torch.cuda.LongTensor' / FloatTensor / dtype -> (dtype, cuda?)."""
    if isinstance(name, str):
        parts = name.split(".")
        if parts[0] in ("torch", "ember") and parts[-1] in _LEGACY and len(parts) in (2, 3) and (
                len(parts) == 2 or parts[1] == "cuda"):
            return _LEGACY[parts[-1]], len(parts) == 3
        raise ValueError(f"invalid type: '{name}'")
    if name is Tensor:
        return _dtype.get_default_dtype(), False
    legacy = getattr(name, "_legacy_dtype", None)
    if legacy is not None:
        return legacy, False
    if isinstance(name, _dtype.dtype):
        return name, None
    raise ValueError(f"invalid type: '{getattr(name, '__name__', name)}'")


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """x.type() -> 'torch.FloatTensor'; x.type(ember.float64 / 'torch.DoubleTensor' / ember.LongTensor) casts."""
    if dtype is None:
        return legacy_type_name(self)
    dt, cuda = _parse_legacy_type(dtype)
    device = None if cuda is None else (to_device("cuda") if cuda else to_device("cpu"))
    return _convert(self, device, dt)


def legacy_type_to_dtype(name):
    return _parse_legacy_type(name)[0]


# ---------------------------------------------------------------------------- copy_
def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy src's values into self (broadcasting src, casting its dtype, across devices)."""
    if not isinstance(src, Tensor):
        if isinstance(src, (bool, int, float, np.generic)):
            from ._creation import full

            src = full((), src, dtype=self.dtype, device=self.device)
        else:
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    _check_copy_shapes(self, src)
    _check_overlap(self, src)
    if not (grad_state.enabled and (self._requires_grad or (src._requires_grad and self.is_floating_point()))):
        sd = src._data
        if sd.__class__ is not self._data.__class__:
            sd = sd.get() if self._data.__class__ is np.ndarray else xp_for(self.device).asarray(sd)
        with np.errstate(invalid="ignore", over="ignore"):
            self._data[...] = sd  # copy_ casts freely (float -> int truncates), as torch
        bump_version(self)
        return self
    return apply_inplace(self, _copy_from, "copy_", src)


def _check_copy_shapes(dst: Tensor, src: Tensor) -> None:
    ds, ss = dst._data.shape, src._data.shape
    if ds == ss:
        return
    if len(ss) > len(ds):
        raise RuntimeError(f"output with shape {list(ds)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(ds, ss)) if _broadcastable(ds, ss) else list(ss)}")
    for i in builtins.range(1, len(ss) + 1):
        if ss[-i] != ds[-i] and ss[-i] != 1:
            raise RuntimeError(f"The size of tensor a ({ds[-i]}) must match the size of tensor b ({ss[-i]}) at "
                               f"non-singleton dimension {len(ds) - i}")


def _broadcastable(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _check_overlap(dst: Tensor, src: Tensor) -> None:
    """torch refuses a copy between partly overlapping memory (the result would depend on the copy order)."""
    a, b = dst._data, src._data
    if a.__class__ is not np.ndarray or b.__class__ is not np.ndarray or not np.may_share_memory(a, b):
        return
    same = (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides)
    if not same and np.shares_memory(a, b):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                           "refer to a single memory location. Please clone() the tensor before performing the "
                           "operation.")


def _copy_from(dst, src):
    """Out-of-place copy_: src cast to dst's dtype/device and broadcast to dst's shape; dst's old value gets a
    zero gradient, src the gradient summed back to its shape (torch's CopyBackwards)."""
    d = src._data.astype(dst._data.dtype)
    if d.__class__ is not dst._data.__class__:
        d = d.get() if dst._data.__class__ is np.ndarray else xp_for(dst.device).asarray(d)
    xp = xp_for(dst.device)
    out = wrap(xp.array(xp.broadcast_to(d, dst._data.shape)))
    if grad_state.enabled and (dst._requires_grad or src._requires_grad):
        record(out, CopyBackwards, (dst, src), data=src.device)
    return out


def CopyBackwards(ctx, g):
    g_dst = g.new_zeros(g.shape) if ctx.needs_input_grad[0] else None
    g_src = g.to(ctx.data) if ctx.needs_input_grad[1] else None  # the engine sums it back to src's shape/dtype
    return g_dst, g_src


# ---------------------------------------------------------------------------- python and NumPy conversions
_ONE_ELEMENT = "only one element tensors can be converted to Python scalars"


def _scalar(self):
    if self._data.size != 1:
        raise ValueError(_ONE_ELEMENT)
    return self.item()


def tensor_int(self):
    return int(_scalar(self))


def tensor_float(self):
    return float(_scalar(self))


def tensor_complex(self):
    return complex(_scalar(self))


def tensor_index(self):
    """Integer (or bool) single-element tensors index python sequences."""
    if self._data.dtype.kind not in "iub" or self._data.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.item())


def tensor_array(self, dtype=None, copy=None):
    """np.asarray(t): t.numpy() (so the same errors for tensors that require grad or live on a GPU)."""
    a = self.numpy()
    if dtype is not None:
        return a.astype(dtype, copy=bool(copy))
    return a.copy() if copy else a


def tensor_array_wrap(self, array, context=None, return_scalar=False):
    """NumPy ufuncs on tensors give tensors back (np.sin(t)); bool results become uint8, as torch."""
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    return wrap(np.asarray(array))


def _get_data(self):
    """x.data: the same memory, outside the graph, with its own version counter."""
    return Tensor._make(self._data)


def _set_data(self, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
    if self._requires_grad and not value.is_floating_point():
        raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
    self._data = value._data


# ---------------------------------------------------------------------------- new_* factories
def _size_args(args, size, fn):
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        return (size,)
    if not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return args


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A copy of `data` with self's dtype and device unless given."""
    from ._creation import _dtype_arg, tensor

    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        out = _convert(data.detach(), to_device(device) if device is not None else self.device,
                       _dtype_arg(dtype, self.dtype), copy=True)
        return out.requires_grad_(True) if requires_grad else out
    return tensor(data, dtype=_dtype_arg(dtype, self.dtype), device=self.device if device is None else device,
                  requires_grad=requires_grad)


def new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from ._creation import _dtype_arg, zeros

    return zeros(*_size_args(args, size, "new_zeros"), dtype=_dtype_arg(dtype, self.dtype),
                 device=self.device if device is None else device, requires_grad=requires_grad)


def new_ones(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from ._creation import _dtype_arg, ones

    return ones(*_size_args(args, size, "new_ones"), dtype=_dtype_arg(dtype, self.dtype),
                device=self.device if device is None else device, requires_grad=requires_grad)


def new_empty(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from ._creation import _dtype_arg, empty

    return empty(*_size_args(args, size, "new_empty"), dtype=_dtype_arg(dtype, self.dtype),
                 device=self.device if device is None else device, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    from ._creation import _dtype_arg, _tuple_size, full

    return full(_tuple_size(size, "new_full"), fill_value, dtype=_dtype_arg(dtype, self.dtype),
                device=self.device if device is None else device, requires_grad=requires_grad)


# ---------------------------------------------------------------------------- memory formats
class memory_format:
    """ember.contiguous_format / preserve_format / channels_last / channels_last_3d (layout hints; ember
    arrays keep NumPy's strides, so these only name the request)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"ember.{self.name}"

    def __reduce__(self):
        return (getattr, (_memory_format_module(), self.name))


def _memory_format_module():
    import importlib

    return importlib.import_module("ember")


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


# ---------------------------------------------------------------------------- legacy constructors
def _legacy_construct(dt, args, device, any_dtype=False):
    """Tensor(2, 3) / Tensor(size) -> uninitialised; Tensor(sequence) -> data; Tensor() -> empty (0,)."""
    from ._creation import empty, tensor
    from ._size import Size

    if not args:
        return empty(0, dtype=dt, device=device)
    if len(args) == 1:
        arg = args[0]
        if isinstance(arg, Size):
            return empty(tuple(arg), dtype=dt, device=device)
        if isinstance(arg, Tensor):
            if arg.dtype is not dt and not any_dtype:
                raise TypeError(f"expected {dt!r} (got {arg.dtype!r})")
            return arg.detach()
        if isinstance(arg, (list, tuple, np.ndarray)):
            return tensor(arg, dtype=dt, device=device)
        if isinstance(arg, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(arg).__name__}'")
        if not isinstance(arg, (int, np.integer)) or isinstance(arg, bool):
            raise TypeError(f"new(): data must be a sequence (got {type(arg).__name__})")
    return empty(*args, dtype=dt, device=device)


def legacy_new(cls, *args, device=None, **kwargs):
    """ember.Tensor(...): the legacy constructor in the default dtype (subclasses get an instance of theirs)."""
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got unexpected keyword arguments "
                        f"{sorted(kwargs)}")
    t = _legacy_construct(_dtype.get_default_dtype(), args, device, any_dtype=True)
    if cls is not Tensor:
        sub = object.__new__(cls)
        sub._data = t._data
        return sub
    return t


def _legacy_tensor_type(name, dt):
    """`ember.FloatTensor(2, 3)`, `ember.LongTensor([1, 2])` and isinstance checks on them."""

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dt and obj.is_cpu

        def __call__(cls, *args, device=None):
            return _legacy_construct(dt, args, device)

        def __repr__(cls):
            return f"<class 'ember.{name}'>"

    return _Meta(name, (), {"_legacy_dtype": dt, "dtype": dt, "__module__": "ember"})


LEGACY_TYPES = {name: _legacy_tensor_type(name, dt) for name, dt in _LEGACY.items()}


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 wrapper: Variable(t, requires_grad=True) is now just the tensor; isinstance works on tensors."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        t = data.detach() if data._requires_grad else data
        if requires_grad:
            t.requires_grad_(True)
        return t


# the Tensor methods this module supplies (bound by _tensor_methods; they replace _tensor.py's versions)
METHODS = {
    "type": tensor_type, "copy_": copy_,
    "__int__": tensor_int, "__float__": tensor_float, "__complex__": tensor_complex, "__index__": tensor_index,
    "__array__": tensor_array, "__array_wrap__": tensor_array_wrap, "__array_priority__": 1000,
    "data": property(_get_data, _set_data),
    "new_tensor": new_tensor, "new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_empty,
    "new_full": new_full, "__new__": staticmethod(legacy_new),
}
