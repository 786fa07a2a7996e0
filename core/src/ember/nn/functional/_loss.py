"""Loss functions of torch.nn.functional, with torch's `reduction` ('none' | 'mean' | 'sum') and options.

nll_loss is one recorded op (the gather and its scatter-back written by hand); cross_entropy is a stable
log_softmax followed by it. Most others are short composites of differentiable ops.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..._device import cupy_module
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record, wrap
from ...ops.compare import where
from ...ops.index import index_put
from ._activation import log_softmax, logsigmoid, softplus

__all__ = ["nll_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
           "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "hinge_embedding_loss",
           "multilabel_soft_margin_loss", "soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss",
           "multi_margin_loss", "multilabel_margin_loss"]

_ndarray = np.ndarray


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


# ---------------------------------------------------------------------------- reduction plumbing
def _legacy_reduction(size_average, reduce) -> str:
    """The deprecated size_average/reduce pair as a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  + ("mean" if size_average and reduce else "sum" if reduce else "none") + "' instead.")
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _get_reduction(reduction, size_average=None, reduce=None, allowed=("none", "mean", "sum")) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _weighted(loss, weight, input, reduction, mean_by_weight=True):
    """torch's optional elementwise `weight` of the regression losses (mean = sum / sum(weight))."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------- nll_loss / cross_entropy
def _legacy_dtype_name(dt) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(dt.name, dt.name)


def _check_class_target(input, target):
    """The shape checks of torch's nll_loss_nd; -> number of classes."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy_dtype_name(target.dtype)}")
    if input.ndim != 1:
        n_target = target.shape[0] if target.ndim else 0  # torch reports a 0-d target as batch size 0
        if input.shape[0] != n_target:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({n_target}).")
    if input.ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    else:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            if input.ndim == 4:
                raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
            raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    return input.shape[1] if input.ndim > 1 else input.shape[0]


def _class_last(d):
    """(N, C, d1, ...) -> (M, C) rows, M = N * d1 * ...; (C,) -> (1, C)."""
    if d.ndim == 1:
        return d.reshape(1, -1)
    if d.ndim == 2:
        return d
    xp = _xp(d)
    return xp.moveaxis(d, 1, -1).reshape(-1, d.shape[1])


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean"):
    """-input[n, target[n]] (times weight[target[n]]), over (N, C), (C,) or (N, C, d1, ...) log-probabilities."""
    reduction = _get_reduction(reduction, size_average, reduce)
    n_classes = _check_class_target(input, target)
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight.shape)}")
    x = input._data
    xp = _xp(x)
    rows = _class_last(x)  # (M, C)
    t = target._data.reshape(-1).astype(np.int64, copy=False)
    keep = t != ignore_index
    t_safe = xp.where(keep, t, 0)
    bad = (t_safe < 0) | (t_safe >= n_classes)
    if bad.any():
        raise IndexError(f"Target {int(t[bad.argmax()])} is out of bounds.")
    m = xp.arange(t.shape[0])
    w = keep.astype(x.dtype)
    if weight is not None:
        w = w * weight._data.astype(x.dtype, copy=False)[t_safe]
    picked = rows[m, t_safe]
    losses = -picked * w
    if reduction == "none":
        out_arr = losses.reshape(target.shape)
        denom = None
    else:
        total = losses.sum()
        denom = w.sum() if reduction == "mean" else None
        with np.errstate(invalid="ignore", divide="ignore"):
            out_arr = xp.asarray(total / denom if denom is not None else total, dtype=x.dtype)
    out = wrap(out_arr)
    if grad_state.enabled and input._requires_grad:
        record(out, NllLossBackward0, (input,), data=(x.shape, m, t_safe, w, denom, reduction))
    return out


def NllLossBackward0(ctx, g):
    shape, m, t_safe, w, denom, reduction = ctx.data
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    if not grad_state.enabled:  # plain backward: scatter straight into a zero array
        gd = g._data
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = (-w if denom is None else -w / denom) * (gd.reshape(-1) if reduction == "none" else gd)
        rows = _xp(gd).zeros((t_safe.shape[0], n_classes), dtype=gd.dtype)
        rows[m, t_safe] = vals
        return wrap(_rows_to_input_layout(rows, shape))
    coef = wrap(-w if denom is None else -w / denom)  # (M,): d loss / d picked, before g
    if reduction == "none":
        vals = g.reshape(-1) * coef
    else:
        vals = g.reshape(()).expand(coef.shape) * coef
    grad_rows = index_put(g.new_zeros((t_safe.shape[0], n_classes)), (wrap(m), wrap(t_safe)), vals)  # (M, C)
    if len(shape) == 1:
        return grad_rows.reshape(shape)
    if len(shape) == 2:
        return grad_rows
    lead = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return grad_rows.reshape(lead).movedim(-1, 1)


def _rows_to_input_layout(rows, shape):
    """(M, C) rows back to the input's (N, C, d1, ...) / (C,) layout."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    lead = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return _xp(rows).moveaxis(rows.reshape(lead), -1, 1)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0):
    """nll_loss(log_softmax(input, class dim), target): class-index targets, or class probabilities with
    the input's shape; label_smoothing mixes in the uniform distribution."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    if target.shape == input.shape and target.is_floating_point():
        return _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim)
    if target.shape == input.shape and input.ndim > 1 and target.ndim == input.ndim:
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{_legacy_dtype_name(target.dtype)}")
    if target.is_floating_point():
        raise RuntimeError(f"expected scalar type Long but found {_legacy_dtype_name(target.dtype)}")
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    n_classes = input.shape[class_dim]
    shape = [1] * input.ndim
    shape[class_dim] = n_classes
    smooth = -(logp * weight.reshape(shape)).sum(class_dim) if weight is not None else -logp.sum(class_dim)
    ignore = target == ignore_index
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target[~ignore].reshape(-1)
            smooth = smooth.sum() / weight[kept].sum()
        else:
            smooth = smooth.sum() / (~ignore).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim):
    n_classes = logp.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.reshape(shape)
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    if logp.numel() == 0:
        return -prod.sum() * float("nan")
    return -prod.sum() / (logp.numel() // n_classes)


# ---------------------------------------------------------------------------- binary cross entropy
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
    """-(t log x + (1 - t) log(1 - x)), logs clamped at -100 as torch; input holds probabilities."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x = input._data
    if x.size and (bool((x < 0).any()) or bool((x > 1).any()) or bool(_xp(x).isnan(x).any())):
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = input.log().clamp(min=-100)
    log_1mx = (1 - input).log().clamp(min=-100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from logits; pos_weight scales positives."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    # (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x), with -logsigmoid(x) = softplus(-x)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input - log_weight * logsigmoid(input)
    else:
        loss = (1 - target) * input - logsigmoid(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------- regression losses
def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """(input - target)^2."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    diff = input - target
    loss = diff * diff
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """|input - target|."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
    """0.5 z^2 / beta where z = |input - target| < beta, else z - 0.5 beta."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    z = (input - target).abs()
    if beta == 0.0:
        return _reduce(z, reduction)
    loss = where(z < beta, z * z * (0.5 / beta), z - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """0.5 z^2 where z = |input - target| < delta, else delta (z - 0.5 delta)."""
    reduction = _get_reduction(reduction)
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    z = (input - target).abs()
    loss = where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)
    if weight is not None:
        return _weighted(loss, weight, input, reduction, mean_by_weight=False)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
    """target * (log target - input), input holding log-probabilities (target too with log_target)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, target.new_ones(()))
        loss = target * safe.log() - target * input  # xlogy(t, t) - t * input; 0 log 0 = 0
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim != 0 else loss.sum()
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False, size_average=None,
                     eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    """exp(input) - target * input (log_input) or input - target * log(input + eps); full adds Stirling."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target
        safe = where(t > 1, t, t.new_ones(()))
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
    """0.5 (log var + (input - target)^2 / var), var clamped at eps (without blocking its gradient)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.new_full(input.shape, float(var))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # torch clamps a clone in place under no_grad: the value is clamped, the gradient is var's own
    var = var + (var.clamp(min=eps) - var).detach()
    loss = ((input - target) ** 2 / var + var.log()) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------- margin / embedding losses
def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                          reduction: str = "mean"):
    """1 - cos(x1, x2) for target 1; max(0, cos(x1, x2) - margin) for target -1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"cosine_embedding_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {list(input1.shape)}, input2: {list(input2.shape)}, target: "
                           f"{list(target.shape)} ")
    if target.ndim == 0 and input1.ndim != 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if target.ndim == 1 and input1.ndim != 2:
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if target.ndim > 1:
        raise RuntimeError(f"{target.ndim}D target tensor expected, multi-target not supported")
    dim = 1 if input1.ndim == 2 else 0
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = cos.new_zeros(())
    loss = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    zeros = input.new_zeros(())
    loss = where(target != 1, (margin - input).clamp(min=0), zeros) + where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None, reduction: str = "mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with d the p-norm pairwise distance."""
    from ._distance import pairwise_distance

    reduction = _get_reduction(reduction, size_average, reduce)
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not a_dim == p_dim == n_dim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = d_neg.minimum(d_swap)
    loss = (d_pos - d_neg + margin).clamp(min=0)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean"):
    """triplet_margin_loss with any distance function (default pairwise_distance)."""
    from ._distance import pairwise_distance

    reduction = _get_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                         "instead")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    loss = (d_pos - d_neg + margin).clamp(min=0)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """Per-class binary logistic loss averaged over classes: (N, C) -> (N,) before reduction."""
    reduction = _get_reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """log(1 + exp(-target * input))."""
    reduction = _get_reduction(reduction, size_average, reduce)
    return _reduce(softplus(-target * input), reduction)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                      reduction: str = "mean"):
    """Multi-class hinge: sum over i != y of max(0, margin - x[y] + x[i])^p / C (times weight[y])."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = input.unsqueeze(0) if input.ndim <= 1 else input  # (N, C)
    t = target.reshape(-1)
    n_classes = x.shape[-1]
    if t.numel() and (bool((t < 0).any()) or bool((t >= n_classes).any())):
        raise RuntimeError("target out of range")
    rows = wrap(_xp(x._data).arange(x.shape[0]))
    x_y = x[rows, t].unsqueeze(1)  # (N, 1)
    hinge = (x - x_y + margin).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[t].unsqueeze(1)
    not_target = wrap(_xp(x._data).arange(n_classes)[None, :] != t._data[:, None])  # the y term is excluded
    loss = (hinge * not_target).sum(1) / n_classes
    if input.ndim <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """sum over targets j and non-targets i of max(0, 1 - (x[j] - x[i])) / C; target rows end at the first -1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    x = input.unsqueeze(0) if input.ndim <= 1 else input  # (N, C)
    t = np.asarray(target.reshape(x.shape).cpu()._data, dtype=np.int64)
    n, n_classes = x.shape
    if t.size and (bool((t < -1).any()) or bool((t >= n_classes).any())):
        raise RuntimeError("argument #2 'target' is out of range")
    is_target = np.zeros((n, n_classes), dtype=bool)
    pair = np.zeros((n, n_classes, n_classes), dtype=bool)  # pair[n, j, i]: j a target, i not
    for r in range(n):
        labels = []
        for v in t[r]:
            if v < 0:
                break
            labels.append(v)
        is_target[r, labels] = True
        pair[r, labels] = True
    pair &= ~is_target[:, None, :]
    dev = (lambda a: a) if x._data.__class__ is np.ndarray else cupy_module().asarray
    hinge = (1 - (x.unsqueeze(2) - x.unsqueeze(1))).clamp(min=0)  # (N, j, i)
    loss = (hinge * wrap(dev(pair.astype(x._data.dtype)))).sum((1, 2)) / n_classes
    if input.ndim <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------- CTC
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction: str = "mean",
             zero_infinity: bool = False):
    """Connectionist Temporal Classification: -log p(target | input) summed over all alignments.

    log_probs (T, N, C) or (T, C); targets (N, S) padded or 1-D concatenated; lengths per batch element.
    """
    from ._ctc import ctc_loss as _ctc

    reduction = _get_reduction(reduction)
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)
