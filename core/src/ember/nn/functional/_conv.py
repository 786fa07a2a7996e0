"""Convolutions (conv1d/2d/3d, conv_transpose1d/2d/3d) and unfold/fold, as torch.nn.functional.

Every convolution goes through three recorded ops over one geometry (stride, pads, dilation, groups) of a
forward convolution x (N, C, *S) * w (O, C/groups, *K) -> y (N, O, *OS):
  _conv(x, w)        y-shaped  (conv_forward kernel)
  _conv_t(y, w)      x-shaped  (the input-gradient kernel; conv_transpose is this op)
  _conv_wgrad(x, y)  w-shaped  (the weight-gradient kernel)
Each op's backward is written with the other two, so gradients of any order stay inside the family. The
array kernels live in ember.backends.conv; swapping that module swaps the backend.
"""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...backends import conv as _kernels
from ...ops._util import check_same_device, record, wrap

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold",
           "fold"]


# ---------------------------------------------------------------------------- argument parsing
def _tuple_arg(value, n: int, name: str) -> tuple:
    """An int or a length-n sequence -> n-tuple of ints, with torch's error for a wrong length."""
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) == 1 and n != 1:
            value = tuple(value) * n
        if len(value) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                               f"convolution dimensions, but got {name}={list(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _pads(padding, n: int, kernel, dilation, stride) -> tuple:
    """padding (int, tuple, 'same', 'valid') -> ((lo, hi), ...) per spatial dim."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # odd totals put the extra element after, as torch does
            return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    p = _tuple_arg(padding, n, "padding")
    return tuple((v, v) for v in p)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_common(input, weight, bias, stride, dilation, n: int, name: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input of "
                           f"size: {_shape_str(input.shape)}")
    if weight.ndim != n + 2:
        raise RuntimeError(f"Expected {n + 2}-dimensional weight for {n + 2}-dimensional input "
                           f"{_shape_str(input.shape)}, but got {weight.ndim}-dimensional weight of size "
                           f"{_shape_str(weight.shape)} instead")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if input._data.__class__ is not weight._data.__class__:
        check_same_device(input, weight, name)
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({input.type()}) and weight type ({weight.type()}) should be the "
                           "same")
    if bias is not None and bias._data.__class__ is not input._data.__class__:
        check_same_device(input, bias, name)
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_dtype_cname(input.dtype)}) and bias type ({_dtype_cname(bias.dtype)}) "
                           "should be the same")


def _dtype_cname(dt) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}.get(
        dt.name, dt.name)


def _check_bias(weight, bias, out_channels):
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {_shape_str(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {_shape_str(bias.shape)} instead")


def _check_groups(weight, groups):
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.shape[0] % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_str(weight.shape)}] instead")


def _check_kernel_fits(spatial, pads, kernel, dilation):
    padded = [s + lo + hi for s, (lo, hi) in zip(spatial, pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(k > p for k, p in zip(eff, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size")


# ---------------------------------------------------------------------------- the recorded op family
def _conv(x: Tensor, w: Tensor, b, geo, out_spatial=None) -> Tensor:
    """x (N, C, *S) * w (O, C/groups, *K) [+ b] -> (N, O, *OS); `geo` = (stride, pads, dilation, groups)."""
    stride, pads, dil, groups = geo
    y = _kernels.conv_forward(x._data, w._data, stride, pads, dil, groups,
                              bias=None if b is None else b._data, out_spatial=out_spatial)
    out = wrap(y)
    if grad_state.enabled and (x._requires_grad or w._requires_grad or (b is not None and b._requires_grad)):
        record(out, ConvolutionBackward0, (x, w, b), saved=(x, w), data=geo)
    return out


def ConvolutionBackward0(ctx, g):
    x, w = ctx.saved_tensors
    need_x, need_w, need_b = ctx.needs_input_grad
    geo = ctx.data
    gb = _bias_grad(g) if need_b else None
    if not (need_x or need_w):
        return None, None, gb
    if grad_state.enabled:  # create_graph: each gradient is itself a recorded op, differentiable again
        gx = _conv_t(g, w, None, geo, x.shape) if need_x else None
        gw = _conv_wgrad(x, g, geo, w.shape) if need_w else None
        return gx, gw, gb
    stride, pads, dil, groups = geo
    gxd, gwd = _kernels.conv_backward(x._data if need_w else None, w._data if need_x else None, g._data, stride,
                                      pads, dil, groups, x._data.shape, w._data.shape, need_x, need_w)
    return (wrap(gxd) if need_x else None), (wrap(gwd) if need_w else None), gb


def _bias_grad(g: Tensor) -> Tensor:
    return g.sum(dim=(0,) + tuple(range(2, g.ndim)))


def _conv_t(y: Tensor, w: Tensor, b, geo, x_shape) -> Tensor:
    """The adjoint of _conv in its first argument: y (N, O, *OS) -> (N, C, *S) of `x_shape` [+ b over C]."""
    stride, pads, dil, groups = geo
    gx, _ = _kernels.conv_backward(None, w._data, y._data, stride, pads, dil, groups, tuple(x_shape), w._data.shape,
                                   True, False)
    if b is not None:
        gx += b._data.reshape((-1,) + (1,) * (gx.ndim - 2))
    out = wrap(gx)
    if grad_state.enabled and (y._requires_grad or w._requires_grad or (b is not None and b._requires_grad)):
        record(out, ConvolutionBackward0T, (y, w, b), saved=(y, w), data=geo)
    return out


def ConvolutionBackward0T(ctx, g):
    y, w = ctx.saved_tensors
    need_y, need_w, need_b = ctx.needs_input_grad
    geo = ctx.data
    gy = _conv(g, w, None, geo, out_spatial=y.shape[2:]) if need_y else None
    gw = _conv_wgrad(g, y, geo, w.shape) if need_w else None
    return gy, gw, (_bias_grad(g) if need_b else None)


ConvolutionBackward0T.__name__ = "ConvolutionBackward0"


def _conv_wgrad(x: Tensor, y: Tensor, geo, w_shape) -> Tensor:
    """The adjoint of _conv in its weight: x (N, C, *S), y (N, O, *OS) -> (O, C/groups, *K) of `w_shape`."""
    stride, pads, dil, groups = geo
    _, gw = _kernels.conv_backward(x._data, None, y._data, stride, pads, dil, groups, x._data.shape, tuple(w_shape),
                                   False, True)
    out = wrap(gw)
    if grad_state.enabled and (x._requires_grad or y._requires_grad):
        record(out, ConvolutionBackwardBackward0, (x, y), saved=(x, y), data=geo)
    return out


def ConvolutionBackwardBackward0(ctx, g):
    x, y = ctx.saved_tensors
    need_x, need_y = ctx.needs_input_grad
    geo = ctx.data
    gx = _conv_t(y, g, None, geo, x.shape) if need_x else None
    gy = _conv(x, g, None, geo, out_spatial=y.shape[2:]) if need_y else None
    return gx, gy


# ---------------------------------------------------------------------------- public convolutions
def _convnd(input, weight, bias, stride, padding, dilation, groups, n: int, name: str) -> Tensor:
    stride = _tuple_arg(stride, n, "stride")
    dilation = _tuple_arg(dilation, n, "dilation")
    _check_common(input, weight, bias, stride, dilation, n, name)
    groups = int(groups)
    kernel = tuple(weight.shape[2:])
    pads = _pads(padding, n, kernel, dilation, stride)
    if any(lo < 0 for lo, _ in pads):
        raise RuntimeError("negative padding is not supported")
    _check_groups(weight, groups)
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    c_in = weight.shape[1] * groups
    if x.shape[1] != c_in:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, expected "
                           f"input{_shape_str(x.shape)} to have {c_in} channels, but got {x.shape[1]} channels "
                           "instead")
    _check_bias(weight, bias, weight.shape[0])
    _check_kernel_fits(x.shape[2:], pads, kernel, dilation)
    out = _conv(x, weight, bias, (stride, pads, dilation, groups))
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """(N, C, L) * (O, C/groups, K) -> (N, O, L_out)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """(N, C, H, W) * (O, C/groups, kH, kW) -> (N, O, H_out, W_out)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """(N, C, D, H, W) * (O, C/groups, kD, kH, kW) -> (N, O, D_out, H_out, W_out)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, n: int,
                      name: str) -> Tensor:
    stride = _tuple_arg(stride, n, "stride")
    dilation = _tuple_arg(dilation, n, "dilation")
    _check_common(input, weight, bias, stride, dilation, n, name)
    if isinstance(padding, str):
        raise RuntimeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    padding = _tuple_arg(padding, n, "padding")
    output_padding = _tuple_arg(output_padding, n, "output_padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    groups = int(groups)
    _check_groups(weight, groups)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[3 - n:] if n > 1 else ("width",)
        parts = " ".join(f"output_padding_{nm}: {v}" for nm, v in zip(names, output_padding))
        parts += " " + " ".join(f"stride_{nm}: {v}" for nm, v in zip(names, stride))
        parts += " " + " ".join(f"dilation_{nm}: {v}" for nm, v in zip(names, dilation))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {parts}")
    batched = input.ndim == n + 2
    y = input if batched else input.unsqueeze(0)
    if y.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, expected "
                           f"input{_shape_str(y.shape)} to have {weight.shape[0]} channels, but got {y.shape[1]} "
                           "channels instead")
    c_out = weight.shape[1] * groups
    _check_bias(weight, bias, c_out)
    kernel = tuple(weight.shape[2:])
    out_spatial = tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, s, p, d, k, op in
                        zip(y.shape[2:], stride, padding, dilation, kernel, output_padding))
    if any(o <= 0 for o in out_spatial):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, y.shape[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out_spatial))}). Output size is too small")
    geo = (stride, tuple((p, p) for p in padding), dilation, groups)
    out = _conv_t(y, weight, bias, geo, (y.shape[0], c_out) + out_spatial)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """(N, C_in, L) with weight (C_in, C_out/groups, K) -> (N, C_out, L_out): the adjoint of conv1d."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                             "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """(N, C_in, H, W) with weight (C_in, C_out/groups, kH, kW) -> (N, C_out, H_out, W_out)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                             "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """(N, C_in, D, H, W) with weight (C_in, C_out/groups, kD, kH, kW) -> (N, C_out, D_out, H_out, W_out)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                             "conv_transpose3d")


# ---------------------------------------------------------------------------- unfold / fold
def _unfold(x: Tensor, kernel, geo) -> Tensor:
    stride, pads, dil = geo
    out = wrap(_kernels.im2col(x._data, kernel, stride, pads, dil))
    if grad_state.enabled and x._requires_grad:
        record(out, Im2ColBackward0, (x,), data=(kernel, geo, tuple(x._data.shape[2:])))
    return out


def Im2ColBackward0(ctx, g):
    kernel, geo, size = ctx.data
    return _fold(g, size, kernel, geo)


def _fold(cols: Tensor, size, kernel, geo) -> Tensor:
    stride, pads, dil = geo
    out = wrap(_kernels.col2im(cols._data, size, kernel, stride, pads, dil))
    if grad_state.enabled and cols._requires_grad:
        record(out, Col2ImBackward0, (cols,), data=(kernel, geo))
    return out


def Col2ImBackward0(ctx, g):
    kernel, geo = ctx.data
    return _unfold(g, kernel, geo)


def _fold_args(kernel_size, dilation, padding, stride):
    kernel = _tuple_arg(kernel_size, 2, "kernel_size")
    dilation = _tuple_arg(dilation, 2, "dilation")
    padding = _tuple_arg(padding, 2, "padding")
    stride = _tuple_arg(stride, 2, "stride")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} "
                           f"kernel_width: {kernel[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {stride[0]} "
                           f"stride_width: {stride[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dilation[0]} "
                           f"dilation_width: {dilation[1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} pad_width: "
                           f"{padding[1]}")
    return kernel, (stride, tuple((p, p) for p in padding), dilation)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks (im2col): (N, C, H, W) -> (N, C * kH * kW, L), L the number of block positions."""
    kernel, geo = _fold_args(kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {_shape_str(input.shape)}")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    stride, pads, dil = geo
    blocks = [_kernels.out_size(s, k, st, lo, hi, d)
              for s, k, st, (lo, hi), d in zip(x.shape[2:], kernel, stride, pads, dil)]
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={kernel}, "
                           f"dilation={dil}, padding={tuple(p for p, _ in pads)}, calculated shape of the array of "
                           f"sliding blocks as {tuple(blocks)}, but its components must be at least one.")
    out = _unfold(x, kernel, geo)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding blocks back into an image (col2im): (N, C * kH * kW, L) -> (N, C, *output_size)."""
    kernel, geo = _fold_args(kernel_size, dilation, padding, stride)
    size = _tuple_arg(output_size, 2, "output_size")
    if input.ndim not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {_shape_str(input.shape)}")
    batched = input.ndim == 3
    cols = input if batched else input.unsqueeze(0)
    kk = kernel[0] * kernel[1]
    if cols.shape[1] % kk != 0:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={cols.shape[1]} and kernel_size={kernel}.")
    stride, pads, dil = geo
    blocks = [_kernels.out_size(s, k, st, lo, hi, d) for s, k, st, (lo, hi), d in zip(size, kernel, stride, pads, dil)]
    if blocks[0] * blocks[1] != cols.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dil}, "
                           f"padding={tuple(p for p, _ in pads)}, stride={stride}, expected size of input's dimension "
                           f"2 to match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={cols.shape[2]}.")
    out = _fold(cols, size, kernel, geo)
    return out if batched else out.squeeze(0)

