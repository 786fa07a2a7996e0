"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), arange, linspace,
logspace, eye, and the random ones (rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson)."""

from __future__ import annotations

import builtins
import math
import numbers
import operator
import warnings

import numpy as np

from . import _dtype
from . import random as _random
from ._device import CPU, to_device, xp_for
from ._tensor import Tensor
from .autograd.grad_mode import state as _grad_state
from .ops._util import record, wrap

_PY_SCALAR_DTYPE = {bool: _dtype.bool_, int: _dtype.int64}  # float: the default dtype, read at call time
_SUPPORTED = "float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, and bool"


# ---------------------------------------------------------------------------- shared helpers
def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if not t.is_floating_point():
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _place(arr, device):
    """Move an array to `device`'s array module (no copy when it is already there)."""
    if device is CPU or device.type == "cpu":
        return arr if arr.__class__ is np.ndarray else arr.get()
    cp = xp_for(device)
    with cp.cuda.Device(device.index):
        return cp.asarray(arr)


def _dtype_arg(dtype, default=None):
    """dtype= as torch reads it: python `float` is float64 (not the default dtype), None -> `default`."""
    if dtype is None:
        return default if default is not None else _dtype._default[0]
    if dtype is builtins.float:
        return _dtype.float64
    return _dtype.to_dtype(dtype)


def _shape_arg(args, size, fn: str, negative_msg: str | None = None) -> tuple:
    """Sizes as f(2, 3), f((2, 3)), f([2, 3]), f(ember.Size(...)) or f(size=...), validated as torch does."""
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        args = (size,)
    if len(args) == 1 and args[0].__class__ is tuple:
        args = args[0]  # zeros((2, 3)): the common form, checked by the same fast path
        if not all(a.__class__ is int for a in args):
            args = (args,)
    if all(a.__class__ is int for a in args):
        shape = args
    else:
        seq = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
        if len(args) == 1 and seq is args and not isinstance(args[0], (int, np.integer, Tensor)):
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{type(args[0]).__name__}")
        shape = tuple(_size_item(s, i, fn) for i, s in enumerate(seq))
    for s in shape:
        if s < 0:
            raise RuntimeError(negative_msg or f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return tuple(shape)


def _size_item(s, pos: int, fn: str) -> int:
    if s.__class__ is not bool:
        try:
            return operator.index(s)
        except TypeError:
            pass
    raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element of type "
                    f"{type(s).__name__} at pos {pos}")


def _tuple_size(size, fn: str) -> tuple:
    """A size that must be a sequence (full, new_full): a bare int is torch's TypeError."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _shape_arg((tuple(size),), None, fn)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def _is_float_scalar(x) -> bool:
    cls = x.__class__
    if cls is int:
        return False
    if cls is float:
        return True
    if isinstance(x, Tensor):
        return x.is_floating_point()
    return isinstance(x, (float, np.floating))


def _write_out(result: Tensor, out):
    """The out= convention: copy into `out` (resizing it when the shape differs) and return it."""
    if out is None:
        return result
    from .ops.inplace import bump_version

    if out.shape == result.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out._data.dtype)
    bump_version(out)
    return out


# ---------------------------------------------------------------------------- tensor(data) and friends
def _numpy_dtype(np_dtype) -> _dtype.dtype:
    """The ember dtype of an array's dtype, with torch's errors for byte-swapped and unsupported ones."""
    nd = np.dtype(np_dtype)
    if not nd.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    try:
        return _dtype.from_numpy_dtype(nd)
    except TypeError:
        raise TypeError(f"can't convert np.ndarray of type numpy.{nd.type.__name__}. The only supported types "
                        f"are: {_SUPPORTED}.") from None


def _leaf_dtype(x) -> _dtype.dtype:
    cls = x.__class__
    if cls is float:
        return _dtype._default[0]
    if cls in _PY_SCALAR_DTYPE:
        return _PY_SCALAR_DTYPE[cls]
    if isinstance(x, (np.generic, np.ndarray)):
        return _numpy_dtype(x.dtype)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, bool):
        return _dtype.bool_
    if isinstance(x, numbers.Integral):
        return _dtype.int64
    if isinstance(x, numbers.Real):
        return _dtype._default[0]
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{cls.__name__}'")
    if isinstance(x, numbers.Complex):
        raise TypeError(f"ember has no complex dtypes (got {x!r})")
    raise RuntimeError(f"Could not infer dtype of {cls.__name__}")


class _Scan:
    """What a walk over nested data found: the promoted dtype, and whether it needs the slow conversion."""

    __slots__ = ("dtype", "special")

    def __init__(self):
        self.dtype = None
        self.special = False

    def add(self, d):
        self.dtype = d if self.dtype is None else _dtype.promote_types(self.dtype, d)


def _scan(seq, acc: _Scan) -> None:
    """torch's inference: promote_types over every leaf (bool < int64 < default float; NumPy scalars and
    tensors by their own dtype)."""
    types = set(map(type, seq))
    if types <= {float, int, bool}:
        for tp in types:
            acc.add(_dtype._default[0] if tp is float else _PY_SCALAR_DTYPE[tp])
        return
    for x in seq:
        tp = x.__class__
        if tp is list or tp is tuple:
            _scan(x, acc)
        elif isinstance(x, np.ndarray) and x.ndim:
            acc.add(_numpy_dtype(x.dtype))
            acc.special = True
        elif isinstance(x, Tensor):
            acc.add(x.dtype)
            acc.special = True
        elif isinstance(x, builtins.range):
            _scan(list(x), acc)
            acc.special = True
        else:
            acc.add(_leaf_dtype(x))


def _plain(x):
    """Nested data with tensors turned into python numbers (as torch: a tensor inside a list is a scalar)."""
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (list, tuple, builtins.range)):
        return [_plain(v) for v in x]
    return x


def _ragged_error(data):
    """torch's message for nested sequences that are not rectangular."""
    shape = []
    x = data
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]

    def check(x, d):
        if d == len(shape):
            if isinstance(x, (list, tuple)):
                return TypeError(f"'{type(x).__name__}' object cannot be interpreted as a number")
            return None
        if not isinstance(x, (list, tuple)):
            return TypeError("not a sequence")
        if len(x) != shape[d]:
            return ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {len(x)})")
        for y in x:
            e = check(y, d + 1)
            if e is not None:
                return e
        return None

    return check(data, 0)


def _build_array(data, inferred: _dtype.dtype, target: _dtype.dtype) -> np.ndarray:
    """A host array of `target` dtype from python data whose own dtype is `inferred`."""
    direct = target.is_floating_point or not inferred.is_floating_point
    try:
        if direct:
            try:
                return np.array(data, dtype=target.np)
            except OverflowError:
                if inferred is target or target.is_floating_point:
                    raise
        # python floats into an integer dtype truncate (and out-of-range ints wrap), as torch's casts do
        build = np.float64 if inferred.is_floating_point else np.int64
        with np.errstate(invalid="ignore", over="ignore"):
            return np.array(data, dtype=build).astype(target.np)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except (ValueError, TypeError):
        err = _ragged_error(data)
        if err is not None:
            raise err from None
        raise


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, numbers, NumPy arrays or tensors)."""
    dev = to_device(device) if device is not None else None
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        dt = _dtype_arg(dtype, data.dtype)
        src = data._data
        arr = src.astype(dt.np, copy=True)
        return _finish(wrap(_place(arr, dev) if dev is not None else arr), requires_grad)
    if isinstance(data, (np.ndarray, np.generic)):
        src_dt = _numpy_dtype(data.dtype)
        dt = _dtype_arg(dtype, src_dt)
        arr = np.array(data, dtype=dt.np, copy=True)
    else:
        if isinstance(data, (list, tuple, builtins.range)):
            acc = _Scan()
            _scan(data, acc)
            inferred = acc.dtype or _dtype._default[0]
            if acc.special or isinstance(data, builtins.range):
                data = _plain(data)
        else:
            inferred = _leaf_dtype(data)
            if isinstance(data, Tensor):
                data = data.item()
        dt = _dtype_arg(dtype, inferred)
        arr = _build_array(data, inferred, dt)
    return _finish(wrap(_place(arr, dev or CPU)), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like `tensor`, but shares memory with a Tensor or NumPy array of matching dtype and device."""
    if isinstance(data, Tensor):
        if dtype is None and device is None:
            return data
        return data.to(device=device, dtype=None if dtype is None else _dtype_arg(dtype))
    if isinstance(data, np.ndarray) and (device is None or to_device(device).type == "cpu"):
        t = from_numpy(data)
        return t if dtype is None or _dtype_arg(dtype) is t.dtype else t.to(_dtype_arg(dtype))
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    """torch.asarray: share memory with a Tensor/array when possible; copy=True always copies, copy=False never."""
    out = as_tensor(obj, dtype=dtype, device=device)
    shares = (out is obj if isinstance(obj, Tensor) else
              isinstance(obj, np.ndarray) and out.is_cpu and np.shares_memory(out._data, obj))
    if copy and shares:
        out = wrap(out._data.copy())
    elif copy is False and not shares and isinstance(obj, (Tensor, np.ndarray)):
        raise ValueError(f"can't alias the {type(obj).__name__} to the requested dtype/device without a copy "
                         "(copy=False)")
    if requires_grad:
        if out is obj:
            out = out.detach()
        _finish(out, True)
    return out


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (writes show up on both sides)."""
    if not isinstance(ndarray, np.ndarray):
        cls = type(ndarray)
        name = f"numpy.{cls.__name__}" if cls.__module__ == "numpy" else cls.__name__
        raise TypeError(f"expected np.ndarray (got {name})")
    _numpy_dtype(ndarray.dtype)
    return wrap(ndarray)


# ---------------------------------------------------------------------------- constant factories
def _constant(fn_name, shape, dt, device, requires_grad, fill=None):
    dev = to_device(device)
    if dev is CPU:
        arr = np.full(shape, fill, dtype=dt.np) if fill is not None else getattr(np, fn_name)(shape, dtype=dt.np)
    else:
        xp = xp_for(dev)
        with xp.cuda.Device(dev.index):
            arr = xp.full(shape, fill, dtype=dt.np) if fill is not None else getattr(xp, fn_name)(shape, dtype=dt.np)
    return _finish(wrap(arr), requires_grad)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros: zeros(2, 3), zeros((2, 3)) or zeros(size=(2, 3))."""
    shape = _shape_arg(args, size, "zeros", "zeros: Dimension size must be non-negative.")
    return _write_out(_constant("zeros", shape, _dtype_arg(dtype), device, requires_grad), out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones."""
    shape = _shape_arg(args, size, "ones")
    return _write_out(_constant("ones", shape, _dtype_arg(dtype), device, requires_grad), out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """An uninitialised tensor."""
    shape = _shape_arg(args, size, "empty")
    return _write_out(_constant("empty", shape, _dtype_arg(dtype), device, requires_grad), out)


def _fill_dtype(fill_value) -> _dtype.dtype:
    """A tensor fill counts by its category only, like a python number (torch.full's inference)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _leaf_dtype(fill_value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor filled with fill_value; its dtype follows fill_value (bool, int64 or the default float)."""
    shape = _tuple_size(size, "full")
    dt = _dtype_arg(dtype, _fill_dtype(fill_value))
    fill = _num(fill_value)
    if not dt.is_floating_point and isinstance(fill, float) and math.isfinite(fill):
        fill = math.trunc(fill) if dt is not _dtype.bool_ else fill != 0
    return _write_out(_constant("full", shape, dt, device, requires_grad, fill=fill), out)


def _like_args(input, dtype, device):
    return _dtype_arg(dtype, input.dtype), (input.device if device is None else device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like_args(input, dtype, device)
    return _constant("zeros", input.shape, dt, dev, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like_args(input, dtype, device)
    return _constant("ones", input.shape, dt, dev, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like_args(input, dtype, device)
    return _constant("empty", input.shape, dt, dev, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like_args(input, dtype, device)
    return full(tuple(input.shape), fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor of the default float dtype (or `dtype`)."""
    return full((), s, dtype=_dtype_arg(dtype), device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------------------- ranges
def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """[start, end) by step; int64 unless an argument is a float (then the default float dtype)."""
    if end is None:
        start, end = 0, start
    if dtype is None and start.__class__ is int and end.__class__ is int and step.__class__ is int and (
            (step > 0 and start <= end) or (step < 0 and start >= end)):
        # the common integer range: NumPy counts it exactly as torch does
        arr = np.arange(start, end, step, dtype=np.int64)
        return _write_out(_finish(wrap(_place(arr, to_device(device))), requires_grad), out)
    if dtype is None:
        dt = _dtype._default[0] if any(_is_float_scalar(v) for v in (start, end, step)) else _dtype.int64
    else:
        dt = _dtype_arg(dtype)
    start, end, step = _num(start), _num(end), _num(step)
    for v in (start, end):
        if not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {_fmt(start)} -> {_fmt(end)}")
    if dt.is_floating_point:
        start, end, step = float(start), float(end), float(step)
    else:  # torch computes integer ranges in int64 (float bounds truncate)
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point:
        n = math.ceil((end - start) / step)
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        sgn = (step > 0) - (step < 0)
        n = (end - start + step - sgn) // step
        arr = (start + np.arange(n, dtype=np.int64) * step).astype(dt.np)
    return _write_out(_finish(wrap(_place(arr, to_device(device))), requires_grad), out)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated in torch: like arange but includes `end`; the default float dtype."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(builtins.max(n, 0), dtype=np.float64) * step).astype(_dtype_arg(dtype).np)
    return _write_out(_finish(wrap(_place(arr, to_device(device))), requires_grad), out)


def _spaced(start, end, steps: int, dt: _dtype.dtype) -> np.ndarray:
    """torch's linspace kernel: the first half counts up from start, the second half down from end (so both
    ends are exact and the values symmetric), each as one fused multiply-add in the dtype (float64 for
    integer dtypes); half types round after every operation, as c10::Half arithmetic does."""
    if steps == 1:
        return np.array([start], dtype=np.float64)
    idx = np.arange(steps)
    first = idx < steps // 2
    k = np.where(first, idx, steps - 1 - idx)  # multiples of step from the nearer end
    if not dt.is_floating_point:
        lo, hi = float(math.trunc(start)), float(math.trunc(end))
        step = (hi - lo) / (steps - 1)
        return _fma(np.where(first, step, -step), k.astype(np.float64), np.where(first, lo, hi))
    ct = dt.np
    lo, hi = ct.type(start), ct.type(end)
    step = (hi - lo) / ct.type(steps - 1)
    if dt is _dtype.float64:
        return _fma(np.where(first, step, -step), k.astype(np.float64), np.where(first, lo, hi))
    if dt is _dtype.float32:  # a float32 product is exact in float64: one float64 add, then round
        prod = np.where(first, step, -step).astype(np.float64) * k
        return (prod + np.where(first, lo, hi).astype(np.float64)).astype(np.float32)
    return np.where(first, lo + step * k.astype(ct), hi - step * k.astype(ct))


def _fma(a, b, c):
    """a * b + c with a single rounding (float64): exact product and sum by Dekker's splitting."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    ta, tb = split * a, split * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + err == a * b exactly
    s = p + c
    bv = s - p
    t = (p - (s - bv)) + (c - bv)  # s + t == p + c exactly
    return s + (t + err)


def _check_steps(steps):
    if isinstance(steps, Tensor):
        steps = steps.item()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _to_dtype_values(vals: np.ndarray, dt: _dtype.dtype) -> np.ndarray:
    if dt.is_floating_point:
        return vals.astype(dt.np)
    with np.errstate(invalid="ignore"):
        return np.trunc(vals).astype(dt.np)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive."""
    steps = _check_steps(steps)
    dt = _dtype_arg(dtype)
    start, end = _num(start), _num(end)
    vals = _spaced(start, end, steps, dt) if steps else np.empty(0)
    return _write_out(_finish(wrap(_place(_to_dtype_values(vals, dt), to_device(device))), requires_grad), out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """base ** linspace(start, end, steps)."""
    steps = _check_steps(steps)
    dt = _dtype_arg(dtype)
    start, end = _num(start), _num(end)
    exps = _spaced(start, end, steps, dt) if steps else np.empty(0)
    with np.errstate(over="ignore"):
        vals = np.power(np.float64(base), exps.astype(np.float64))
    return _write_out(_finish(wrap(_place(_to_dtype_values(vals, dt), to_device(device))), requires_grad), out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The (n, m) identity matrix (m defaults to n)."""
    for name, pos, v in (("n", 1, n), ("m", 2, m)):
        if v is None:
            continue
        if v.__class__ is bool or not isinstance(v, (int, np.integer)):
            raise TypeError(f"eye(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    dt = _dtype_arg(dtype)
    arr = np.eye(n, n if m is None else m, dtype=dt.np)
    return _write_out(_finish(wrap(_place(arr, to_device(device))), requires_grad), out)


# ---------------------------------------------------------------------------- random factories
def _draw(shape, dt, device, requires_grad, sampler, *args, generator=None):
    """A new tensor drawn by one of random.py's samplers (the in-place methods use the same ones)."""
    tg = _random.Target(dt, tuple(shape), to_device(device))
    return _finish(wrap(_random._on_device(tg, sampler(tg, *args, generator)())), requires_grad)


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform on [0, 1)."""
    shape = _shape_arg(args, size, "rand")
    return _write_out(_draw(shape, _dtype_arg(dtype), device, requires_grad, _random.uniform_sampler, 0.0, 1.0,
                            generator=generator), out)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal."""
    shape = _shape_arg(args, size, "randn")
    return _write_out(_draw(shape, _dtype_arg(dtype), device, requires_grad, _random.normal_sampler, 0.0, 1.0,
                            generator=generator), out)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Integers uniform on [low, high): randint(high, size) or randint(low, high, size); int64 by default."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None or high is None:
        raise TypeError("randint() missing required arguments: call randint(high, size) or randint(low, high, size)")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    shape = _shape_arg((tuple(size),), None, "randint")
    low, high = _num(low), _num(high)
    return _write_out(_draw(shape, _dtype_arg(dtype, _dtype.int64), device, requires_grad, _random.random_sampler,
                            low, high, generator=generator), out)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64 by default)."""
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dev = to_device(device)
    gen = _random.generator_for(dev, generator)
    arr = _random.permutation(gen, n).astype(_dtype_arg(dtype, _dtype.int64).np)
    return _write_out(_finish(wrap(_place(arr, dev)), requires_grad), out)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    dt, dev = _like_args(input, dtype, device)
    return _draw(input.shape, dt, dev, requires_grad, _random.uniform_sampler, 0.0, 1.0, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    dt, dev = _like_args(input, dtype, device)
    return _draw(input.shape, dt, dev, requires_grad, _random.normal_sampler, 0.0, 1.0, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint_like(input, high) or randint_like(input, low, high); input's dtype by default."""
    if high is None:
        low, high = 0, low
    dt, dev = _like_args(input, dtype, device)
    return randint(low, high, tuple(input.shape), dtype=dt, device=dev, requires_grad=requires_grad,
                   generator=generator)


# normal / bernoulli / poisson: samples do not depend differentiably on their parameters (torch gives zeros)
def _zero_grads(name):
    def backward(ctx, g):
        return tuple(None if not need else g.new_zeros(g.shape) for need in ctx.needs_input_grad)

    backward.__name__ = backward.__qualname__ = name
    return backward


NormalBackward1, NormalBackward2, NormalBackward3 = (_zero_grads(f"NormalBackward{i}") for i in (1, 2, 3))
BernoulliBackward0, PoissonBackward0 = _zero_grads("BernoulliBackward0"), _zero_grads("PoissonBackward0")


def _record_zero_grad(out, backward, inputs):
    if _grad_state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        record(out, backward, [t if isinstance(t, Tensor) else None for t in inputs])
    return out


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Normal samples: mean/std tensors broadcast together (dtype of the tensor one), or numbers with `size`."""
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if mean_t or std_t:
        if std_t:
            if bool((std.detach() < 0).any()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        ref = mean if mean_t else std
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in (mean, std) if isinstance(t, Tensor)))
        z = _draw(shape, ref.dtype, ref.device, False, _random.normal_sampler, 0.0, 1.0, generator=generator)
        m = mean.detach() if mean_t else mean
        s = std.detach() if std_t else std
        res = wrap((z * s + m)._data.astype(ref._data.dtype, copy=False))
        backward = NormalBackward3 if mean_t and std_t else (NormalBackward1 if mean_t else NormalBackward2)
        return _write_out(_record_zero_grad(res, backward, [t for t in (mean, std) if isinstance(t, Tensor)]), out)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float): a size is "
                        "needed when mean and std are both numbers")
    shape = _shape_arg((size,), None, "normal")
    dt = _dtype_arg(dtype)
    return _write_out(_draw(shape, dt, device, requires_grad, _random.normal_sampler, mean, std,
                            generator=generator), out)


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability `input` (or the number `p`), else 0, in input's dtype."""
    if p is None and not input.is_floating_point():
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{_random._NOT_IMPL_NAME[input.dtype.name]}'")
    probs = input.detach() if p is None else p
    res = _draw(input.shape, input.dtype, input.device, False, _random.bernoulli_sampler, probs, generator=generator)
    return _write_out(_record_zero_grad(res, BernoulliBackward0, [input]), out)


def poisson(input, generator=None):
    """Poisson samples with rates `input`."""
    gen = _random.generator_for(input.device, generator)
    lam = input.detach().cpu()._data
    if (lam < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    res = wrap(_place(gen._np.poisson(lam).astype(lam.dtype), input.device))
    return _record_zero_grad(res, PoissonBackward0, [input])


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None, out=None):
    """Indices drawn by the (unnormalised) row weights of `input` ((C,) or (N, C)) -> (num_samples,) or (N, ...)."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_random._NOT_IMPL_NAME[input.dtype.name]}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    w = input.detach().cpu()._data.astype(np.float64)
    rows = w.reshape(-1, w.shape[-1])  # (N, C)
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _random.generator_for(input.device, generator)._np
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        u = gen.random((rows.shape[0], num_samples))
        res = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        res = np.minimum(res, rows.shape[1] - 1)
    else:
        # torch's algorithm: the top num_samples of w / Exp(1) are a weighted sample without replacement
        keys = rows / gen.standard_exponential(rows.shape)
        res = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    res = res.astype(np.int64)
    if w.ndim == 1:
        res = res[0]
    return _write_out(wrap(_place(res, input.device)), out)


def _standard_gamma(input, generator=None):
    """Gamma(concentration=input, rate=1) samples in input's dtype, as torch._standard_gamma.

    The samples carry no gradient in ember (torch's reparameterized gamma gradient is not implemented).
    """
    gen = _random.generator_for(input.device, generator)
    a = input.detach().cpu()._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"_standard_gamma expects a floating point concentration, got {input.dtype}")
    if not (a > 0).all():
        raise RuntimeError("_standard_gamma: every concentration must be positive")
    draws = gen._np.standard_gamma(a.astype(np.float64)).astype(a.dtype)
    return wrap(_place(np.asarray(draws), input.device))


def _sample_dirichlet(input, generator=None):
    """Dirichlet(concentration=input) samples over the last dim (normalized gamma draws), as torch's."""
    g = _standard_gamma(input, generator)
    return g / g.sum(-1, keepdim=True)

