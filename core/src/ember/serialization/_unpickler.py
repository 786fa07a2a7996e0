"""Reading pickles safely: only tensors, storages, OrderedDict and plain containers are rebuilt.

`weights_only=True` (the default) uses `RestrictedUnpickler`, whose find_class knows a short list of
globals and refuses every other one by name — nothing in the file is ever executed. torch's own
globals (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, ...) map to ember equivalents.
"""

from __future__ import annotations

import _codecs
import collections
import math
import pickle

import numpy as np

from .. import _dtype
from .._size import Size
from ._storage import STORAGE_DTYPES, Storage, StorageType


class UnpicklingError(pickle.UnpicklingError):
    pass


def _as_tensor(storage: Storage, offset: int, size, stride):
    """A tensor viewing `storage` like torch's set_(storage, offset, size, stride), bounds-checked."""
    from ..ops._util import wrap

    arr = storage.array
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise UnpicklingError(f"invalid tensor geometry: offset {offset}, size {list(size)}, stride {list(stride)}")
    if all(s > 0 for s in size):
        extent = offset + sum((n - 1) * st for n, st in zip(size, stride)) + 1
        if extent > arr.size:
            raise UnpicklingError(
                f"tensor of size {list(size)} with stride {list(stride)} at offset {offset} needs {extent} elements, "
                f"but its storage holds {arr.size}")
    numel = math.prod(size)
    if stride == _contiguous_strides(size):  # the usual case: a plain reshape of a slice, no stride tricks
        view = arr[offset:offset + numel].reshape(size)
    else:
        item = arr.itemsize
        view = np.lib.stride_tricks.as_strided(arr[offset:] if arr.size else arr, shape=size,
                                               strides=tuple(st * item for st in stride))
    t = wrap(view)
    t._saved_location = storage.location  # read (and removed) by the loader's map_location pass
    return t


def _contiguous_strides(size):
    strides, acc = [], 1
    for n in reversed(size):
        strides.append(acc)
        acc *= n
    return tuple(reversed(strides))


def rebuild_tensor(storage, storage_offset, size, stride):
    return _as_tensor(storage, int(storage_offset), size, stride)


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                      metadata=None):
    t = rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _parameter_class():
    try:
        from ..nn.parameter import Parameter
    except ImportError:
        return None
    return Parameter


def rebuild_parameter(data, requires_grad, backward_hooks=None):
    Parameter = _parameter_class()
    if Parameter is None:
        return data.detach().requires_grad_(bool(requires_grad))
    return Parameter(data, requires_grad=bool(requires_grad))


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        attrs = state[1] if isinstance(state, tuple) and len(state) == 2 else state
        if isinstance(attrs, dict):
            for k, v in attrs.items():
                setattr(p, k, v)
    return p


class _TypeMarker:
    """torch.Tensor / torch.nn.Parameter named in `_rebuild_from_type_v2`: which class to return."""

    def __init__(self, kind: str):
        self.kind = kind


def rebuild_from_type_v2(func, new_type, args, state):
    out = func(*args)
    if isinstance(new_type, _TypeMarker) and new_type.kind == "Parameter":
        out = rebuild_parameter(out, out.requires_grad)
    return out


def _dtype_global(name):
    d = _dtype._BY_NAME.get(name)
    if d is None:
        aliases = {"float": _dtype.float32, "double": _dtype.float64, "half": _dtype.float16, "long": _dtype.int64,
                   "int": _dtype.int32, "short": _dtype.int16, "bool": _dtype.bool_}
        d = aliases.get(name)
    return d


def _device_global(*args):
    from .._device import device

    return device(*args)


_SAFE_BUILTINS = {"set": set, "frozenset": frozenset, "slice": slice, "complex": complex, "bytearray": bytearray,
                  "range": range, "bytes": bytes, "list": list, "dict": dict, "tuple": tuple, "int": int,
                  "float": float, "bool": bool, "str": str}

SAFE_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter_with_state,
    ("torch._tensor", "_rebuild_from_type_v2"): rebuild_from_type_v2,
    ("torch", "Tensor"): _TypeMarker("Tensor"),
    ("torch.nn.parameter", "Parameter"): _TypeMarker("Parameter"),
    ("torch", "Size"): Size,
    ("torch", "device"): _device_global,
    ("_codecs", "encode"): _codecs.encode,  # protocol-2 pickles spell bytes as _codecs.encode(str, 'latin1')
    ("ember._size", "Size"): Size,
}
SAFE_GLOBALS.update({("builtins", k): v for k, v in _SAFE_BUILTINS.items()})
SAFE_GLOBALS.update({("__builtin__", k): v for k, v in _SAFE_BUILTINS.items()})


def safe_global(module: str, name: str):
    """The allowed object for a pickle global, or None."""
    obj = SAFE_GLOBALS.get((module, name))
    if obj is not None:
        return obj
    if module == "torch":
        if name in STORAGE_DTYPES:
            return StorageType(name)
        d = _dtype_global(name)
        if d is not None:
            return d
    if module == "ember._dtype" and name == "_dtype_by_name":
        return _dtype._dtype_by_name
    return None


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that rebuilds only allow-listed globals; `persistent_load` is supplied by the file format."""

    def __init__(self, file, persistent_load, source: str):
        super().__init__(file, encoding="utf-8")
        self._persistent_load = persistent_load
        self._source = source

    def find_class(self, module, name):
        obj = safe_global(module, name)
        if obj is None:
            raise UnpicklingError(
                f"Weights only load failed: {self._source} references the global '{module}.{name}', which "
                "ember.load(weights_only=True) does not rebuild. Only tensors, storages, OrderedDict and plain "
                "containers are loaded this way. If you trust the file's source, load it with weights_only=False "
                "(that runs code the file names)."
            )
        return obj

    def persistent_load(self, pid):
        return self._persistent_load(pid)


class TrustingUnpickler(pickle.Unpickler):
    """weights_only=False: any global, with torch's names mapped to ember's equivalents."""

    def __init__(self, file, persistent_load, source: str):
        super().__init__(file, encoding="utf-8")
        self._persistent_load = persistent_load

    def find_class(self, module, name):
        obj = safe_global(module, name)
        if obj is not None:
            return obj
        if module.startswith("torch"):
            mapped = "ember" + module[len("torch"):]
            try:
                return super().find_class(mapped, name)
            except (ImportError, AttributeError):
                pass
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self._persistent_load(pid)


def unpickler_class(weights_only: bool):
    return RestrictedUnpickler if weights_only else TrustingUnpickler
