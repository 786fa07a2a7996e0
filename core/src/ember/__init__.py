"""ember: a PyTorch-shaped deep-learning stack on NumPy (CPU) and CuPy (GPU).

`import ember as torch` runs PyTorch code: the same names, arguments and numerics.
"""

__version__ = "0.1.0"

from . import _tensor_methods  # noqa: F401  (binds the op methods onto Tensor)
from . import accelerator, autograd, backends, cuda, random
from ._convert import LEGACY_TYPES as _LEGACY_TYPES
from ._convert import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from ._creation import (arange, as_tensor, asarray, bernoulli, empty, empty_like, eye, from_numpy, full, full_like,
                        linspace, logspace, multinomial, normal, ones, ones_like, poisson, rand, rand_like, randint,
                        randint_like, randn, randn_like, randperm, scalar_tensor, tensor, zeros, zeros_like)
from ._creation import _sample_dirichlet, _standard_gamma
from ._creation import range  # torch.range (deprecated there too); shadows the builtin in this module
from ._device import device
from ._dtype import finfo, iinfo
from ._dtype import (bfloat16, bool_ as bool, double, dtype, float, float16, float32, float64, get_default_dtype,
                     half, int, int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8)
from ._size import Size
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from ._tensor import Tensor
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                                 set_grad_enabled)
from .ops.arith import (add, div, divide, float_power, floor_divide, fmod, mul, multiply, pow, remainder, rsub, sub,
                        subtract, true_divide)
from .ops.compare import (allclose, bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift,
                          bitwise_xor, eq, equal, fmax, fmin, ge, greater, greater_equal, gt, isclose, isfinite, isinf,
                          isnan, isneginf, isposinf, le, less, less_equal, logical_and, logical_not, logical_or,
                          logical_xor, lt, maximum, minimum, ne, not_equal, where)
from .ops.gather import (argwhere, gather, index_add, index_copy, index_fill, index_select, masked_fill,
                         masked_scatter, masked_select, nonzero, scatter, scatter_add, scatter_reduce, take,
                         take_along_dim)
from .ops.index import index_put
from .ops.linalg import addmm, addmv, baddbmm, bmm, dot, einsum, ger, inner, matmul, mm, mv, outer
from .ops.reduce import (aminmax, cumprod, cumsum, log_softmax, logsumexp, median, nanmedian, norm, prod, softmax,
                         std, std_mean, var, var_mean)
from .ops.reduce import (all, amax, amin, any, argmax, argmin, count_nonzero, max, mean, min, nanmean, nansum,
                         sum)
from .ops.sort import argsort, bucketize, kthvalue, msort, searchsorted, sort, topk, unique, unique_consecutive
from .ops.shape import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors, broadcast_to, cat,
                        chunk, clone, column_stack, concat, concatenate, diag, diag_embed, diagonal, dstack, flatten,
                        flip, fliplr, flipud, hstack, movedim, moveaxis, narrow, permute, ravel, repeat_interleave,
                        reshape, roll, rot90, row_stack, select, split, squeeze, stack, swapaxes, swapdims, t,
                        tensor_split, tile, trace, transpose, tril, triu, unbind, unflatten, unsqueeze, vstack)
from .ops.unary import (abs, acos, acosh, addcdiv, addcmul, asin, asinh, atan, atanh, ceil, clamp, clamp_max,
                        clamp_min, clip, cos, cosh, erf, erfc, erfinv, exp, exp2, expm1, fix, floor, frac, lerp, log,
                        log1p, log2, log10, logit, nan_to_num, neg, reciprocal, relu, round, rsqrt, sigmoid, sign, sin,
                        sinh, sqrt, square, tan, tanh, trunc)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
# Submodules and names loaded on first use, so `import ember` stays fast (PEP 562); `import ember.nn` works as usual.
_LAZY = {
    "nn": ("ember.nn", None), "optim": ("ember.optim", None), "utils": ("ember.utils", None),
    "hub": ("ember.hub", None), "safetensors": ("ember.safetensors", None),
    "serialization": ("ember.serialization", None),
    "save": ("ember.serialization", "save"), "load": ("ember.serialization", "load"),
}
# torch also exposes these nn.functional ops at the top level with the same argument order
_LAZY.update({name: ("ember.nn.functional", name) for name in (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "avg_pool1d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
    "cosine_similarity", "pairwise_distance", "pdist", "prelu", "selu", "selu_", "celu", "celu_", "rrelu", "rrelu_",
    "hardshrink", "threshold", "threshold_", "relu_", "layer_norm", "group_norm", "rms_norm", "bilinear", "dropout",
    "alpha_dropout", "feature_alpha_dropout",
)})


def __getattr__(name):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'ember' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(target[0])
    value = module if target[1] is None else getattr(module, target[1])
    globals()[name] = value
    return value

negative, absolute, arcsin, arccos, arctan, sgn = neg, abs, asin, acos, atan, sign
arcsinh, arccosh, arctanh = asinh, acosh, atanh
FloatTensor = _LEGACY_TYPES["FloatTensor"]
DoubleTensor = _LEGACY_TYPES["DoubleTensor"]
HalfTensor = _LEGACY_TYPES["HalfTensor"]
BFloat16Tensor = _LEGACY_TYPES["BFloat16Tensor"]
ByteTensor = _LEGACY_TYPES["ByteTensor"]
CharTensor = _LEGACY_TYPES["CharTensor"]
ShortTensor = _LEGACY_TYPES["ShortTensor"]
IntTensor = _LEGACY_TYPES["IntTensor"]
LongTensor = _LEGACY_TYPES["LongTensor"]
BoolTensor = _LEGACY_TYPES["BoolTensor"]
default_generator = random.default_generator


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


def get_default_device():
    from ._device import CPU

    return CPU
