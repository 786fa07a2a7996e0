"""embedding (a row lookup recorded as one node), embedding_bag (sum/mean/max over bags) and one_hot."""

from __future__ import annotations

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record1, wrap
from ...ops.index import index_put
from ...ops.inplace import bump_version

__all__ = ["embedding", "embedding_bag", "one_hot"]

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def _check_indices(input, name="embedding"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for {name})")


def _normalize_padding_idx(padding_idx, num):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        if padding_idx >= num:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = num + padding_idx
    return padding_idx


def _renorm_rows_(weight, indices, max_norm, norm_type):
    """Rescale, in place and outside autograd, the rows of weight used by indices whose norm exceeds max_norm."""
    w = weight._data
    xp = _xp(w)
    rows = xp.unique(indices._data.reshape(-1))
    sel = w[rows]
    if norm_type == float("inf"):
        norms = xp.abs(sel).max(axis=1)
    else:
        norms = (xp.abs(sel) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] = sel * scale[:, None]
    bump_version(weight)


def _lookup(input, weight, padding_idx, scale_grad_by_freq):
    w = weight._data
    idx = input._data
    if idx.__class__ is not w.__class__:
        idx = _xp(w).asarray(idx) if idx.__class__ is _ndarray else idx.get()
    num = w.shape[0]
    if idx.size and (bool((idx < 0).any()) or bool((idx >= num).any())):
        raise IndexError("index out of range in self")
    out = wrap(_xp(w).take(w, idx, axis=0))  # (*, D)
    if grad_state.enabled and weight._requires_grad:
        record1(out, EmbeddingBackward0, weight, data=(idx, num, padding_idx, scale_grad_by_freq))
    return out


def EmbeddingBackward0(ctx, g):
    idx, num, padding_idx, scale_grad_by_freq = ctx.data
    flat = idx.reshape(-1)
    dim = g.shape[-1]
    g2 = g.reshape(-1, dim)  # (M, D)
    if padding_idx >= 0:
        g2 = g2 * wrap((flat != padding_idx)[:, None].astype(g._data.dtype))
    if scale_grad_by_freq:
        counts = _xp(flat).bincount(flat, minlength=num)
        g2 = g2 / wrap(counts[flat][:, None].astype(g._data.dtype))
    return index_put(g.new_zeros((num, dim)), (wrap(flat),), g2, accumulate=True)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0, scale_grad_by_freq=False,
              sparse=False):
    """weight[input]: (*) indices into a (num_embeddings, embedding_dim) table -> (*, embedding_dim)."""
    _check_indices(input)
    padding_idx = _normalize_padding_idx(padding_idx, weight.shape[0])
    if sparse:
        raise NotImplementedError("ember does not support sparse gradients: use sparse=False")
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    return _lookup(input, weight, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2, scale_grad_by_freq=False,
                  mode: str = "mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sum, mean or max of the embeddings in each bag: bags are rows of a 2-D input, or 1-D input cut at offsets."""
    _check_indices(input, "embedding_bag")
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        starts = np.arange(0, input.numel(), input.shape[1])
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        n_bags = starts.shape[0]
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = np.asarray(offsets.cpu()._data, dtype=np.int64)
        n_bags = starts.shape[0] - (1 if include_last_offset else 0)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if sparse:
        raise NotImplementedError("ember does not support sparse gradients: use sparse=False")
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    num, dim = weight.shape
    padding_idx = _normalize_padding_idx(padding_idx, num)

    idx = np.asarray(input.cpu()._data, dtype=np.int64)
    n = idx.shape[0]
    ends = np.append(starts[1:], n)[:n_bags] if not include_last_offset else starts[1:n_bags + 1]
    bag_of = np.full(n, -1, dtype=np.int64)
    for b in range(n_bags):
        bag_of[starts[b]:ends[b]] = b
    keep = bag_of >= 0
    if padding_idx >= 0:
        keep &= idx != padding_idx
    pos = np.nonzero(keep)[0]
    bags = bag_of[pos]
    dev_pos = _device_array(weight, pos)
    emb = _lookup(input[wrap(dev_pos)], weight, -1, scale_grad_by_freq)  # (K, D)
    zeros = weight.new_zeros((n_bags, dim))
    if mode == "max":
        return _bag_max(emb, bags, n_bags, zeros)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights[wrap(dev_pos)].unsqueeze(1)
    out = index_put(zeros, (wrap(_device_array(weight, bags)),), emb, accumulate=True)
    if mode == "mean":
        counts = np.maximum(np.bincount(bags, minlength=n_bags), 1).astype(weight._data.dtype)
        out = out / wrap(_device_array(weight, counts[:, None]))
    return out


def _device_array(like, a):
    return a if like._data.__class__ is _ndarray else cupy_module().asarray(a)


def _bag_max(emb, bags, n_bags, zeros):
    """Per-bag, per-column maximum; the gradient goes to the (first) maximal row; empty bags give zeros."""
    e = emb._data if emb._data.__class__ is _ndarray else emb._data.get()
    k, dim = e.shape
    arg = np.zeros((n_bags, dim), dtype=np.int64)
    filled = np.zeros(n_bags, dtype=bool)
    bounds = np.searchsorted(bags, np.arange(n_bags + 1))
    for b in range(n_bags):
        s, t = bounds[b], bounds[b + 1]
        if t > s:
            arg[b] = s + e[s:t].argmax(0)
            filled[b] = True
    if k == 0:
        return zeros
    cols = np.broadcast_to(np.arange(dim), (n_bags, dim))
    picked = emb[wrap(_device_array(emb, arg)), wrap(_device_array(emb, np.ascontiguousarray(cols)))]  # (B, D)
    return picked * wrap(_device_array(emb, filled[:, None].astype(e.dtype)))


def one_hot(tensor, num_classes: int = -1):
    """(*) int64 class indices -> (*, num_classes) int64 one-hot rows."""
    if not isinstance(tensor, Tensor) or tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    d = tensor._data
    xp = _xp(d)
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if bool((d < 0).any()):
            raise RuntimeError("Class values must be non-negative.")
        if bool((d >= num_classes).any()):
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = xp.zeros(d.shape + (num_classes,), dtype=np.int64)
    xp.put_along_axis(out, d[..., None], 1, axis=-1)
    return wrap(out)
