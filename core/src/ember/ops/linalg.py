"""Matrix products: matmul/mm/bmm/mv/dot/outer, addmm, einsum."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import promote_arrays, record, record2, wrap

_T = Tensor
_nd = np.ndarray
_new = object.__new__


def _check_float_or_same(a, b, name):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype} (in {name})")


def matmul(input, other):
    """NumPy/torch matmul semantics: 1-D operands are promoted and the added dim removed afterwards."""
    if input.__class__ is _T and other.__class__ is _T:  # fast path: CPU matrices of one dtype
        ad = input._data
        bd = other._data
        if ad.dtype is bd.dtype and ad.__class__ is _nd and bd.__class__ is _nd and ad.ndim >= 2 and bd.ndim >= 2 \
                and ad.shape[-1] == bd.shape[-2]:
            out = _new(_T)
            out._data = ad @ bd
            if grad_state.enabled and (input._requires_grad or other._requires_grad):
                record2(out, MmBackward0, input, other, (input, other))
            return out
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument must be Tensor, got {type(input).__name__} and {type(other).__name__}")
    a_nd, b_nd = input._data.ndim, other._data.ndim
    if a_nd == 0 or b_nd == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a_nd}D and {b_nd}D")
    _check_float_or_same(input, other, "matmul")
    ad, bd = promote_arrays(input, other, "matmul")
    ka = ad.shape[-1]
    kb = bd.shape[-2] if b_nd > 1 else bd.shape[0]
    if ka != kb:
        if a_nd == 1 and b_nd == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{ka}] and src [{kb}] to have the same "
                               "number of elements, but got {ka} and {kb} elements respectively")
        ash = list(ad.shape) if a_nd > 1 else [1, ka]
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, ash[-2:]))} and "
                           f"{'x'.join(map(str, (bd.shape[-2:] if b_nd > 1 else (kb, 1))))})")
    out = wrap(ad @ bd)
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        record(out, MmBackward0, (input, other), saved=(input, other))
    return out


def MmBackward0(ctx, g):
    a, b = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    a_nd, b_nd = a.ndim, b.ndim
    if a_nd == 1 and b_nd == 1:  # dot product: g is 0-d
        return (g * b if need_a else None), (g * a if need_b else None)
    if a_nd == 1:  # (k) @ (..., k, m) -> (..., m)
        ga = (g.unsqueeze(-2) @ b.mT).squeeze(-2) if need_a else None
        gb = (a.unsqueeze(-1) * g.unsqueeze(-2)) if need_b else None  # (..., k, m)
        return ga, gb
    if b_nd == 1:  # (..., n, k) @ (k) -> (..., n)
        ga = g.unsqueeze(-1) * b if need_a else None  # (..., n, k)
        gb = (a.mT @ g.unsqueeze(-1)).squeeze(-1) if need_b else None
        return ga, gb
    ga = g @ b.transpose(-2, -1) if need_a else None
    gb = a.transpose(-2, -1) @ g if need_b else None
    return ga, gb


def mm(input, mat2):
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {input._data.ndim}D and {mat2._data.ndim}D")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor and batch2 must be a 3D tensor, got {input._data.ndim}D and "
                           f"{mat2._data.ndim}D")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {input._data.shape[0]} and "
                           f"{mat2._data.shape[0]}")
    return matmul(input, mat2)


def mv(input, vec):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    return matmul(input, other)


inner = dot


def outer(input, vec2):
    return input.unsqueeze(-1) * vec2.unsqueeze(0)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    prod = mm(mat1, mat2)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


def addmv(input, mat, vec, *, beta=1, alpha=1):
    prod = mv(mat, vec)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


# ---------------------------------------------------------------------------- einsum
def _parse_einsum(equation: str, operands):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs = eq
        letters = lhs.replace(",", "").replace("...", "")
        rhs = ("..." if "..." in lhs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation "
                           f"({len(operands)} operands for {len(ins)} subscripts in '{equation}')")
    return ins, rhs


def einsum(equation: str, *operands):
    """Einstein summation, differentiable in every operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ins, rhs = _parse_einsum(equation, operands)
    for sub, t in zip(ins, operands):
        if "..." not in sub and len(sub) != t._data.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(sub)}) does not match the "
                               f"number of dimensions ({t._data.ndim}) for operand {operands.index(t)}")
    arrays = [t._data for t in operands]
    if len({a.dtype for a in arrays}) > 1:
        from .. import _dtype

        rt = _dtype.result_type_of([_dtype.from_numpy_dtype(a.dtype) for a in arrays], (), ()).np
        arrays = [a.astype(rt) for a in arrays]
    xp = np if arrays[0].__class__ is np.ndarray else __import__("cupy")
    eq = ",".join(ins) + "->" + rhs
    out = wrap(xp.einsum(eq, *arrays, optimize=len(arrays) > 2))
    if grad_state.enabled and any(t._requires_grad for t in operands):
        record(out, EinsumBackward0, operands, saved=tuple(operands), data=(ins, rhs))
    return out


def EinsumBackward0(ctx, g):
    ops = ctx.saved_tensors
    ins, rhs = ctx.data
    grads = []
    for i, (sub, t) in enumerate(zip(ins, ops)):
        if not ctx.needs_input_grad[i]:
            grads.append(None)
            continue
        if len(set(sub.replace("...", ""))) != len(sub.replace("...", "")):
            raise NotImplementedError(f"einsum backward with a repeated subscript in one operand ('{sub}') is not "
                                      "supported")
        others = [(s, o) for j, (s, o) in enumerate(zip(ins, ops)) if j != i]
        available = set(rhs) | set("".join(s for s, _ in others))
        kept = "".join(c for c in sub if c in available or c == ".")
        eq = ",".join([rhs] + [s for s, _ in others]) + "->" + kept
        gi = einsum(eq, g, *[o for _, o in others])
        if kept != sub:  # letters summed only inside this operand: broadcast back over them
            shape = []
            letters = sub.replace("...", "")
            for c in letters:
                shape.append(t.shape[sub.replace("...", "").index(c)] if c not in kept else -1)
            view_shape = [1 if c not in kept else gi.shape[kept.index(c)] for c in letters]
            gi = gi.reshape(view_shape).expand(t.shape)
        grads.append(gi)
    return tuple(grads)
