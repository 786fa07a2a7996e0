"""class Tensor: one numpy/cupy array plus autograd metadata.

Attributes with a class-level default (`_grad_fn`, `_requires_grad`, `grad`, `_base`, ...) are only
stored on the instance when they differ, so making a tensor costs one object and one attribute.
Operators and math methods are bound onto the class by `_tensor_methods`, straight to the op
functions, so `a + b` is one Python call.
"""

from __future__ import annotations

import weakref

import numpy as np

from . import _dtype
from ._device import CPU, device_of, to_device
from ._size import Size

_ndarray = np.ndarray
_np_ones = np.ones


class Tensor:
    # autograd metadata (class defaults; instances override only when needed)
    _requires_grad = False
    _grad_fn = None
    _out_idx = 0
    grad = None
    _base = None  # the tensor whose memory a view shares (always a root, never a view)
    _view_fn = None  # base -> this view, replayed when an in-place op on the view rewrites the base's graph
    _no_grad_view = False  # a view made under no_grad: in-place ops on it may not record a graph
    _ver = 0  # in-place modification count, kept on the root tensor and shared by its views
    _hooks = None
    _post_acc_hooks = None
    _retains_grad = False
    _is_param = False
    _pinned = False

    # __new__ (the legacy `ember.Tensor(2, 3)` constructor), type(), .data, int()/float()/index rules,
    # __array__ and new_* come from _convert.py, bound by _tensor_methods.

    def __init__(self, *args, **kwargs):
        pass

    # ----------------------------------------------------------------- construction
    @staticmethod
    def _make(data):
        """Wrap an array (of this device's module) without copying."""
        t = _object_new(Tensor)
        t._data = data
        return t

    def _own(self):
        """A tensor holding a private copy of this tensor's data."""
        return _make(self._data.copy())

    # ----------------------------------------------------------------- metadata
    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self._data.__class__ is not _ndarray

    @property
    def is_cpu(self) -> bool:
        return self._data.__class__ is _ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    is_complex = staticmethod(lambda: False)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self._data.dtype == _dtype.bfloat16.np

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        base = self._base
        if base is None:
            return 0
        return (_address(self._data) - _address(base._data)) // self._data.itemsize

    def data_ptr(self) -> int:
        return _address(self._data)

    def get_device(self) -> int:
        return -1 if self.is_cpu else self._data.device.id

    @property
    def layout(self):
        return "strided"

    # ----------------------------------------------------------------- autograd
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True):
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and not self.is_floating_point():
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients (got {self.dtype})"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version(self) -> int:
        b = self._base
        return (self if b is None else b)._ver

    @property
    def output_nr(self) -> int:
        return self._out_idx

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        node = self._grad_fn
        if node.retained is None:
            node.retained = {}
        node.hooked = True
        node.retained[self._out_idx] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called when this tensor's gradient is computed."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_pre_hook(self._out_idx, hook)
        if self._hooks is None:
            self._hooks = {}
        key = object()
        self._hooks[key] = hook
        return _DictHandle(self._hooks, key)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        key = object()
        self._post_acc_hooks[key] = hook
        return _DictHandle(self._post_acc_hooks, key)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the graph's leaves (`gradient`: d(out) for non-scalars)."""
        d = self._data
        if (gradient is None and inputs is None and not create_graph and self._grad_fn is not None
                and d.size == 1 and d.__class__ is _ndarray and d.dtype.kind == "f"):
            # loss.backward(): skip the general argument handling
            from .autograd.graph import run_backward

            run_backward((self,), (_make(_np_ones(d.shape, d.dtype)),), bool(retain_graph), False)
            return
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing this one's memory (and version counter), outside the graph."""
        t = _make(self._data)
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad and self._view_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ----------------------------------------------------------------- conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self._data.__class__ is not _ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy the "
                    "tensor to host memory first."
                )
            return self._data.get()
        return self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if self.is_cpu else self._data.get().reshape(()).item()

    def tolist(self):
        a = self._data if self.is_cpu else self._data.get()
        if a.dtype == _dtype.bfloat16.np:
            a = a.astype(np.float32)
        return a.tolist()

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'no values' if self._data.size == 0 else 'more than one value'} "
                "is ambiguous"
            )
        return bool(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self.detach().cpu()._data.copy(), str(self.device), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment."
            )
        new = type(self).__new__(type(self)) if type(self) is not Tensor else _object_new(Tensor)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("_data", "grad", "_base")})
        new._data = self._data.copy()
        if self.grad is not None:
            new.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    # ----------------------------------------------------------------- devices and dtypes
    def to(self, *args, **kwargs):
        from ._convert import tensor_to

        return tensor_to(self, *args, **kwargs)

    def cpu(self, memory_format=None):
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        if device is None:
            return self.to("cuda")
        return self.to(to_device(f"cuda:{device}" if isinstance(device, int) else device))

    def type_as(self, other):
        return self.to(other.dtype).to(other.device)

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dtype.bfloat16)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool_)

    def pin_memory(self, device=None):
        """A copy in page-locked host memory (CuPy), so copies to the GPU can overlap compute."""
        from . import cuda

        if self._pinned:
            return self
        if self._data.__class__ is not _ndarray:
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        if not cuda.is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        from .utils.data._pin_memory import pinned_array

        t = _make(pinned_array(self._data))
        t._pinned = True
        return t

    def is_pinned(self, device=None) -> bool:
        return self._pinned

    def share_memory_(self):
        return self

    def is_shared(self) -> bool:
        return False

_object_new = object.__new__
_make = Tensor._make


def _address(a) -> int:
    if a.__class__ is _ndarray:
        return a.__array_interface__["data"][0]
    return a.data.ptr


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


class _DictHandle:
    def __init__(self, d, key):
        self._d, self._key = d, key

    def remove(self):
        self._d.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _rebuild(array, device, requires_grad):
    t = _make(array)
    if device != "cpu":
        t = t.to(device)
    if requires_grad:
        t.requires_grad_(True)
    return t
