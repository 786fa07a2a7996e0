"""Writing pickles that torch reads: tensors as `torch._utils._rebuild_tensor_v2` over persistent storages.

The globals torch expects (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, ...) are written
as GLOBAL opcodes by name, so neither writing nor reading an ember checkpoint needs torch.
"""

from __future__ import annotations

import collections
import io
import pickle

import numpy as np

from .. import _dtype
from .._device import device as _device_cls
from .._size import Size
from .._tensor import Tensor
from ._storage import STORAGE_NAMES


class Global:
    """A global written by module and name only (never imported here)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name written into a pickle, not callable here")


_REBUILD_TENSOR = Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = Global("collections", "OrderedDict")
_TORCH_SIZE = Global("torch", "Size")
_TORCH_DEVICE = Global("torch", "device")
_STORAGE_GLOBALS = {dt: Global("torch", name) for dt, name in STORAGE_NAMES.items()}
_DTYPE_GLOBALS = {dt: Global("torch", dt.name) for dt in _dtype.ALL}


class _StorageRef:
    """Stands for one storage in the pickle; its persistent id names the data record."""

    __slots__ = ("key", "dtype", "numel", "location")

    def __init__(self, key, dtype, numel, location):
        self.key, self.dtype, self.numel, self.location = key, dtype, numel, location


def _root_array(a: np.ndarray):
    """The array that owns a view's memory, if it is a plain C-contiguous array of the same dtype."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root is a or (root.dtype == a.dtype and root.flags.c_contiguous and root.ndim >= 0):
        return root
    return None


class StorageTable:
    """Collects the storages of every tensor pickled; views of one array share one storage record."""

    def __init__(self):
        self.records = []  # (key, contiguous array to write)
        self._by_root = {}

    def storage_for(self, t: Tensor):
        """-> (_StorageRef, offset in elements, strides in elements) for tensor t."""
        a = t._data
        location = "cpu"
        if a.__class__ is not np.ndarray:
            location = f"cuda:{a.device.id}"
            a = a.get()
        root = _root_array(a) if a.__class__ is np.ndarray else None
        item = a.itemsize
        if root is not None and all(s >= 0 and s % item == 0 for s in a.strides) and location == "cpu":
            entry = self._by_root.get(id(root))
            if entry is None:
                key = str(len(self.records))
                flat = root.reshape(-1) if root.flags.c_contiguous else np.ascontiguousarray(root).reshape(-1)
                self.records.append((key, flat))
                entry = self._by_root[id(root)] = (_StorageRef(key, _dtype.from_numpy_dtype(a.dtype), flat.size,
                                                               location), root)
            ref, root = entry
            offset = (a.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item if a.size else 0
            return ref, offset, tuple(s // item for s in a.strides)
        flat = np.ascontiguousarray(a).reshape(-1)
        key = str(len(self.records))
        self.records.append((key, flat))
        ref = _StorageRef(key, _dtype.from_numpy_dtype(a.dtype), flat.size, location)
        strides, acc = [], 1
        for n in reversed(a.shape):
            strides.append(acc)
            acc *= n
        return ref, 0, tuple(reversed(strides))


class TorchPickler(pickle._Pickler):
    """Pure-Python pickler (so GLOBALs can be written by name) emitting torch's layout for tensors."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, storages: StorageTable, protocol: int = 2):
        super().__init__(file, protocol=protocol)
        self.storages = storages

    def persistent_id(self, obj):
        if obj.__class__ is _StorageRef:
            return ("storage", _STORAGE_GLOBALS[obj.dtype], obj.key, obj.location, obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            ref, offset, stride = self.storages.storage_for(obj)
            args = (ref, offset, tuple(obj.shape), stride, obj.requires_grad, collections.OrderedDict())
            if getattr(obj, "_is_param", False) or type(obj).__name__ == "Parameter":
                data = Tensor._make(obj._data)
                return _REBUILD_PARAMETER, (data, obj.requires_grad, collections.OrderedDict())
            return _REBUILD_TENSOR, args
        if isinstance(obj, _dtype.dtype):
            return NotImplemented  # handled by dispatch as a global
        if isinstance(obj, Size):
            return _TORCH_SIZE, (tuple(obj),)
        if isinstance(obj, _device_cls):
            return _TORCH_DEVICE, ((obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def save_global_by_name(self, obj):
        g = obj if obj.__class__ is Global else _DTYPE_GLOBALS[obj]
        if self.proto >= 4:
            self.save(g.module)
            self.save(g.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{g.module}\n{g.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[Global] = save_global_by_name
    dispatch[_dtype.dtype] = save_global_by_name


def dumps(obj, storages: StorageTable, protocol: int = 2) -> bytes:
    buf = io.BytesIO()
    TorchPickler(buf, storages, protocol).dump(obj)
    return buf.getvalue()
