"""Fake CuPy on NumPy (tests only): `ndarray` is a numpy.ndarray subclass with `.device` and `.get()`."""

from __future__ import annotations

import weakref as _weakref

import numpy as _np

from . import cuda  # noqa: F401  (cupy.cuda.Device, cupy.cuda.runtime)
from .cuda import _state

__version__ = "13.0.0+fake"
_NUMPY_SCALARS = (int, float, complex, bool, _np.generic)


class _DeviceRef:
    __slots__ = ("id",)

    def __init__(self, id):
        self.id = id

    def __repr__(self):
        return f"<CUDA Device {self.id}>"

    def __eq__(self, other):
        return isinstance(other, _DeviceRef) and other.id == self.id

    def __hash__(self):
        return hash(self.id)


def _check_operands(args, what):
    """CuPy refuses NumPy arrays as operands: raise as it does so host/device mix-ups show."""
    for a in args:
        if isinstance(a, (list, tuple)):
            _check_operands(a, what)
        elif a.__class__ is _np.ndarray:
            raise TypeError(f"Unsupported type <class 'numpy.ndarray'> (fake cupy: {what} got a host array)")


def _dev_of(args):
    for a in args:
        if isinstance(a, ndarray):
            return a._dev
        if isinstance(a, (list, tuple)):
            d = _dev_of(a)
            if d is not None:
                return d
    return None


def _wrap(x, dev=None):
    """NumPy results as fake device arrays (scalars become 0-d arrays, as CuPy returns)."""
    if isinstance(x, ndarray):
        return x
    if isinstance(x, _np.ndarray):
        if x.dtype == object:
            return x
        _POOL.track(x)
        out = x.view(ndarray)
        out._dev = _state.current if dev is None else dev
        return out
    if isinstance(x, _np.generic):
        out = _np.asarray(x).view(ndarray)
        out._dev = _state.current if dev is None else dev
        return out
    if isinstance(x, tuple):
        return tuple(_wrap(v, dev) for v in x)
    if isinstance(x, list):
        return [_wrap(v, dev) for v in x]
    return x


class ndarray(_np.ndarray):
    """A 'device' array: NumPy memory, a device id, CuPy's strictness about mixing with host arrays."""

    _dev = 0

    def __array_finalize__(self, obj):
        self._dev = getattr(obj, "_dev", _state.current)

    @property
    def device(self):
        return _DeviceRef(self._dev)

    def get(self, stream=None, order="C", out=None, blocking=True):
        host = _np.array(self.view(_np.ndarray), order=order, copy=True)
        if out is not None:
            out[...] = host
            return out
        return host

    def set(self, arr, stream=None):
        _np.copyto(self.view(_np.ndarray), arr)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _check_operands(inputs, f"ufunc {ufunc.__name__}")
        args = [i.view(_np.ndarray) if isinstance(i, ndarray) else i for i in inputs]
        if out is not None:
            _check_operands(out, f"ufunc {ufunc.__name__} out=")
            kwargs["out"] = tuple(o.view(_np.ndarray) if isinstance(o, ndarray) else o for o in out)
        res = getattr(ufunc, method)(*args, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(res, _dev_of(inputs))

    def __array_function__(self, func, types, args, kwargs):
        _check_operands(args, func.__name__)
        _check_operands(list(kwargs.values()), func.__name__)
        res = super().__array_function__(func, tuple(t if t is not ndarray else _np.ndarray for t in types),
                                         _unwrap(args), _unwrap(kwargs))
        return _wrap(res, _dev_of(args))

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        out = arr.view(ndarray)
        out._dev = self._dev
        return out

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
                        "a NumPy array explicitly.")

    def __setitem__(self, key, value):
        if value.__class__ is _np.ndarray:  # CuPy copies host values in, like cupy.asarray
            value = value
        super().__setitem__(_unwrap(key), value.view(_np.ndarray) if isinstance(value, ndarray) else value)

    def __getitem__(self, key):
        return super().__getitem__(_unwrap(key))

    def __reduce__(self):
        raise TypeError("fake cupy: pickling a device array (real CuPy pickles to the same device; ember should "
                        "move tensors to the host before serialising)")

    def __repr__(self):
        return "fake" + repr(self.view(_np.ndarray)).replace("array", "cupy.array", 1)

    def argsort(self, axis=-1, kind=None, order=None):
        return super().argsort(axis, kind="stable")

    def sort(self, axis=-1, kind=None, order=None):
        super().sort(axis, kind="stable")

    def tolist(self):
        return self.view(_np.ndarray).tolist()

    def item(self, *args):
        return self.view(_np.ndarray).item(*args)

    @property
    def data(self):
        return _MemoryPointer(self)

    def toDlpack(self):
        raise NotImplementedError("fake cupy: no DLPack")


class _MemoryPointer:
    def __init__(self, a):
        self.ptr = a.view(_np.ndarray).__array_interface__["data"][0]
        self.device_id = a._dev


def _unwrap(x):
    if isinstance(x, ndarray):
        return x.view(_np.ndarray)
    if isinstance(x, tuple):
        return tuple(_unwrap(v) for v in x)
    if isinstance(x, list):
        return [_unwrap(v) for v in x]
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def asarray(a, dtype=None, order=None, *, blocking=False):
    if isinstance(a, ndarray) and a._dev == _state.current and (dtype is None or a.dtype == _np.dtype(dtype)):
        return a
    host = a.view(_np.ndarray) if isinstance(a, ndarray) else a
    return _wrap(_np.array(host, dtype=dtype, order=order if order is not None else "K", copy=True))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    host = obj.view(_np.ndarray) if isinstance(obj, ndarray) else obj
    return _wrap(_np.array(host, dtype=dtype, copy=True, order=order, ndmin=ndmin))


asanyarray = asarray


def ascontiguousarray(a, dtype=None):
    if not isinstance(a, ndarray):
        raise TypeError(f"Unsupported type {type(a)}")
    return _wrap(_np.ascontiguousarray(a.view(_np.ndarray), dtype=dtype), a._dev)


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    if isinstance(a, ndarray):
        return a.get(order=order, out=out)
    return _np.asarray(a, order=order)


def get_array_module(*args):
    return __import__(__name__) if any(isinstance(a, ndarray) for a in args) else _np


class ElementwiseKernel:
    """Compiling CUDA C is out of reach on the CPU: a real GPU is needed."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("fake cupy: ElementwiseKernel needs a real GPU")


class RawKernel(ElementwiseKernel):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("fake cupy: RawKernel needs a real GPU")


ReductionKernel = RawModule = RawKernel


def fuse(*args, **kwargs):
    raise NotImplementedError("fake cupy: fuse needs a real GPU")


class _MemoryPool:
    """Counts the bytes of live device arrays (so memory_allocated moves), nothing more."""

    def __init__(self):
        self._used = self._peak = 0
        self._seen = set()

    def track(self, x):
        owner = x if x.base is None else None
        if owner is None or id(owner) in self._seen:
            return
        self._seen.add(id(owner))
        self._used += owner.nbytes
        self._peak = max(self._peak, self._used)
        _weakref.finalize(owner, self._free, id(owner), owner.nbytes)

    def _free(self, key, nbytes):
        self._seen.discard(key)
        self._used -= nbytes

    def used_bytes(self):
        return self._used

    def total_bytes(self):
        return self._peak

    def free_all_blocks(self):
        self._peak = self._used

    def set_limit(self, size=None, fraction=None):
        pass


_POOL, _PINNED_POOL = _MemoryPool(), _MemoryPool()


def get_default_memory_pool():
    return _POOL


def get_default_pinned_memory_pool():
    return _PINNED_POOL


_CREATION = {"empty", "zeros", "ones", "full", "arange", "linspace", "logspace", "eye", "identity", "tri",
             "empty_like", "zeros_like", "ones_like", "full_like", "fromfunction", "frombuffer", "indices"}


def __getattr__(name):
    """Everything else: the NumPy function of that name, refusing host arrays and returning device arrays."""
    if name in ("testing", "fft", "linalg"):
        sub = _SubModule(getattr(_np, name))
        globals()[name] = sub
        return sub
    obj = getattr(_np, name)
    if isinstance(obj, _np.ufunc) or callable(obj) and not isinstance(obj, type):
        fn = _device_fn(obj, name)
        globals()[name] = fn
        return fn
    return obj


_STABLE = {"argsort", "sort", "lexsort"}  # CuPy's sorts are always stable (thrust); NumPy's default is not


def _device_fn(obj, name):
    strict = name not in _CREATION

    def fn(*args, **kwargs):
        if name in ("argsort", "sort"):
            kwargs["kind"] = "stable"
        if strict:
            _check_operands(args, name)
            _check_operands(list(kwargs.values()), name)
        res = obj(*_unwrap(args), **_unwrap(kwargs))
        return _wrap(res, _dev_of(args))

    fn.__name__ = fn.__qualname__ = name
    fn.__wrapped__ = obj
    return fn


class _SubModule:
    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        obj = getattr(self._mod, name)
        return _device_fn(obj, name) if callable(obj) and not isinstance(obj, type) else obj


# dtype and scalar type names straight from NumPy
from numpy import (  # noqa: E402,F401
    bool_, complex64, complex128, finfo, float16, float32, float64, iinfo, int8, int16, int32, int64,
    integer, floating, complexfloating, number, result_type, can_cast, promote_types, uint8, uint16, uint32,
    uint64, newaxis, inf, nan, pi, e, ndim, isscalar,
)


class _Lib:
    """cupy.lib.stride_tricks: NumPy's, returning device arrays."""

    stride_tricks = _SubModule(_np.lib.stride_tricks)


lib = _Lib()
dtype = _np.dtype

from .random import RandomState as _RandomState  # noqa: E402,F401  (imports the cupy.random submodule)
