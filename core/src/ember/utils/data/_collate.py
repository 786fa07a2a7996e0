"""default_collate (a list of samples -> a batch) and default_convert (one sample's arrays -> tensors).

Tensors, arrays and numbers become tensors with a leading batch dimension; strings stay lists; dicts,
namedtuples, tuples and lists are collated field by field. `collate` with a `collate_fn_map` lets users add
types, as torch.utils.data._utils.collate does. Inside a worker, large batches are stacked straight into
shared memory (see _shm), so they reach the main process without another copy.
"""

from __future__ import annotations

import collections
import copy
import re
from collections.abc import Callable

import numpy as np

from ... import _dtype
from ..._creation import as_tensor, tensor
from ..._tensor import Tensor
from ...ops.shape import stack
from . import _shm
from .dataset import GatheredSamples

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")  # numpy dtypes that cannot become tensors

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                                  "dicts or lists; found {}")


def default_convert(data):
    """Turn NumPy arrays and scalars inside data into tensors, keeping the containers (tuples become lists)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:  # the mapping type cannot be rebuilt from a dict
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate by the first element's type: an exact match in collate_fn_map, then isinstance in map order."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem})
        except TypeError:
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # read twice below
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map) for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _check_equal_shapes(arrays) -> None:
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(a.shape)} at entry {i}")


def _stack_arrays(arrays) -> Tensor:
    """np.stack same-dtype arrays into a fresh array (shared memory inside a worker) wrapped as a tensor."""
    _check_equal_shapes(arrays)
    out = _shm.empty((len(arrays),) + arrays[0].shape, arrays[0].dtype)
    np.stack(arrays, out=out)
    return Tensor._make(out)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    # CPU tensors of one dtype without autograd (the usual batch) are stacked on their arrays; ember.stack
    # (torch's dtype promotion, autograd, GPU) otherwise
    dt = batch[0]._data.dtype
    if any(t._requires_grad or t._data.__class__ is not np.ndarray or t._data.dtype != dt for t in batch):
        return stack(batch, 0)
    return _stack_arrays([t._data for t in batch])


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    if any(a.dtype != elem.dtype for a in batch):
        return stack([as_tensor(a) for a in batch], 0)
    return _stack_arrays(batch)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors/arrays/numbers -> tensors with a leading batch dim, recursing
    into dicts, namedtuples, tuples and lists; strings -> the list of strings."""
    if batch.__class__ is GatheredSamples and batch.intact():
        return list(batch.columns)  # what stacking the tuple samples would give, already stacked
    return collate(batch, collate_fn_map=default_collate_fn_map)
