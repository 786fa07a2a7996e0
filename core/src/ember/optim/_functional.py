"""Array helpers shared by the simple (per-tensor) and the multi-tensor optimizer paths."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops.inplace import bump_version
from .optimizer import _scalar_tensor


def arrays(*tensors) -> list:
    """The tensors' arrays, 0-dim ones as 1-element views, so that arithmetic on them stays in arrays
    (NumPy turns 0-dim results into immutable scalars)."""
    out = []
    for t in tensors:
        d = t._data
        out.append(d.reshape(1) if d.ndim == 0 else d)
    return out


def xp_of_array(a):
    """numpy for a NumPy array, cupy for a CuPy one."""
    return np if a.__class__ is np.ndarray else _cupy()


def zeros_state(p: Tensor) -> Tensor:
    """A zero tensor shaped, typed and laid out like p (torch's zeros_like with preserve_format)."""
    return Tensor._make(xp_of_array(p._data).zeros_like(p._data))


def full_state(p: Tensor, value: float) -> Tensor:
    return Tensor._make(xp_of_array(p._data).full_like(p._data, value))


def step_state(value: float = 0.0) -> Tensor:
    """The 'step' counter: a 0-dim float32 (float64 under a float64 default dtype) tensor on the CPU, as torch."""
    return _scalar_tensor(value)


def advance_step(step: Tensor) -> float:
    """step += 1 in the counter's own dtype; returns the new count as a number."""
    d = step._data
    d += 1
    bump_version(step)
    return float(d)


def bump_all(*tensor_lists) -> None:
    """Bump the version counter of every tensor modified in place by a step."""
    for tensors in tensor_lists:
        for t in tensors:
            if t is not None:
                bump_version(t)


def use_multi_tensor(group: dict) -> bool:
    """foreach=None or True, or fused=True, take the multi-tensor path; foreach=False the simple one."""
    if group.get("fused"):
        return True
    foreach = group.get("foreach")
    return True if foreach is None else bool(foreach)


def check_fused_foreach(fused, foreach) -> None:
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def lerp_(a, end, weight: float) -> None:
    """a <- a + weight * (end - a), with torch's formula switch at |weight| = 0.5 (exact at both ends)."""
    w = a.dtype.type(weight)
    if abs(w) < 0.5:
        a += float(w) * (end - a)
    else:
        a[...] = end - (end - a) * float(a.dtype.type(1) - w)


def _cupy():
    import cupy

    return cupy
