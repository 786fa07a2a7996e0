"""F.pad: constant, reflect, replicate and circular padding, pad tuples last dim first, negative pads crop.

Constant padding is its own adjoint with the pads negated. The other modes gather each padded axis through
an index array (output position -> input position); their adjoint scatters back, run by run: the index array
is a few runs of step +1, -1 or 0, so each run is one slice add rather than a per-element scatter.
"""

from __future__ import annotations

import numpy as np

from ..._device import cupy_module
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record1, wrap

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _xp(d):
    return np if d.__class__ is np.ndarray else cupy_module()


# ---------------------------------------------------------------------------- constant
def _pad_constant(x: Tensor, pads, value) -> Tensor:
    """pads: ((lo, hi), ...) for the trailing len(pads) dims; negative entries crop."""
    d = x._data
    xp = _xp(d)
    lead = d.ndim - len(pads)
    crop = (slice(None),) * lead + tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in
                                         zip(pads, d.shape[lead:]))
    grow = ((0, 0),) * lead + tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
    inner = d[crop]
    out_shape = tuple(n + a + b for n, (a, b) in zip(inner.shape, grow))
    if any(s < 0 for s in inner.shape):
        raise RuntimeError("narrow(): length must be non-negative.")
    if value == 0:
        out = xp.zeros(out_shape, d.dtype)
    else:
        out = xp.full(out_shape, value, dtype=d.dtype)
    out[tuple(slice(a, a + n) for n, (a, _) in zip(inner.shape, grow))] = inner
    res = wrap(out)
    if grad_state.enabled and x._requires_grad:
        record1(res, ConstantPadNdBackward0, x, data=pads)
    return res


def ConstantPadNdBackward0(ctx, g):
    return _pad_constant(g, tuple((-lo, -hi) for lo, hi in ctx.data), 0)


# ---------------------------------------------------------------------------- reflect / replicate / circular
def _source_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each output position along one axis, the input position it copies."""
    p = np.arange(-lo, n + hi)
    if mode == "reflect":
        p = np.abs(p)
        return np.where(p >= n, 2 * (n - 1) - p, p)
    if mode == "replicate":
        return np.clip(p, 0, n - 1)
    # circular: torch crops the negative pads first and wraps around what is left
    start, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
    return start + (np.arange(m + max(lo, 0) + max(hi, 0)) - max(lo, 0)) % m


def _runs(idx: np.ndarray):
    """Split an index array into (out_start, out_stop, src_start, step) runs with step in {1, -1, 0}."""
    runs = []
    i, m = 0, len(idx)
    while i < m:
        if i + 1 < m and idx[i + 1] - idx[i] in (1, -1, 0):
            step = int(idx[i + 1] - idx[i])
            j = i + 1
            while j + 1 < m and idx[j + 1] - idx[j] == step:
                j += 1
            runs.append((i, j + 1, int(idx[i]), step))
            i = j + 1
        else:
            runs.append((i, i + 1, int(idx[i]), 1))
            i += 1
    return runs


def _gather_axes(x: Tensor, plan, name: str) -> Tensor:
    """plan: ((axis, index array, input length), ...); out = x taken through each axis's index array."""
    d = x._data
    xp = _xp(d)
    for axis, idx, _n in plan:
        d = xp.take(d, idx if xp is np else xp.asarray(idx), axis=axis)
    out = wrap(d)
    if grad_state.enabled and x._requires_grad:
        record1(out, _PAD_BACKWARDS[name], x, data=(plan, name))
    return out


def _scatter_axes(g: Tensor, plan, name: str) -> Tensor:
    """The adjoint of _gather_axes: every output element's gradient added to the input position it copied."""
    d = g._data
    xp = _xp(d)
    for axis, idx, n in reversed(plan):
        shape = d.shape[:axis] + (n,) + d.shape[axis + 1:]
        acc = xp.zeros(shape, d.dtype)
        lead = (slice(None),) * axis
        for a, b, s, step in _runs(idx):
            src = d[lead + (slice(a, b),)]
            if step == 1:
                acc[lead + (slice(s, s + b - a),)] += src
            elif step == -1:
                acc[lead + (slice(s - (b - a) + 1, s + 1),)] += xp.flip(src, axis)
            else:
                acc[lead + (slice(s, s + 1),)] += src.sum(axis, keepdims=True)
        d = acc
    out = wrap(d)
    if grad_state.enabled and g._requires_grad:
        record1(out, _PadBackwardBackward, g, data=(plan, name))
    return out


def _PadBackwardBackward(ctx, gg):
    plan, name = ctx.data
    return _gather_axes(gg, plan, name)


def _make_backward(name: str):
    def backward(ctx, g):
        plan, name_ = ctx.data
        return _scatter_axes(g, plan, name_)

    backward.__name__ = name
    return backward


_PAD_BACKWARDS = {}


def _backward_name(mode: str, n: int) -> str:
    base = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}[mode]
    name = f"{base}{n}DBackward0"
    if name not in _PAD_BACKWARDS:
        _PAD_BACKWARDS[name] = _make_backward(name)
    return name


# ---------------------------------------------------------------------------- F.pad
def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad the last len(pad)//2 dims; `pad` = (left_last, right_last, left_second_last, ...); negatives crop."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    pad = [int(p) for p in (pad.tolist() if isinstance(pad, Tensor) else pad)]
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    ndim = input.ndim
    if n > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    # per padded dim in natural order: ((lo, hi), ...) for dims ndim-n .. ndim-1
    pads = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(n - 1, -1, -1))
    if mode == "constant":
        v = 0 if value is None else value
        if input._data.dtype.kind in "iub" and isinstance(v, float):
            v = int(v)
        return _pad_constant(input, pads, v)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if n not in (1, 2, 3) or ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {ndim}D input tensor.")
    spatial = input.shape[ndim - n:]
    if mode == "reflect":
        for d, ((lo, hi), size) in enumerate(zip(pads, spatial)):
            if lo >= size or hi >= size:
                raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                                   f"but got: padding ({lo}, {hi}) at dimension {ndim - n + d} of input "
                                   f"[{', '.join(map(str, input.shape))}]")
    if mode == "circular":
        for (lo, hi), size in zip(pads, spatial):
            if lo > size or hi > size:
                raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "replicate":
        for (lo, hi), size in zip(pads, spatial):
            if size == 0 and (lo > 0 or hi > 0):
                raise RuntimeError("input tensor must not be empty to be replicate-padded")
    for (lo, hi), size in zip(pads, spatial):
        if size + lo + hi < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    plan = tuple((ndim - n + d, _source_index(size, lo, hi, mode), size)
                 for d, ((lo, hi), size) in enumerate(zip(pads, spatial)) if lo or hi)
    if not plan:
        return input.clone()
    return _gather_axes(input, plan, _backward_name(mode, n))
