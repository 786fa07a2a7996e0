"""dtypes and torch's type-promotion rules.

Each ember dtype wraps one NumPy dtype (bfloat16 comes from ml_dtypes). Promotion follows
torch, not NumPy: python scalars and zero-dim tensors only take part through their category
(bool < integer < floating), so `int_tensor + 2.5` is the default float dtype and
`float32_tensor + float64_zero_dim` stays float32.
"""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np


class dtype:
    """A tensor element type: `ember.float32`, `ember.int64`, ..."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category", "_rank")

    def __init__(self, name: str, np_dtype, category: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating
        self._rank = rank

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> "dtype":
        return self

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0, 0)
uint8 = dtype("uint8", np.uint8, 1, 1)
int8 = dtype("int8", np.int8, 1, 1)
int16 = dtype("int16", np.int16, 1, 2)
int32 = dtype("int32", np.int32, 1, 3)
int64 = dtype("int64", np.int64, 1, 4)
float16 = dtype("float16", np.float16, 2, 1)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 2, 1)
float32 = dtype("float32", np.float32, 2, 2)
float64 = dtype("float64", np.float64, 2, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}

# the python types, saved before this module shadows `float`, `int` and `bool` with torch's aliases
float_py, int_py, bool_py = builtins.float, builtins.int, builtins.bool

# torch's aliases
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for dtypes ember has no tensor type for."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    nd = np.dtype(np_dtype)
    if nd in _BY_NP:
        return _BY_NP[nd]
    raise TypeError(
        f"can't convert np.ndarray of type {nd}. The only supported types are: "
        "float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, and bool."
    )


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype/type, or a python type (float, int, bool)."""
    if d.__class__ is dtype:
        return d
    if d is float_py:
        return float64  # torch: dtype=float means float64, whatever the default dtype
    if d is int_py:
        return int64
    if d is bool_py:
        return bool_
    if isinstance(d, str):
        name = d.removeprefix("torch.").removeprefix("ember.")
        if name in _BY_NAME:
            return _BY_NAME[name]
        aliases = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32, "short": int16}
        if name in aliases:
            return aliases[name]
        raise TypeError(f"unknown dtype name {d!r}")
    return from_numpy_dtype(d)


_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d) -> None:
    """Set the dtype of python floats and float factories; float32/float64 (and 16-bit) only, as torch."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both `a` and `b` convert to without losing their category."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == 0:
        return a
    if a._category == 2:
        if a._rank == b._rank:  # float16 with bfloat16
            return float32
        return a if a._rank > b._rank else b
    # integers: uint8 pairs with a signed type of the same size by widening, as torch
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a._rank > b._rank else b


def _combine_categories(higher, lower):
    """torch's combine_categories over (possibly undefined = None) dtypes."""
    if higher is not None and higher._category == 2:
        return higher
    if higher is bool_ or (lower is not None and lower._category == 2):
        if higher is None:
            return lower
        if lower is None:
            return higher
        return promote_types(higher, lower)
    return higher if higher is not None else lower


def _scalar_dtype(x) -> dtype:
    if x.__class__ is bool_py:
        return bool_
    if isinstance(x, int_py):
        return int64
    if isinstance(x, float_py):
        return _default[0]
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"unsupported scalar operand of type {type(x).__name__}")


def result_type_of(dims, zeros, scalars) -> dtype:
    """Result dtype given the dtypes of dimensioned tensors, zero-dim tensors and python scalars."""
    dim_r = zero_r = wrap_r = None
    for d in dims:
        dim_r = d if dim_r is None else promote_types(dim_r, d)
    for d in zeros:
        zero_r = d if zero_r is None else promote_types(zero_r, d)
    for d in scalars:
        wrap_r = d if wrap_r is None else promote_types(wrap_r, d)
    return _combine_categories(dim_r, _combine_categories(zero_r, wrap_r))


class finfo:
    """Machine limits of a floating dtype: eps, max, min, tiny (smallest normal), resolution, bits."""

    def __init__(self, type=None):
        d = _default[0] if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError(f"finfo expects a floating point dtype, got {d}")
        info = ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.eps = float_py(info.eps)
        self.max = float_py(info.max)
        self.min = float_py(info.min)
        self.tiny = self.smallest_normal = float_py(info.tiny)
        self.resolution = float_py(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: min, max, bits."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.is_floating_point:
            raise TypeError(f"iinfo expects an integer dtype, got {d}")
        info = np.iinfo(np.uint8 if d is bool_ else d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.min = 0 if d is bool_ else int_py(info.min)
        self.max = 1 if d is bool_ else int_py(info.max)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
