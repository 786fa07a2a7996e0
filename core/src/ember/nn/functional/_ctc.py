"""CTC loss: the alpha (forward) and beta (backward) recursions in log space, vectorised over the batch and
the extended label sequence (blank, l1, blank, l2, ..., blank), looping only over time.

The gradient is torch's: d loss / d log_probs = exp(log_probs) - posterior occupation, which equals the true
gradient once it flows back through the log_softmax that produced log_probs. As in torch, it is not twice
differentiable.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record1, wrap


def _host(d):
    return d if d.__class__ is np.ndarray else d.get()


def _lengths(x, n: int, name: str) -> np.ndarray:
    arr = np.asarray(_host(x._data) if isinstance(x, Tensor) else x, dtype=np.int64).reshape(-1)
    if arr.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr


def _labels(targets, tg_len, n):
    """(N, Lmax) int64 labels, from padded (N, S) or concatenated 1-D targets."""
    t = np.asarray(_host(targets._data), dtype=np.int64)
    lmax = int(tg_len.max()) if n else 0
    out = np.zeros((n, max(lmax, 1)), dtype=np.int64)
    if t.ndim == 1:  # concatenated targets (an unbatched 1-D target is the single-sample case of it)
        if t.shape[0] < int(tg_len.sum()):
            raise RuntimeError(f"Expected tensor to have size at least {int(tg_len.sum())} at dimension 0, but got "
                               f"size {t.shape[0]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_cpu)")
        offsets = np.concatenate([[0], np.cumsum(tg_len)[:-1]])
        for i in range(n):
            out[i, :tg_len[i]] = t[offsets[i]:offsets[i] + tg_len[i]]
        return out
    if lmax > t.shape[1]:
        raise RuntimeError(f"Expected tensor to have size at least {lmax} at dimension 1, but got size "
                           f"{t.shape[1]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
    for i in range(n):
        out[i, :tg_len[i]] = t[i, :tg_len[i]]
    return out


def _lse3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    m_safe = np.where(np.isinf(m), 0.0, m)
    return np.log(np.exp(a - m_safe) + np.exp(b - m_safe) + np.exp(c - m_safe)) + m_safe


def _shift_right(a, k):
    out = np.full_like(a, -np.inf)
    out[:, k:] = a[:, :-k] if k < a.shape[1] else out[:, k:]
    return out


def _shift_left(a, k):
    out = np.full_like(a, -np.inf)
    if k < a.shape[1]:
        out[:, :-k] = a[:, k:]
    return out


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    lp_dev = log_probs._data
    unbatched = lp_dev.ndim == 2
    if lp_dev.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, got {lp_dev.ndim}-D")
    lp = _host(lp_dev).astype(np.float64)
    if unbatched:
        lp = lp[:, None, :]
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    in_len = _lengths(input_lengths, N, "input_lengths")
    tg_len = _lengths(target_lengths, N, "target_lengths")
    if (in_len > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {int(in_len.max())} "
                           "(while checking arguments for ctc_loss_cpu)")
    labels = _labels(targets, tg_len, N)
    lmax = labels.shape[1]
    sp = 2 * lmax + 1
    ext = np.full((N, sp), blank, dtype=np.int64)  # the extended label sequence
    ext[:, 1::2] = labels
    valid = np.arange(sp)[None, :] < (2 * tg_len + 1)[:, None]
    allow2 = np.zeros((N, sp), dtype=bool)  # may skip from s-2 to s: a label differing from the one before
    allow2[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    lp_ext = np.take_along_axis(lp, np.broadcast_to(ext[None], (T, N, sp)), axis=2)  # (T, N, S')

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        alpha = np.full((T, N, sp), -np.inf)
        if T:
            a0 = np.full((N, sp), -np.inf)
            a0[:, 0] = lp_ext[0, :, 0]
            if sp > 1:
                a0[:, 1] = np.where(tg_len > 0, lp_ext[0, :, 1], -np.inf)
            alpha[0] = np.where(valid, a0, -np.inf)
        for t in range(1, T):
            prev = alpha[t - 1]
            s2 = np.where(allow2, _shift_right(prev, 2), -np.inf)
            alpha[t] = np.where(valid, _lse3(prev, _shift_right(prev, 1), s2) + lp_ext[t], -np.inf)
        rows = np.arange(N)
        last_t = np.maximum(in_len - 1, 0)
        end = alpha[last_t, rows, 2 * tg_len]
        before = np.where(tg_len > 0, alpha[last_t, rows, np.maximum(2 * tg_len - 1, 0)], -np.inf)
        ll = np.logaddexp(end, before)
        ll = np.where(in_len == 0, np.where(tg_len == 0, 0.0, -np.inf), ll)
        nll = -ll  # (N,)

    losses = np.where(np.isinf(nll), 0.0, nll) if zero_infinity else nll
    if reduction == "mean":
        out_arr = np.asarray((losses / np.maximum(tg_len, 1)).mean())
    elif reduction == "sum":
        out_arr = np.asarray(losses.sum())
    else:
        out_arr = losses[0] if unbatched else losses
        out_arr = np.asarray(out_arr)
    out_arr = out_arr.astype(lp_dev.dtype)
    if lp_dev.__class__ is not np.ndarray:
        import cupy

        out_arr = cupy.asarray(out_arr)
    out = wrap(out_arr)
    if grad_state.enabled and log_probs._requires_grad:
        data = (lp, lp_ext, alpha, nll, ext, valid, allow2, in_len, tg_len, reduction, zero_infinity, unbatched)
        record1(out, CtcLossBackward0, log_probs, saved=(log_probs,), data=data)
    return out


def _beta(lp_ext, ext, valid, allow2, in_len, tg_len):
    T, N, sp = lp_ext.shape
    beta = np.full((T, N, sp), -np.inf)
    rows = np.arange(N)
    allow_from = np.zeros_like(allow2)  # may move from s+2 back to s
    allow_from[:, :-2] = allow2[:, 2:]
    for t in range(T - 1, -1, -1):
        init = np.full((N, sp), -np.inf)
        init[rows, 2 * tg_len] = lp_ext[t, rows, 2 * tg_len]
        has = tg_len > 0
        init[rows[has], 2 * tg_len[has] - 1] = lp_ext[t, rows[has], 2 * tg_len[has] - 1]
        if t < T - 1:
            nxt = beta[t + 1]
            s2 = np.where(allow_from, _shift_left(nxt, 2), -np.inf)
            rec = _lse3(nxt, _shift_left(nxt, 1), s2) + lp_ext[t]
        else:
            rec = np.full((N, sp), -np.inf)
        b = np.where((t == in_len - 1)[:, None], init, np.where((t < in_len - 1)[:, None], rec, -np.inf))
        beta[t] = np.where(valid, b, -np.inf)
    return beta


def CtcLossBackward0(ctx, g):
    (log_probs,) = ctx.saved_tensors
    lp, lp_ext, alpha, nll, ext, valid, allow2, in_len, tg_len, reduction, zero_infinity, unbatched = ctx.data
    T, N, C = lp.shape
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        beta = _beta(lp_ext, ext, valid, allow2, in_len, tg_len)
        occ = np.exp(alpha + beta - lp_ext + nll[None, :, None])  # (T, N, S') posterior of each path position
        occ = np.where(valid[None], occ, 0.0)
        flat = ((np.arange(T)[:, None, None] * N + np.arange(N)[None, :, None]) * C + ext[None]).reshape(-1)
        gamma = np.bincount(flat, weights=occ.reshape(-1), minlength=T * N * C).reshape(T, N, C)
        unit = np.exp(lp) - gamma
    unit[np.arange(T)[:, None] >= in_len[None, :]] = 0.0
    if zero_infinity:
        unit[:, np.isinf(nll), :] = 0.0
    if reduction == "mean":
        scale = 1.0 / (N * np.maximum(tg_len, 1))
    else:
        scale = np.ones(N)
    unit = unit * scale[None, :, None]
    if unbatched:
        unit = unit[:, 0, :]
    dev = log_probs._data
    unit = unit.astype(dev.dtype)
    if dev.__class__ is not np.ndarray:
        import cupy

        unit = cupy.asarray(unit)
    coef = g.reshape(1, -1, 1) if reduction == "none" and not unbatched else g  # per-sample (N,) -> (1, N, 1)
    grad = wrap(unit) * coef
    if grad_state.enabled:  # building a double-backward graph: torch has no derivative for this one either
        grad = grad + _no_second_derivative(log_probs)
    return grad


def _no_second_derivative(x):
    out = wrap(x._data * 0)
    record1(out, CtcLossBackwardBackward0, x)
    return out


def CtcLossBackwardBackward0(ctx, g):
    raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")
