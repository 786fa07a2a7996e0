"""Recurrent layers (RNN tanh/relu, LSTM with optional projection, GRU): one graph node per layer and direction.

A layer runs in two parts. The input projection of every time step is one GEMM (`linear` over all rows).
The recurrence, per step one GEMM against W_hh plus the gate math, runs on arrays inside `rnn_layer` and is
recorded as a single node with outputs (output, h_n[, c_n]). Its backward is array BPTT when no graph is
being built, and the same formulas written with Tensor ops when create_graph asks for a differentiable one.

Rows are laid out as a PackedSequence's data: step t owns rows [offset_t, offset_t + b_t), b_t never grows
with t. A padded (T, B, *) batch is the case b_t = B. The running state keeps all B rows; a step updates
rows [:b_t] only, so rows of finished sequences keep their last state, which is exactly h_n.
Gate order is torch's: LSTM (i, f, g, o); GRU (r, z, n) with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
"""

from __future__ import annotations

import contextlib

from ..._device import xp_of
from ...autograd.grad_mode import state as grad_state
from ...autograd.graph import Node
from ...ops._util import wrap
from ...ops.shape import cat, stack
from ._dropout import dropout as _dropout
from ._linear import linear

__all__: list = []  # internal: torch has no public functional RNN either

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def padded_steps(seq_len: int, batch: int) -> list:
    """(offset, rows) per time step of a (T, B) batch flattened to T*B rows."""
    return [(t * batch, batch) for t in range(seq_len)]


def packed_steps(batch_sizes) -> list:
    """(offset, rows) per time step of a PackedSequence with these batch sizes."""
    steps, off = [], 0
    for b in batch_sizes:
        b = int(b)
        steps.append((off, b))
        off += b
    return steps


# ------------------------------------------------------------------------------------------- array kernels
# NumPy's exp is vectorised where its tanh is not: both gates go through exp (about 2x faster). exp may
# overflow to inf, which still gives the exact limits (0 / 1 / -1); the callers silence that warning.
def _sigmoid_(xp, a):
    """In place: 1 / (1 + exp(-a))."""
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)


def _tanh_(xp, a):
    """In place: 1 - 2 / (exp(2a) + 1)."""
    a *= 2
    xp.exp(a, out=a)
    a += 1
    xp.divide(-2, a, out=a)
    a += 1


def _quiet(xp):
    """Silence exp overflow warnings (NumPy only)."""
    return xp.errstate(over="ignore") if hasattr(xp, "errstate") else contextlib.nullcontext()


def _lstm_forward(xp, gx, h0, c0, whh, bhh, whr, steps, keep):
    n_rows, hid, batch = gx.shape[0], c0.shape[1], h0.shape[0]
    # tanh(x) = 2 sigmoid(2x) - 1: with the g pre-activations doubled (in gx, b_hh and W_hh), one contiguous
    # sigmoid pass covers all four gates of a step, which beats three passes over strided column blocks
    g_cols = slice(2 * hid, 3 * hid)
    acts = gx + bhh if bhh is not None else gx.copy()  # (N, 4H) pre-activations, turned into gates in place
    acts[:, g_cols] *= 2
    h, c = h0.copy(), c0.copy()
    out = xp.empty((n_rows, h0.shape[1]), gx.dtype)
    whh_t = whh.T.copy()  # (P, 4H)
    whh_t[:, g_cols] *= 2
    whr_t = whr.T if whr is not None else None
    prod = xp.empty((batch, 4 * hid), gx.dtype)  # h @ W_hh^T of one step
    if keep:
        hprev = xp.empty_like(out)
        cprev = xp.empty((n_rows, hid), gx.dtype)
        tanh_c = xp.empty((n_rows, hid), gx.dtype)
        m_all = xp.empty((n_rows, hid), gx.dtype) if whr is not None else None
    else:
        tc_buf = xp.empty((batch, hid), gx.dtype)
        m_buf = xp.empty((batch, hid), gx.dtype)
    for off, b in steps:
        rows = slice(off, off + b)
        a = acts[rows]
        hb, cb = h[:b], c[:b]
        p = prod[:b]
        xp.matmul(hb, whh_t, out=p)
        a += p
        _sigmoid_(xp, a)
        g = a[:, g_cols]
        g *= 2
        g -= 1
        i, f, g, o = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:3 * hid], a[:, 3 * hid:]
        if keep:
            hprev[rows] = hb
            cprev[rows] = cb
        cb *= f
        cb += i * g
        tc = tanh_c[rows] if keep else tc_buf[:b]
        tc[...] = cb
        _tanh_(xp, tc)
        if whr_t is None:
            xp.multiply(o, tc, out=out[rows])
        else:
            m = m_all[rows] if keep else m_buf[:b]
            xp.multiply(o, tc, out=m)
            xp.matmul(m, whr_t, out=out[rows])
        hb[...] = out[rows]
    return out, h, c, ((acts, hprev, cprev, tanh_c, m_all) if keep else None)


def _lstm_backward(xp, kept, whh, whr, steps, g_out, g_hn, g_cn, h_shape, c_shape):
    acts, hprev, cprev, tanh_c, m_all = kept
    hid = acts.shape[1] // 4
    dgates = xp.empty_like(acts)
    dh_state = g_hn.copy() if g_hn is not None else xp.zeros(h_shape, acts.dtype)
    dc_state = g_cn.copy() if g_cn is not None else xp.zeros(c_shape, acts.dtype)
    dh_all = xp.empty_like(hprev) if whr is not None else None
    for off, b in reversed(steps):
        rows = slice(off, off + b)
        dh = dh_state[:b]
        if g_out is not None:
            dh += g_out[rows]
        a = acts[rows]
        i, f, g, o = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:3 * hid], a[:, 3 * hid:]
        tc = tanh_c[rows]
        if whr is not None:
            dh_all[rows] = dh
            dm = dh @ whr  # (b, P) @ (P, H)
        else:
            dm = dh
        d = dgates[rows]
        d_i, d_f, d_g, d_o = d[:, :hid], d[:, hid:2 * hid], d[:, 2 * hid:3 * hid], d[:, 3 * hid:]
        xp.multiply(dm, tc, out=d_o)
        d_o *= o - o * o
        dc = dc_state[:b]
        dc += dm * o * (1 - tc * tc)
        xp.multiply(dc, g, out=d_i)
        d_i *= i - i * i
        xp.multiply(dc, i, out=d_g)
        d_g *= 1 - g * g
        xp.multiply(dc, cprev[rows], out=d_f)
        d_f *= f - f * f
        dc *= f
        xp.matmul(d, whh, out=dh)
    return dgates, dh_state, dc_state, dgates, hprev, (dh_all, m_all)


def _gru_forward(xp, gx, h0, whh, bhh, steps, keep):
    n_rows, hid, batch = gx.shape[0], h0.shape[1], h0.shape[0]
    acts = gx.copy()  # (N, 3H): r, z, n pre-activations, turned into gates in place
    h = h0.copy()
    out = xp.empty((n_rows, hid), gx.dtype)
    whh_t = whh.T
    prod = xp.empty((batch, 3 * hid), gx.dtype)
    if keep:
        hprev = xp.empty_like(out)
        ghn = xp.empty_like(out)  # W_hn h + b_hn, which the reset gate scales
    for off, b in steps:
        rows = slice(off, off + b)
        a = acts[rows]
        hb = h[:b]
        gh = prod[:b]
        xp.matmul(hb, whh_t, out=gh)
        if bhh is not None:
            gh += bhh
        rz = a[:, :2 * hid]
        rz += gh[:, :2 * hid]
        _sigmoid_(xp, rz)
        r, z, n = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:]
        if keep:
            hprev[rows] = hb
            ghn[rows] = gh[:, 2 * hid:]
        n += r * gh[:, 2 * hid:]
        _tanh_(xp, n)
        hb -= n  # h' = n + z * (h - n)
        hb *= z
        hb += n
        out[rows] = hb
    return out, h, None, ((acts, hprev, ghn) if keep else None)


def _gru_backward(xp, kept, whh, steps, g_out, g_hn, h_shape):
    acts, hprev, ghn = kept
    hid = hprev.shape[1]
    dgx = xp.empty_like(acts)
    dgh = xp.empty_like(acts)
    dh_state = g_hn.copy() if g_hn is not None else xp.zeros(h_shape, acts.dtype)
    for off, b in reversed(steps):
        rows = slice(off, off + b)
        dh = dh_state[:b]
        if g_out is not None:
            dh += g_out[rows]
        a = acts[rows]
        r, z, n = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:]
        d = dgx[rows]
        d_r, d_z, d_n = d[:, :hid], d[:, hid:2 * hid], d[:, 2 * hid:]
        xp.subtract(hprev[rows], n, out=d_z)
        d_z *= dh
        d_z *= z - z * z
        xp.multiply(dh, 1 - z, out=d_n)
        d_n *= 1 - n * n
        xp.multiply(d_n, ghn[rows], out=d_r)
        d_r *= r - r * r
        dg = dgh[rows]
        dg[:, :2 * hid] = d[:, :2 * hid]
        xp.multiply(d_n, r, out=dg[:, 2 * hid:])
        back = dg @ whh  # (b, 3H) @ (3H, H)
        dh *= z
        dh += back
    return dgx, dh_state, None, dgh, hprev, None


def _simple_forward(xp, gx, h0, whh, bhh, steps, keep, relu):
    hid, batch = h0.shape[1], h0.shape[0]
    acts = gx + bhh if bhh is not None else gx.copy()  # (N, H)
    h = h0.copy()
    whh_t = whh.T
    prod = xp.empty((batch, hid), gx.dtype)
    hprev = xp.empty_like(acts) if keep else None
    for off, b in steps:
        rows = slice(off, off + b)
        a = acts[rows]
        hb = h[:b]
        p = prod[:b]
        xp.matmul(hb, whh_t, out=p)
        a += p
        if relu:
            xp.maximum(a, 0, out=a)
        else:
            _tanh_(xp, a)
        if keep:
            hprev[rows] = hb
        hb[...] = a
    # the output is a copy: the activations stay private to the backward
    return (acts.copy() if keep else acts), h, None, ((acts, hprev) if keep else None)


def _simple_backward(xp, kept, whh, steps, g_out, g_hn, h_shape, relu):
    acts, hprev = kept
    dpre = xp.empty_like(acts)
    dh_state = g_hn.copy() if g_hn is not None else xp.zeros(h_shape, acts.dtype)
    for off, b in reversed(steps):
        rows = slice(off, off + b)
        dh = dh_state[:b]
        if g_out is not None:
            dh += g_out[rows]
        a = acts[rows]
        d = dpre[rows]
        if relu:
            xp.multiply(dh, a > 0, out=d)
        else:
            xp.multiply(a, a, out=d)
            xp.subtract(1, d, out=d)
            d *= dh
        xp.matmul(d, whh, out=dh)
    return dpre, dh_state, None, dpre, hprev, None


# ------------------------------------------------------------------------------------------- the graph node
def rnn_layer(mode: str, gx, h0, c0, w_hh, b_hh, w_hr, steps: list):
    """One layer and direction over a whole sequence (steps in processing order; reversed for `_reverse`).

    gx (N, G*H): input projection incl. b_ih; h0 (B, P); c0 (B, H) for LSTM; w_hh (G*H, P); b_hh (G*H,);
    w_hr (P, H) LSTM projection. Returns (output (N, P), h_n (B, P), c_n (B, H) or None).
    """
    xp = xp_of(gx._data)
    inputs = (gx, h0, c0, w_hh, b_hh, w_hr)
    need = grad_state.enabled and any(t is not None and t._requires_grad for t in inputs)
    arr = [None if t is None else t._data for t in inputs]
    with _quiet(xp):
        if mode == "LSTM":
            out, hn, cn, kept = _lstm_forward(xp, arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], steps, need)
        elif mode == "GRU":
            out, hn, cn, kept = _gru_forward(xp, arr[0], arr[1], arr[3], arr[4], steps, need)
        else:
            out, hn, cn, kept = _simple_forward(xp, arr[0], arr[1], arr[3], arr[4], steps, need,
                                                mode == "RNN_RELU")
    outs = [wrap(out), wrap(hn)] + ([wrap(cn)] if cn is not None else [])
    if need:
        present = tuple(t is not None for t in inputs)
        saved = tuple(t for t in inputs if t is not None)
        _record(outs, _BACKWARDS[mode], inputs, saved, (mode, steps, kept, present))
    return outs[0], outs[1], (outs[2] if cn is not None else None)


def _record(outs, backward_fn, inputs, saved, data):
    edges, needs, meta = [], [], []
    for t in inputs:
        if t is not None and t._requires_grad:
            fn = t._grad_fn
            edges.append(t if fn is None else (fn, t._out_idx))
            needs.append(True)
            meta.append((t._data.shape, t._data.dtype))
        else:
            edges.append(None)
            needs.append(False)
            meta.append(None)
    node = Node(backward_fn, tuple(edges), tuple(needs), tuple(meta), saved, data, n_out=len(outs))
    for k, o in enumerate(outs):
        o._grad_fn = node
        o._out_idx = k
        o._requires_grad = True


def _layer_backward(ctx, g_out, g_hn, g_cn=None):
    saved = iter(ctx.saved_tensors)  # checks that no input changed in place since the forward
    mode, steps, kept, present = ctx.data
    gx, h0, c0, w_hh, b_hh, w_hr = (next(saved) if p else None for p in present)
    needs = ctx.needs_input_grad
    if grad_state.enabled:  # create_graph: a differentiable backward
        return _tensor_backward(mode, (gx, h0, c0, w_hh, b_hh, w_hr), steps, g_out, g_hn, g_cn, needs)
    xp = xp_of(gx._data)
    go = None if g_out is None else g_out._data
    ghn = None if g_hn is None else g_hn._data
    gcn = None if g_cn is None else g_cn._data
    whh = w_hh._data
    if mode == "LSTM":
        dgx, dh0, dc0, dpre_h, hprev, proj = _lstm_backward(
            xp, kept, whh, None if w_hr is None else w_hr._data, steps, go, ghn, gcn, h0._data.shape,
            c0._data.shape)
    elif mode == "GRU":
        dgx, dh0, dc0, dpre_h, hprev, proj = _gru_backward(xp, kept, whh, steps, go, ghn, h0._data.shape)
    else:
        dgx, dh0, dc0, dpre_h, hprev, proj = _simple_backward(xp, kept, whh, steps, go, ghn, h0._data.shape,
                                                              mode == "RNN_RELU")
    # W_hh, b_hh and W_hr gradients: one GEMM / reduction over all steps instead of one per step
    g_whh = wrap(dpre_h.T @ hprev) if needs[3] else None  # (G*H, N) @ (N, P)
    g_bhh = wrap(dpre_h.sum(0)) if needs[4] else None
    g_whr = wrap(proj[0].T @ proj[1]) if needs[5] else None  # (P, N) @ (N, H)
    return (wrap(dgx) if needs[0] else None, wrap(dh0) if needs[1] else None,
            wrap(dc0) if needs[2] and dc0 is not None else None, g_whh, g_bhh, g_whr)


def LstmLayerBackward(ctx, g_out, g_hn, g_cn):
    return _layer_backward(ctx, g_out, g_hn, g_cn)


def GruLayerBackward(ctx, g_out, g_hn):
    return _layer_backward(ctx, g_out, g_hn)


def RnnTanhLayerBackward(ctx, g_out, g_hn):
    return _layer_backward(ctx, g_out, g_hn)


def RnnReluLayerBackward(ctx, g_out, g_hn):
    return _layer_backward(ctx, g_out, g_hn)


_BACKWARDS = {"LSTM": LstmLayerBackward, "GRU": GruLayerBackward, "RNN_TANH": RnnTanhLayerBackward,
              "RNN_RELU": RnnReluLayerBackward}


# ------------------------------------------------------------------------------------------- Tensor BPTT
def _rows(t, b, full):
    return t if b == full else t[:b]


def _merge(new, state, b, full):
    """The running state with rows [:b] replaced by this step's values."""
    return new if b == full else cat([new, state[b:]])


def _tensor_backward(mode, inputs, steps, g_out, g_hn, g_cn, needs):
    """The layer's gradients with Tensor ops (recomputing the forward), so they can be differentiated again."""
    gx, h0, c0, w_hh, b_hh, w_hr = inputs
    full = h0.shape[0]
    hid = w_hh.shape[0] // GATES[mode]
    records = []
    h, c = h0, c0
    for off, b in steps:  # forward, keeping each step's values
        hb = _rows(h, b, full)
        pre_h = hb.matmul(w_hh.t())
        if b_hh is not None:
            pre_h = pre_h + b_hh
        x = gx[off:off + b]
        if mode == "LSTM":
            cb = _rows(c, b, full)
            pre = x + pre_h
            i, f = pre[:, :hid].sigmoid(), pre[:, hid:2 * hid].sigmoid()
            g, o = pre[:, 2 * hid:3 * hid].tanh(), pre[:, 3 * hid:].sigmoid()
            cn = f * cb + i * g
            tc = cn.tanh()
            m = o * tc
            hn = m if w_hr is None else m.matmul(w_hr.t())
            records.append((off, b, hb, (cb, i, f, g, o, tc, m)))
            c = _merge(cn, c, b, full)
        elif mode == "GRU":
            r = (x[:, :hid] + pre_h[:, :hid]).sigmoid()
            z = (x[:, hid:2 * hid] + pre_h[:, hid:2 * hid]).sigmoid()
            ghn = pre_h[:, 2 * hid:]
            n = (x[:, 2 * hid:] + r * ghn).tanh()
            hn = n + z * (hb - n)
            records.append((off, b, hb, (r, z, n, ghn)))
        else:
            hn = x + pre_h
            hn = hn.relu() if mode == "RNN_RELU" else hn.tanh()
            records.append((off, b, hb, (hn,)))
        h = _merge(hn, h, b, full)

    dh = g_hn if g_hn is not None else h0.new_zeros(h0.shape)
    dc = None
    if mode == "LSTM":
        dc = g_cn if g_cn is not None else c0.new_zeros(c0.shape)
    d_x, d_h, hprevs, d_proj = {}, [], [], []
    for off, b, hb, vals in reversed(records):
        dhb = _rows(dh, b, full)
        if g_out is not None:
            dhb = dhb + g_out[off:off + b]
        if mode == "LSTM":
            cb, i, f, g, o, tc, m = vals
            if w_hr is not None:
                d_proj.append((dhb, m))
                dm = dhb.matmul(w_hr)
            else:
                dm = dhb
            dcb = _rows(dc, b, full) + dm * o * (1 - tc * tc)
            dpre = cat([dcb * g * (i * (1 - i)), dcb * cb * (f * (1 - f)), dcb * i * (1 - g * g),
                        dm * tc * (o * (1 - o))], 1)
            d_x[off] = dpre
            d_h.append(dpre)
            dc = _merge(dcb * f, dc, b, full)
            back = dpre.matmul(w_hh)
        elif mode == "GRU":
            r, z, n, ghn = vals
            d_n = dhb * (1 - z) * (1 - n * n)
            d_z = dhb * (hb - n) * (z * (1 - z))
            d_r = d_n * ghn * (r * (1 - r))
            d_x[off] = cat([d_r, d_z, d_n], 1)
            dpre = cat([d_r, d_z, d_n * r], 1)
            d_h.append(dpre)
            back = dhb * z + dpre.matmul(w_hh)
        else:
            (hn,) = vals
            dpre = dhb * (hn > 0).to(hn.dtype) if mode == "RNN_RELU" else dhb * (1 - hn * hn)
            d_x[off] = dpre
            d_h.append(dpre)
            back = dpre.matmul(w_hh)
        hprevs.append(hb)
        dh = _merge(back, dh, b, full)

    g_gx = cat([d_x[off] for off, _ in sorted(steps)]) if needs[0] else None
    g_whh = g_bhh = g_whr = None
    if needs[3] or needs[4]:
        dpre_all = cat(d_h)
        if needs[3]:
            g_whh = dpre_all.t().matmul(cat(hprevs))  # (G*H, N) @ (N, P)
        if needs[4]:
            g_bhh = dpre_all.sum(0)
    if needs[5]:
        g_whr = cat([d for d, _ in d_proj]).t().matmul(cat([m for _, m in d_proj]))  # (P, N) @ (N, H)
    return (g_gx, dh if needs[1] else None, dc if needs[2] else None, g_whh, g_bhh, g_whr)


# ------------------------------------------------------------------------------------------- stacked layers
def rnn_stack(mode: str, x, steps: list, hx, cx, weights: list, num_layers: int, bidirectional: bool,
              dropout: float, training: bool):
    """Stacked (and bidirectional) layers over rows x (N, input_size).

    hx (L*D, B, P), cx (L*D, B, H) or None; weights per (layer, direction): (w_ih, w_hh, b_ih, b_hh, w_hr).
    Dropout goes between layers in training only. Returns (output (N, D*P), h_n, c_n or None).
    """
    num_dir = 2 if bidirectional else 1
    h_n, c_n = [], []
    layer_in = x
    backward_steps = steps[::-1]
    for layer in range(num_layers):
        outs = []
        for direction in range(num_dir):
            k = layer * num_dir + direction
            w_ih, w_hh, b_ih, b_hh, w_hr = weights[k]
            gx = linear(layer_in, w_ih, b_ih)  # every step's input projection in one GEMM: (N, G*H)
            out, hn, cn = rnn_layer(mode, gx, hx[k], None if cx is None else cx[k], w_hh, b_hh, w_hr,
                                    backward_steps if direction else steps)
            outs.append(out)
            h_n.append(hn)
            c_n.append(cn)
        layer_in = outs[0] if num_dir == 1 else cat(outs, 1)
        if dropout > 0 and training and layer < num_layers - 1:
            layer_in = _dropout(layer_in, dropout, True)
    return layer_in, stack(h_n), (stack(c_n) if cx is not None else None)
