"""scaled_dot_product_attention (one fused graph node) and multi_head_attention_forward, as torch.

Masks follow torch: a bool mask marks the keys that take part (True = attend), a float mask is added to the
scores. A query row whose keys are all masked out gets zero weights and a zero output (torch's CPU kernel
does the same), never NaN.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _dtype
from ..._creation import rand, zeros, zeros_like
from ..._device import xp_of
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import record, wrap
from ...ops.linalg import baddbmm, bmm
from ...ops.shape import cat
from ._dropout import dropout as _dropout
from ._linear import linear
from ._padding import pad

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


# ------------------------------------------------------------------------------------------- SDPA
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0, is_causal: bool = False,
                                 scale=None, enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev)."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must be at least 2-D, got "
                           f"{query.dim()}-D, {key.dim()}-D and {value.dim()}-D")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    seq_q, seq_k, emb = query.shape[-2], key.shape[-2], query.shape[-1]
    if key.shape[-1] != emb:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same embedding size, got "
                           f"{emb} and {key.shape[-1]}")
    if value.shape[-2] != seq_k:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same sequence length, got "
                           f"{seq_k} and {value.shape[-2]}")
    if enable_gqa and query.dim() >= 3:
        # grouped-query attention: each key/value head serves a group of query heads
        heads = query.shape[-3]
        if key.shape[-3] != heads:
            key = key.repeat_interleave(heads // key.shape[-3], -3)
        if value.shape[-3] != heads:
            value = value.repeat_interleave(heads // value.shape[-3], -3)
    scale = 1.0 / math.sqrt(emb) if scale is None else float(scale)
    xp = xp_of(query._data)

    # a bool mask or is_causal becomes a constant additive (0 / -inf) array; a float mask is an input
    keep = None
    float_mask = None
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if is_causal:
        keep = xp.tril(xp.ones((seq_q, seq_k), dtype=bool))
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, not "
                            f"{type(attn_mask).__name__}")
        if attn_mask.dtype == _dtype.bool_:
            keep = attn_mask._data
        elif attn_mask.is_floating_point():
            if attn_mask.dtype != query.dtype:
                raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                                   f"attn_mask.dtype: {attn_mask.dtype} and  query.dtype: {query.dtype} instead.")
            float_mask = attn_mask
        else:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {attn_mask.dtype} and  query.dtype: {query.dtype} instead.")
    neg = None
    if keep is not None:
        neg = xp.where(keep, 0.0, -xp.inf).astype(query._data.dtype)
    drop = None
    if dropout_p > 0.0:
        shape = tuple(np.broadcast_shapes(query._data.shape[:-2], key._data.shape[:-2])) + (seq_q, seq_k)
        u = rand(shape, dtype=query.dtype, device=query.device)._data
        drop = (u >= dropout_p).astype(query._data.dtype)
        drop *= 1.0 / (1.0 - dropout_p)
    return _sdpa(query, key, value, float_mask, neg, drop, scale)


def _safe_softmax_(xp, s):
    """Row softmax of s in place; a row of all -inf becomes zeros."""
    m = s.max(-1, keepdims=True)
    m[~xp.isfinite(m)] = 0
    s -= m
    xp.exp(s, out=s)
    total = s.sum(-1, keepdims=True)
    total[total == 0] = 1
    s /= total
    return s


def _sdpa(q, k, v, float_mask, neg, drop, scale):
    qd, kd, vd = q._data, k._data, v._data
    xp = xp_of(qd)
    s = (qd * qd.dtype.type(scale)) @ kd.swapaxes(-1, -2)  # (..., L, S)
    if float_mask is not None:
        fm = float_mask._data
        if np.broadcast_shapes(fm.shape, s.shape) == s.shape:
            s += fm
        else:  # the mask carries batch dims the scores lack
            s = s + fm
    if neg is not None:
        s += neg
    p = _safe_softmax_(xp, s)
    pd = p * drop if drop is not None else p
    out = wrap(pd @ vd)
    if grad_state.enabled and (q._requires_grad or k._requires_grad or v._requires_grad
                               or (float_mask is not None and float_mask._requires_grad)):
        # the output is saved too: the backward's row sums come from it (see below)
        record(out, ScaledDotProductAttentionBackward0, (q, k, v, float_mask),
               saved=(q, k, v) + ((float_mask,) if float_mask is not None else ()) + (out,),
               data=(p, pd, drop, neg, scale))
    return out


def ScaledDotProductAttentionBackward0(ctx, g):
    saved = ctx.saved_tensors
    q, k, v = saved[:3]
    float_mask = saved[3] if len(saved) > 4 else None
    out = saved[-1]
    p, pd, drop, neg, scale = ctx.data
    need_q, need_k, need_v, need_m = ctx.needs_input_grad
    if grad_state.enabled:  # create_graph: the same formulas with Tensor ops, from a recomputed softmax
        s = (q * scale).matmul(k.transpose(-1, -2))
        if float_mask is not None:
            s = s + float_mask
        if neg is not None:
            s = s + wrap(neg)
        pt = _SafeSoftmax.apply(s)
        dt = wrap(drop) if drop is not None else None
        pd = pt * dt if dt is not None else pt
        dp = g.matmul(v.transpose(-1, -2))
        if dt is not None:
            dp = dp * dt
        ds = pt * (dp - (dp * pt).sum(-1, keepdim=True))
        return (ds.matmul(k) * scale if need_q else None,
                ds.transpose(-1, -2).matmul(q) * scale if need_k else None,
                pd.transpose(-1, -2).matmul(g) if need_v else None,
                ds if need_m else None)
    gd = g._data
    qd, kd, vd = q._data, k._data, v._data
    gv = pd.swapaxes(-1, -2) @ gd if need_v else None  # (..., S, L) @ (..., L, Ev)
    ds = gd @ vd.swapaxes(-1, -2)  # dL/d(weights), dropout applied below: (..., L, S)
    if drop is not None:
        ds *= drop
    # softmax backward p * (dp - sum_s dp p); that row sum equals sum_e g * out (FlashAttention's identity),
    # a reduction over the small (L, Ev) output instead of the (L, S) scores
    ds -= (gd * out._data).sum(-1, keepdims=True)
    ds *= p
    sc = qd.dtype.type(scale)
    gq = wrap((ds @ kd) * sc) if need_q else None
    gk = wrap((ds.swapaxes(-1, -2) @ qd) * sc) if need_k else None
    return gq, gk, (wrap(gv) if gv is not None else None), (wrap(ds) if need_m else None)


class _SafeSoftmax:
    """Row softmax where a fully masked (all -inf) row gives zeros; differentiable to any order."""

    @staticmethod
    def apply(x):
        xp = xp_of(x._data)
        out = wrap(_safe_softmax_(xp, x._data.copy()))
        if grad_state.enabled and x._requires_grad:
            record(out, SafeSoftmaxBackward0, (x,), saved=(out,))
        return out


def SafeSoftmaxBackward0(ctx, g):
    (p,) = ctx.saved_tensors
    return p * (g - (g * p).sum(-1, keepdim=True))


# ------------------------------------------------------------------------------------------- MHA
def _canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type, check_other: bool = True):
    """A bool mask becomes a float one (-inf where True, i.e. masked out); a float mask stays as is."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dtype.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if not is_float:
        mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def _in_projection_packed(q, k, v, w, b=None):
    """q, k, v through the stacked (3E, E) in_proj weight; one GEMM when q is k is v."""
    emb = q.size(-1)
    if k is v:
        if q is k:
            proj = linear(q, w, b)  # (L, B, 3E)
            proj = proj.unflatten(-1, (3, emb)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()  # (3, L, B, E)
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([emb, emb * 2])
        b_q, b_kv = (None, None) if b is None else b.split([emb, emb * 2])
        q_proj = linear(q, w_q, b_q)
        kv_proj = linear(k, w_kv, b_kv).unflatten(-1, (2, emb)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return q_proj, kv_proj[0], kv_proj[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    eq, ek, ev = q.size(-1), k.size(-1), v.size(-1)
    for what, w, shape in (("query", w_q, (eq, eq)), ("key", w_k, (eq, ek)), ("value", w_v, (eq, ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {what} weights shape of {shape}, but got {w.shape}")
    for what, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {what} bias shape of {(eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight, out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None, use_separate_proj_weight: bool = False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True, is_causal: bool = False):
    """torch's multi-head attention: (L, N, E) query, (S, N, E) key/value -> (L, N, E), weights or None."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the SDPA kernel builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)  # (N*H, L, hd)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")  # (N*H, S, hd)
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")

    if add_zero_attn:
        zero_shape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zero_shape, dtype=k.dtype, device=k.device)], dim=1)
        v = cat([v, zeros(zero_shape, dtype=v.dtype, device=v.device)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.size(1)

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{key_padding_mask.shape}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))  # (N*H, L, S)
        else:
            weights = bmm(q_scaled, k.transpose(-2, -1))
        weights = weights.softmax(dim=-1)
        if dropout_p > 0.0:
            weights = _dropout(weights, p=dropout_p)
        attn_output = bmm(weights, v)  # (N*H, L, hd)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, embed_dim)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            attn_output = attn_output.squeeze(1)
            weights = weights.squeeze(0)
        return attn_output, weights

    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)  # (L*N, E)
    attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, embed_dim)
    if not is_batched:
        attn_output = attn_output.squeeze(1)
    return attn_output, None


def _heads(t, static, bsz, num_heads, head_dim, name):
    """(S, N, E) -> (N*H, S, hd), or the given static (N*H, S, hd) tensor after checking it."""
    if static is None:
        return t.view(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static
