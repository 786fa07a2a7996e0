"""Parameter (a Tensor a Module registers as learnable), Buffer (module state), and the lazy placeholders."""

from __future__ import annotations

from ..autograd.grad_mode import no_grad
from .._creation import empty
from .._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "is_lazy", "Buffer", "UninitializedBuffer",
           "UninitializedTensorMixin"]

_object_new = object.__new__


def _alias_as(cls, data: Tensor, requires_grad: bool):
    """A `cls` instance sharing `data`'s memory, detached from its graph (torch's _make_subclass)."""
    t = _object_new(cls)
    t._data = data._data
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """A Tensor that assigning to a Module attribute registers as a parameter; requires grad by default."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        return _alias_as(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        state = {k: v for k, v in self.__dict__.items() if k not in _TENSOR_STATE}
        return (_rebuild_parameter, (self.detach().cpu()._data.copy(), str(self.device), self.requires_grad, state))


# attributes Tensor itself keeps in the instance dict; anything else a user set is pickled along
_TENSOR_STATE = frozenset({"_data", "_requires_grad", "_grad_fn", "_out_idx", "grad", "_base", "_view_fn", "_ver",
                           "_hooks", "_post_acc_hooks", "_retains_grad"})


def _rebuild_parameter(array, device, requires_grad, state):
    t = Tensor._make(array)
    if device != "cpu":
        t = t.to(device)
    p = Parameter(t, requires_grad)
    p.__dict__.update(state)
    return p


class UninitializedTensorMixin:
    """A placeholder with no shape yet; `materialize(shape)` turns it into its `cls_to_become`."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        if device is None:
            device = self.device
        if dtype is None:
            dtype = self.dtype
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes.")

    def size(self, dim=None):
        return self.shape

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
                           "the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param) -> bool:
    """Whether `param` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a lazy module infers from its first input."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _alias_as(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    # Buffer(t) returns a plain Tensor marked `_is_buffer`; isinstance(t, Buffer) recognises the mark
    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as module state: assigning it to a Module attribute registers it as a buffer."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        with no_grad():
            t = data.detach()
        if data.requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy module infers from its first input."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _alias_as(cls, empty(0, device=device, dtype=dtype), requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, *args, **kwargs):
        pass
