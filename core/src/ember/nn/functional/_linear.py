"""linear (one GEMM against weight.T plus the bias, recorded as one node) and bilinear."""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...ops._util import check_same_device, record, wrap

__all__ = ["linear", "bilinear"]

# torch's C++ names for dtypes, as its matmul errors print them
_CNAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _cname(dt) -> str:
    return _CNAME.get(dt.name, dt.name)


def linear(input, weight, bias=None):
    """input @ weight.T + bias: (*, in_features) x (out_features, in_features) -> (*, out_features)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"linear(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"linear(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0:
        out = input.matmul(weight.t() if w.ndim == 2 else weight)  # the rare 1-D weight / 0-D input forms
        return out if bias is None else out + bias
    if x.__class__ is not w.__class__:
        check_same_device(input, weight, "linear")
    n_out, n_in = w.shape
    k = x.shape[-1]
    if k != n_in:
        rows = _prod(x.shape[:-1])  # torch flattens the leading dims into mat1's rows
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {n_in}x{n_out})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cname(input.dtype)} != "
                           f"{_cname(weight.dtype)}")
    if x.ndim == 2:
        y = x @ w.T
    elif x.ndim == 1:
        y = w @ x
    else:
        y = (x.reshape(-1, k) @ w.T).reshape(x.shape[:-1] + (n_out,))  # (N, in) @ (in, out) -> (*, out)
    if bias is not None:
        b = bias._data
        if b.dtype != y.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cname(bias.dtype)} != "
                               f"{_cname(input.dtype)}")
        try:
            y += b
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({n_out}) must match the size of tensor b "
                               f"({b.shape[-1] if b.ndim else 1}) at non-singleton dimension {y.ndim - 1}") from None
    out = wrap(y)
    if grad_state.enabled and (input._requires_grad or weight._requires_grad
                               or (bias is not None and bias._requires_grad)):
        need_w = weight._requires_grad
        need_x = input._requires_grad
        # keep only what the backward uses, so an in-place change elsewhere doesn't trip the version check
        saved = (input, weight) if need_w and need_x else (input,) if need_w else (weight,) if need_x else ()
        record(out, LinearBackward0, (input, weight, bias), saved=saved, data=(need_x, need_w))
    return out


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def LinearBackward0(ctx, g):
    saved = ctx.saved_tensors
    has_x, has_w = ctx.data
    x = saved[0] if has_w else None
    w = saved[-1] if has_x else None
    need_x, need_w, need_b = ctx.needs_input_grad
    gd = g._data
    n_out = gd.shape[-1] if gd.ndim else 1
    if not grad_state.enabled:  # plain backward: straight on the arrays
        gx = wrap(gd @ w._data) if need_x else None
        gw = gb = None
        if need_w or need_b:
            g2 = gd.reshape(-1, n_out)  # (N, out)
            if need_w:
                xd = x._data
                gw = wrap(g2.T @ xd.reshape(-1, xd.shape[-1]))  # (out, N) @ (N, in)
            if need_b:
                gb = wrap(g2.sum(0))
        return gx, gw, gb
    gx = g.matmul(w) if need_x else None
    gw = gb = None
    if need_w or need_b:
        g2 = g.reshape(-1, n_out)
        if need_w:
            gw = g2.t().matmul(x.reshape(-1, x.shape[-1]))
        if need_b:
            gb = g2.sum(0)
    return gx, gw, gb


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T W_o x2 + b_o: (*, in1), (*, in2), (out, in1, in2) -> (*, out)."""
    n_out, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2}")
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if bias is not None and bias.shape[-1] != n_out:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but expected "
                           f"{n_out}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    w = weight.permute(1, 0, 2).reshape(in1, n_out * in2)  # (in1, out*in2)
    t = x1.matmul(w).reshape(-1, n_out, in2)  # (N, out, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)  # (N, out)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (n_out,))
