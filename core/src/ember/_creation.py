"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), arange, linspace,
logspace, eye, and the random ones (rand, randn, randint, randperm, normal, bernoulli, multinomial)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _dtype
from ._device import CPU, to_device, xp_for
from ._tensor import Tensor
from .ops._util import as_shape, wrap
from .random import generator_for


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def _place(arr: np.ndarray, device) -> np.ndarray:
    """Move a host array to `device`'s array module."""
    if device is CPU or device.type == "cpu":
        return arr
    cp = xp_for(device)
    with cp.cuda.Device(device.index):
        return cp.asarray(arr)


def _infer_dtype(data) -> _dtype.dtype:
    """torch's inference for python data: bool < int64 < default float, across the whole nesting."""
    kind = 0
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            d = _dtype.from_numpy_dtype(x._data.dtype)
            return d if kind == 0 or d._category >= 2 else _dtype.result_type_of([d], (), ())
        if isinstance(x, np.ndarray):
            return _dtype.from_numpy_dtype(x.dtype)
        if isinstance(x, (bool, np.bool_)):
            continue
        if isinstance(x, (int, np.integer)):
            kind = max(kind, 1)
        elif isinstance(x, numbers.Real):
            kind = 2
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, numbers.Complex):
            raise TypeError("ember has no complex dtypes")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    return (_dtype.bool_, _dtype.int64, _dtype._default[0])[kind] if _has_items(data) or kind else (
        _dtype.bool_ if isinstance(data, (bool, np.bool_)) else _dtype._default[0])


def _has_items(data):
    return not (isinstance(data, (list, tuple)) and len(data) == 0)


def _to_array(data, dt):
    if isinstance(data, Tensor):
        a = data._data
        return (a.get() if a.__class__ is not np.ndarray else a).astype(dt.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat_first(data)):
        return np.array(_tensors_to_lists(data), dtype=dt.np)
    try:
        return np.array(data, dtype=dt.np)
    except (ValueError, TypeError) as e:
        raise ValueError(f"could not build a tensor from {type(data).__name__}: {e}") from None


def _flat_first(data):
    while isinstance(data, (list, tuple)) and data:
        yield data[0]
        data = data[0]


def _tensors_to_lists(x):
    if isinstance(x, Tensor):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [_tensors_to_lists(v) for v in x]
    return x


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, numbers, NumPy arrays or tensors)."""
    dt = _dtype.to_dtype(dtype) if dtype is not None else (
        _dtype.from_numpy_dtype(data.dtype) if isinstance(data, (np.ndarray, np.generic)) else _infer_dtype(data))
    dev = to_device(device) if device is not None else (data.device if isinstance(data, Tensor) else CPU)
    if isinstance(data, Tensor) and data._data.__class__ is not np.ndarray and dev.type == "cuda":
        arr = data._data.astype(dt.np, copy=True)
        return _finish(wrap(arr), requires_grad)
    arr = _to_array(data, dt)
    if arr.dtype != dt.np:
        arr = arr.astype(dt.np)
    return _finish(wrap(_place(arr, dev)), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like `tensor`, but shares memory with a Tensor or NumPy array of matching dtype and device."""
    if isinstance(data, Tensor):
        out = data
        if dtype is not None or device is not None:
            out = out.to(device=device, dtype=dtype)
        return out
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype).np == data.dtype) and (
            device is None or to_device(device).type == "cpu"):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)  # raises for unsupported dtypes
    return wrap(ndarray)


def _factory_dtype(dtype, fill=None):
    if dtype is not None:
        return _dtype.to_dtype(dtype)
    if fill is not None:
        if isinstance(fill, Tensor):
            return _dtype.from_numpy_dtype(fill._data.dtype)
        return _dtype._scalar_dtype(fill)
    return _dtype._default[0]


def _factory(fn_name, size, dtype, device, requires_grad, fill=None):
    shape = as_shape(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    dt = _factory_dtype(dtype, fill)
    dev = to_device(device)
    xp = xp_for(dev)
    if dev.type == "cpu":
        arr = getattr(np, fn_name)(shape, dtype=dt.np) if fill is None else np.full(shape, fill, dtype=dt.np)
    else:
        with xp.cuda.Device(dev.index):
            arr = getattr(xp, fn_name)(shape, dtype=dt.np) if fill is None else xp.full(shape, fill, dtype=dt.np)
    return _finish(wrap(arr), requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _factory("zeros", size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _factory("ones", size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _factory("empty", size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _factory("full", (size,) if isinstance(size, int) else size, dtype, device, requires_grad, fill=fill_value)


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(*((input.shape,) + args), dtype=dtype or input.dtype, device=device or input.device,
              requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """[start, end) by step; int64 unless an argument is a float (then the default float dtype)."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, "
                           f"step={step})")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dt = _dtype._default[0] if is_float else _dtype.int64
    else:
        dt = _dtype.to_dtype(dtype)
    n = max(math.ceil((end - start) / step), 0)
    arr = (start + np.arange(n, dtype=np.float64 if dt.is_floating_point else np.int64) * step).astype(dt.np)
    return _finish(wrap(_place(arr, to_device(device))), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in torch: like arange but includes `end`; default float dtype."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(n) * step).astype((_dtype.to_dtype(dtype) if dtype else _dtype._default[0]).np)
    return _finish(wrap(_place(arr, to_device(device))), requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype._default[0]
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.linspace(_num(start), _num(end), steps, dtype=np.float64)
    if dt.is_floating_point:
        arr = arr.astype(dt.np)
    else:
        arr = np.trunc(arr).astype(dt.np)
    return _finish(wrap(_place(arr, to_device(device))), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype._default[0]
    arr = np.power(base, np.linspace(_num(start), _num(end), steps, dtype=np.float64)).astype(dt.np)
    return _finish(wrap(_place(arr, to_device(device))), requires_grad)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype._default[0]
    arr = np.eye(n, n if m is None else m, dtype=dt.np)
    return _finish(wrap(_place(arr, to_device(device))), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or _dtype._default[0], device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------------------- random factories
def _random(size, dtype, device, requires_grad, generator, draw):
    shape = as_shape(size)
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype._default[0]
    dev = to_device(device)
    gen = generator_for(dev, generator)
    arr = draw(gen, shape, dt, dev)
    return _finish(wrap(arr), requires_grad)


def _host_or_device(gen, dev, host_fn, device_fn):
    if dev.type == "cpu" or gen.device.type == "cpu":
        return _place(host_fn(gen.numpy()), dev)
    return device_fn(gen._cp)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform on [0, 1)."""
    return _random(size, dtype, device, requires_grad, generator, lambda g, s, dt, dev: _host_or_device(
        g, dev, lambda r: r.random(s, dtype=np.float64).astype(dt.np), lambda r: r.random_sample(s).astype(dt.np)))


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal."""
    return _random(size, dtype, device, requires_grad, generator, lambda g, s, dt, dev: _host_or_device(
        g, dev, lambda r: r.standard_normal(s).astype(dt.np), lambda r: r.standard_normal(s).astype(dt.np)))


def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Integers uniform on [low, high); int64 by default."""
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    return _random(size, dt, device, requires_grad, generator, lambda g, s, d, dev: _host_or_device(
        g, dev, lambda r: r.integers(low, high, s).astype(d.np), lambda r: r.randint(low, high, s).astype(d.np)))


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    dev = to_device(device)
    gen = generator_for(CPU, generator if generator is None or generator.device.type == "cpu" else None)
    return _finish(wrap(_place(gen.numpy().permutation(n).astype(dt.np), dev)), requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal samples; mean/std may be tensors (broadcast together) or numbers with `size`."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(*(t.shape for t in (mean, std) if isinstance(t, Tensor)))
        if isinstance(std, Tensor) and bool((std < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        z = randn(shape, generator=generator, dtype=ref.dtype, device=ref.device)
        return (z * std + mean).detach()
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() with float mean and std needs `size`")
    return randn(size, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad) * std + mean \
        if not requires_grad else _finish((randn(size, generator=generator, dtype=dtype, device=device) * std + mean),
                                          True)


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability `input` (or `p`), else 0, in input's dtype."""
    probs = input._data if p is None else None
    gen = generator_for(input.device, generator)
    u = _host_or_device(gen, input.device, lambda r: r.random(input.shape),
                        lambda r: r.random_sample(input.shape))
    if probs is not None:
        if bool(((probs < 0) | (probs > 1)).any()):
            raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
        res = (u < probs)
    else:
        res = u < p
    return wrap(res.astype(input._data.dtype))


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None, out=None):
    """Indices drawn by the (unnormalised) row weights of `input` ((C,) or (N, C))."""
    w = input.detach().cpu()._data.astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {w.ndim}")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    gen = generator_for(CPU, generator if generator is None or generator.device.type == "cpu" else None).numpy()
    out_rows = []
    for r in rows:
        if r.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(r) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                               "category to sample)")
        out_rows.append(gen.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()))
    res = np.stack(out_rows).astype(np.int64)
    if w.ndim == 1:
        res = res[0]
    return wrap(_place(res, input.device))


def poisson(input, generator=None):
    gen = generator_for(CPU, None if generator is None else generator)
    lam = input.detach().cpu()._data
    return wrap(_place(gen.numpy().poisson(lam).astype(input._data.dtype), input.device))
