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
        if ad.__class__ is _nd and bd.__class__ is _nd and ad.dtype is bd.dtype and ad.ndim >= 2 and bd.ndim >= 2 \
                and ad.shape[-1] == bd.shape[-2]:
            out = _new(_T)
            out._data = _matmul_arrays(ad, bd)
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
                               f"number of elements, but got {ka} and {kb} elements respectively")
        ash = list(ad.shape) if a_nd > 1 else [1, ka]
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, ash[-2:]))} and "
                           f"{'x'.join(map(str, (bd.shape[-2:] if b_nd > 1 else (kb, 1))))})")
    out = wrap(_matmul_arrays(ad, bd))
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        record(out, MmBackward0, (input, other), saved=(input, other))
    return out


def _matmul_arrays(ad, bd):
    """ad @ bd; batch dims that don't broadcast are torch's RuntimeError naming both shapes."""
    try:
        return ad @ bd
    except ValueError:
        raise RuntimeError(f"matmul: the batch dimensions of shapes {list(ad.shape)} and {list(bd.shape)} don't "
                           f"broadcast ({list(ad.shape[:-2])} vs {list(bd.shape[:-2])})") from None


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
    """input[i] * vec2[j] for two 1-D tensors."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return input.unsqueeze(-1) * vec2.unsqueeze(0)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the (n, m) product."""
    prod = mm(mat1, mat2)
    _check_broadcasts_to(input, prod, "addmm")
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2)
    _check_broadcasts_to(input, prod, "baddbmm")
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


def _check_broadcasts_to(input, prod, name):
    target = prod._data.shape
    try:
        ok = np.broadcast_shapes(input._data.shape, target) == target
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{name}: input of shape {list(input._data.shape)} can't be broadcast to the product's "
                           f"shape {list(target)}")


def addmv(input, mat, vec, *, beta=1, alpha=1):
    prod = mv(mat, vec)
    _check_broadcasts_to(input, prod, "addmv")
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


# ---------------------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, operands):
    """-> (one subscript string per operand, output subscripts), with every '...' spelled out in fresh letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(operands):
        few = "fewer" if len(operands) < len(ins) else "more"
        raise RuntimeError(f"einsum(): {few} operands were provided than specified in the equation "
                           f"({len(operands)} operands for {len(ins)} subscripts in '{equation}')")
    n_ellipsis = 0
    for i, (sub, t) in enumerate(zip(ins, operands)):
        letters = sub.replace("...", "")
        if not letters.isalpha() and letters:
            raise RuntimeError(f"einsum(): invalid subscript given in '{equation}' for operand {i}")
        nd = t._data.ndim
        if ("..." in sub and len(letters) > nd) or ("..." not in sub and len(letters) != nd):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({nd}) for operand {i}"
                               f"{' and no ellipsis was given' if '...' not in sub else ''}")
        if "..." in sub:
            n_ellipsis = max(n_ellipsis, nd - len(letters))
    fresh = [c for c in _LETTERS if c not in eq][:n_ellipsis]
    # an operand's ellipsis covers its last (ndim - named) of the broadcast dims, aligned right
    ins = [sub.replace("...", "".join(fresh[n_ellipsis - (t._data.ndim - len(sub) + 3):])) for sub, t in
           zip(ins, operands)]
    if arrow:
        out = rhs.replace("...", "".join(fresh))
        if len(set(out)) != len(out):
            raise RuntimeError(f"einsum(): output subscript appears more than once in '{equation}'")
        unknown = set(out) - set("".join(ins))
        if unknown:
            raise RuntimeError(f"einsum(): output subscript {sorted(unknown)[0]} does not appear in the equation "
                               "for any input operand")
    else:  # implicit output: the ellipsis dims, then the letters seen once, alphabetically
        letters = "".join(ins)
        named = lhs.replace("...", "").replace(",", "")
        out = "".join(fresh) + "".join(sorted(c for c in set(named) if letters.count(c) == 1))
    return ins, out


def _check_sizes(ins, operands):
    sizes = {}
    for i, (sub, t) in enumerate(zip(ins, operands)):
        for c, n in zip(sub, t._data.shape):
            seen = sizes.setdefault(c, n)
            if seen != n and 1 not in (seen, n):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {seen}")
            if seen == 1:
                sizes[c] = n


def einsum(equation: str, *operands):
    """Einstein summation (torch's semantics: implicit output, '...', broadcasting), differentiable in every operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ins, rhs = _parse_einsum(equation, operands)
    _check_sizes(ins, operands)
    arrays = [t._data for t in operands]
    for t in operands[1:]:
        if t.dtype != operands[0].dtype:
            raise RuntimeError(f"expected scalar type {_scalar_type(operands[0])} but found {_scalar_type(t)} "
                               "(einsum operands must share a dtype)")
    xp = np if arrays[0].__class__ is np.ndarray else __import__("cupy")
    res = xp.einsum(",".join(ins) + "->" + rhs, *arrays, optimize=len(arrays) > 2)
    if any(xp.may_share_memory(res, a) for a in arrays):  # NumPy returns views for pure permutations/diagonals
        res = res.copy()
    out = wrap(res)
    if grad_state.enabled and any(t._requires_grad for t in operands):
        record(out, EinsumBackward0, operands, saved=tuple(operands), data=(ins, rhs))
    return out


def _scalar_type(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}[t.dtype.name]


def EinsumBackward0(ctx, g):
    """Each operand's gradient is itself an einsum of the output gradient with the other operands."""
    ops = ctx.saved_tensors
    ins, rhs = ctx.data
    grads = []
    for i, (sub, t) in enumerate(zip(ins, ops)):
        if not ctx.needs_input_grad[i]:
            grads.append(None)
            continue
        others = [(s, o) for j, (s, o) in enumerate(zip(ins, ops)) if j != i]
        unique = "".join(dict.fromkeys(sub))  # a repeated letter (a diagonal) is first solved for once
        available = set(rhs).union(*(s for s, _ in others))
        kept = "".join(c for c in unique if c in available)
        gi = einsum(",".join([rhs] + [s for s, _ in others]) + "->" + kept, g, *[o for _, o in others])
        if kept != unique:  # letters summed only inside this operand: the gradient is constant along them
            size = {c: n for c, n in zip(sub, t.shape)}
            gi = gi.reshape([gi.shape[kept.index(c)] if c in kept else 1 for c in unique])
            gi = gi.expand([size[c] for c in unique])
        if unique != sub:  # put the values back on the diagonal(s) of the repeated letters
            gi = _embed_diagonals(gi, unique, sub, t)
        grads.append(gi)
    return tuple(grads)


def _embed_diagonals(gi, unique, sub, t):
    """From subscripts `unique` to `sub` (with repeats): multiply by identities tying each repeat to its letter."""
    from .._creation import eye

    used = set(sub)
    fresh = iter(c for c in _LETTERS if c not in used)
    renamed, eyes, seen = [], [], set()
    for c, n in zip(sub, t.shape):
        if c in seen:
            r = next(fresh)
            eyes.append((c + r, eye(n, dtype=t.dtype, device=t.device)))
            renamed.append(r)
        else:
            seen.add(c)
            renamed.append(c)
    eq = ",".join([unique] + [e for e, _ in eyes]) + "->" + "".join(renamed)
    return einsum(eq, gi, *[m for _, m in eyes])
