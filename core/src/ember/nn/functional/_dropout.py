"""Dropout family: elementwise, channel-wise (1d/2d/3d) and the SELU-preserving alpha dropout.

Masks come from ember's RNG (ember.manual_seed makes them reproducible; they are not torch's bits).
"""

from __future__ import annotations

import warnings

from ..._creation import rand

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_NEG_SAT = 1.7580993408473766  # -scale * alpha of SELU: its saturation value, negated


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, shape, p):
    """A float mask of `shape` (broadcastable to input) with ones kept with probability 1 - p."""
    return (rand(shape, dtype=input.dtype, device=input.device) >= p).to(input.dtype)


def _apply(input, noise, inplace, bias=None):
    if inplace:
        input.mul_(noise)
        if bias is not None:
            input.add_(bias)
        return input
    out = input * noise
    return out if bias is None else out + bias


def _dropout_impl(input, p, training, inplace, noise_shape, alpha):
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        return _apply(input, input.new_zeros(()), inplace)
    noise = _keep_mask(input, noise_shape, p)
    if alpha:
        a = 1.0 / ((_SELU_NEG_SAT ** 2 * p + 1) * (1 - p)) ** 0.5
        b = (noise - 1) * (_SELU_NEG_SAT * a) + _SELU_NEG_SAT * a * p
        return _apply(input, noise * a, inplace, b)
    return _apply(input, noise * (1.0 / (1 - p)), inplace)


def _feature_shape(input):
    """(N, C, 1, ...): one draw per channel of each sample."""
    return tuple(input.shape[:2]) + (1,) * (input.ndim - 2)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only)."""
    return _dropout_impl(input, p, training, inplace, tuple(input.shape), alpha=False)


def _channel_dropout(input, p, training, inplace, batched_ndim, name, alpha=False):
    _check_p(p)
    unbatched = input.ndim == batched_ndim - 1
    x = input.unsqueeze(0) if unbatched else input
    out = _dropout_impl(x, p, training, inplace and not unbatched, _feature_shape(x), alpha)
    if unbatched:
        out = out.squeeze(0)
        if inplace and out is not input:
            input.copy_(out)
            return input
    return out


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, L) or (C, L) input."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input."""
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.")
    return _dropout_impl(input, p, training, inplace, _feature_shape(input), alpha=False)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will "
                      "result in an error in a future release.")
    if input.ndim == 4:
        return _channel_dropout(input, p, training, inplace, 5, "dropout3d")
    return _dropout_impl(input, p, training, inplace, _feature_shape(input), alpha=False)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout that keeps the mean and variance of SELU activations: dropped units go to SELU's saturation."""
    return _dropout_impl(input, p, training, inplace, tuple(input.shape), alpha=True)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """alpha_dropout of whole channels."""
    return _dropout_impl(input, p, training, inplace, _feature_shape(input), alpha=True)
