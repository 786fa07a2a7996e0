"""normalize, cosine_similarity, pairwise_distance (and pdist) as torch computes them."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops._util import wrap

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


def _vector_norm(x, p, dim, keepdim=False):
    from ...ops.reduce import vector_norm

    return vector_norm(x, p, dim, keepdim)


def _clamped_min_value(x, eps):
    """x with values clamped below at eps while the gradient stays x's own (torch clamps under no_grad)."""
    return x + (x.clamp(min=eps) - x).detach()


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denom = _vector_norm(input, p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    res = input / denom
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """sum(x1/|x1| * x2/|x2|) along dim; norms clamped at eps (values only, as torch)."""
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor):
        raise TypeError("cosine_similarity(): arguments must be Tensors")
    if not x1.is_floating_point():
        x1 = x1.float()
    if not x2.is_floating_point():
        x2 = x2.float()
    x1, x2 = x1.broadcast_to(_bshape(x1, x2)), x2.broadcast_to(_bshape(x1, x2))
    n1 = _clamped_min_value(_vector_norm(x1, 2, dim, keepdim=True), eps)
    n2 = _clamped_min_value(_vector_norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _bshape(a, b):
    from ...ops.shape import broadcast_shapes

    return broadcast_shapes(a.shape, b.shape)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """||x1 - x2 + eps||_p over the last dim."""
    out_dim = max(x1.ndim, x2.ndim)
    return _vector_norm(x1 - x2 + eps, p, out_dim - 1, keepdim)


def pdist(input, p: float = 2.0):
    """Distances between all pairs of rows of an (N, M) input, upper triangle in row order: (N*(N-1)/2,)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    i, j = np.triu_indices(input.shape[0], 1)
    diff = input[wrap(i)] - input[wrap(j)]
    return _vector_norm(diff, p, 1)
