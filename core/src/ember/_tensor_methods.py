"""Binds the op functions onto Tensor as methods and operators.

Methods are the op functions themselves (the tensor arrives as the first argument), so a method
call costs no extra Python frame. Done once, at import.
"""

from __future__ import annotations

from ._convert import copy_
from ._tensor import Tensor
from .ops import arith, compare, index, linalg, reduce, shape, unary
from .ops.inplace import apply_inplace


def _bind(**methods):
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


def _reflected(op):
    def method(self, other):
        return op(other, self)

    return method


def _property(fn):
    return property(fn)


_bind(
    # operators
    __add__=arith.add, __radd__=arith.radd, __iadd__=arith.add_,
    __sub__=arith.sub, __rsub__=arith.rsub, __isub__=arith.sub_,
    __mul__=arith.mul, __rmul__=arith.rmul, __imul__=arith.mul_,
    __truediv__=arith.div, __rtruediv__=arith.rtruediv, __itruediv__=arith.div_,
    __floordiv__=arith.floor_divide, __rfloordiv__=arith.rfloordiv, __ifloordiv__=arith.floor_divide_,
    __mod__=arith.remainder, __rmod__=arith.rmod, __imod__=arith.remainder_,
    __pow__=arith.pow, __rpow__=arith.rpow, __ipow__=arith.pow_,
    __matmul__=linalg.matmul, __rmatmul__=_reflected(linalg.matmul),
    __neg__=unary.neg, __pos__=lambda self: self, __abs__=unary.abs, __invert__=compare.bitwise_not,
    __eq__=compare.tensor_eq, __ne__=compare.tensor_ne, __lt__=compare.lt, __le__=compare.le, __gt__=compare.gt,
    __ge__=compare.ge,
    __and__=compare.bitwise_and, __or__=compare.bitwise_or, __xor__=compare.bitwise_xor,
    __rand__=_reflected(compare.bitwise_and), __ror__=_reflected(compare.bitwise_or),
    __rxor__=_reflected(compare.bitwise_xor),
    __iand__=lambda self, o: apply_inplace(self, compare.bitwise_and, "__iand__", o),
    __ior__=lambda self, o: apply_inplace(self, compare.bitwise_or, "__ior__", o),
    __ixor__=lambda self, o: apply_inplace(self, compare.bitwise_xor, "__ixor__", o),
    __lshift__=compare.bitwise_left_shift, __rshift__=compare.bitwise_right_shift,
    __rlshift__=_reflected(compare.bitwise_left_shift), __rrshift__=_reflected(compare.bitwise_right_shift),
    __getitem__=index.getitem, __setitem__=index.setitem,
    # arithmetic
    add=arith.add, sub=arith.sub, subtract=arith.sub, mul=arith.mul, multiply=arith.mul, div=arith.div,
    divide=arith.div, true_divide=arith.true_divide, floor_divide=arith.floor_divide, remainder=arith.remainder,
    fmod=arith.fmod, pow=arith.pow, float_power=arith.float_power,
    add_=arith.add_, sub_=arith.sub_, subtract_=arith.sub_, mul_=arith.mul_, multiply_=arith.mul_, div_=arith.div_,
    divide_=arith.div_, true_divide_=arith.div_, pow_=arith.pow_, remainder_=arith.remainder_, fmod_=arith.fmod_,
    floor_divide_=arith.floor_divide_,
    # comparisons
    eq=compare.eq, ne=compare.ne, lt=compare.lt, le=compare.le, gt=compare.gt, ge=compare.ge,
    greater=compare.gt, greater_equal=compare.ge, less=compare.lt, less_equal=compare.le, not_equal=compare.ne,
    logical_and=compare.logical_and, logical_or=compare.logical_or, logical_xor=compare.logical_xor,
    logical_not=compare.logical_not, bitwise_and=compare.bitwise_and, bitwise_or=compare.bitwise_or,
    bitwise_xor=compare.bitwise_xor, bitwise_not=compare.bitwise_not, isnan=compare.isnan, isinf=compare.isinf,
    isfinite=compare.isfinite, isposinf=compare.isposinf, isneginf=compare.isneginf, isclose=compare.isclose,
    allclose=compare.allclose, equal=compare.equal, where=lambda self, condition, other: compare.where(
        condition, self, other),
    maximum=compare.maximum, minimum=compare.minimum, fmax=compare.fmax, fmin=compare.fmin,
    # reductions
    sum=reduce.sum, nansum=reduce.nansum, mean=reduce.mean, nanmean=reduce.nanmean, amax=reduce.amax,
    amin=reduce.amin, max=reduce.max, min=reduce.min, argmax=reduce.argmax, argmin=reduce.argmin, all=reduce.all,
    any=reduce.any, count_nonzero=reduce.count_nonzero,
    # shapes and views
    view=shape.view, view_as=shape.view_as, reshape=shape.reshape, reshape_as=shape.reshape_as,
    flatten=shape.flatten, unflatten=shape.unflatten, ravel=shape.ravel, contiguous=shape.contiguous,
    clone=shape.clone, permute=shape.permute, transpose=shape.transpose, swapaxes=shape.transpose,
    swapdims=shape.transpose, t=shape.t, T=_property(shape.T), mT=_property(shape.mT), H=_property(shape.T),
    mH=_property(shape.mT), movedim=shape.movedim, moveaxis=shape.movedim, expand=shape.expand,
    expand_as=shape.expand_as, broadcast_to=shape.broadcast_to, sum_to_size=shape.sum_to_size,
    squeeze=shape.squeeze, unsqueeze=shape.unsqueeze, narrow=shape.narrow, select=shape.select,
    split=shape.split, split_with_sizes=shape.split_with_sizes, chunk=shape.chunk, tensor_split=shape.tensor_split,
    unbind=shape.unbind, repeat=shape.repeat, tile=shape.tile, repeat_interleave=shape.repeat_interleave,
    flip=shape.flip, fliplr=shape.fliplr, flipud=shape.flipud, roll=shape.roll, rot90=shape.rot90,
    tril=shape.tril, triu=shape.triu, diagonal=shape.diagonal, diag=shape.diag, diag_embed=shape.diag_embed,
    trace=shape.trace,
    # linear algebra
    matmul=linalg.matmul, mm=linalg.mm, bmm=linalg.bmm, mv=linalg.mv, dot=linalg.dot, inner=linalg.inner,
    outer=linalg.outer, ger=linalg.outer, addmm=linalg.addmm, baddbmm=linalg.baddbmm, addmv=linalg.addmv,
    # indexing
    index_put=index.index_put, index_put_=index.index_put_,
    # copies
    copy_=copy_,
)

_bind(**{name: getattr(unary, name) for name in (
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "logit", "erf", "erfc",
    "erfinv", "neg", "abs", "square", "sign", "floor", "ceil", "trunc", "fix", "round", "frac", "clamp", "clip",
    "clamp_min", "clamp_max", "nan_to_num", "lerp", "addcmul", "addcdiv", "relu",
)})
_bind(negative=unary.neg, absolute=unary.abs, arcsin=unary.asin, arccos=unary.acos, arctan=unary.atan,
      arcsinh=unary.asinh, arccosh=unary.acosh, arctanh=unary.atanh, sgn=unary.sign)
_bind(**unary.INPLACE)
_bind(**compare.INPLACE)
_bind(negative_=unary.INPLACE["neg_"], absolute_=unary.INPLACE["abs_"])


def _fill_(self, value):
    from .ops.inplace import bump_version

    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        if value._requires_grad or self._requires_grad:
            return apply_inplace(self, lambda s, v: v.to(s.dtype).expand(s.shape).clone(), "fill_", value)
        value = value.item()
    if self._requires_grad:
        return apply_inplace(self, lambda s: s.new_full(s.shape, value), "fill_")
    self._data.fill(value)
    bump_version(self)
    return self


def _zero_(self):
    return _fill_(self, 0)


_bind(fill_=_fill_, zero_=_zero_)

# in-place random draws: uniform_, normal_, bernoulli_, random_, exponential_, geometric_, log_normal_, cauchy_
from . import random as _random  # noqa: E402

_bind(**_random.INPLACE_METHODS)

# conversions and the legacy constructor (_convert.py): type(), __array__, int()/float()/index rules, .data, new_*
from ._convert import METHODS as _CONVERT_METHODS  # noqa: E402

_bind(**_CONVERT_METHODS)

# reductions, gathers/scatters and sorting from ops/reduce.py, ops/gather.py and ops/sort.py
from .ops import gather as _gather, sort as _sort  # noqa: E402

_bind(
    prod=reduce.prod, std=reduce.std, var=reduce.var, norm=reduce.norm, logsumexp=reduce.logsumexp,
    cumsum=reduce.cumsum, cumprod=reduce.cumprod, softmax=reduce.softmax, log_softmax=reduce.log_softmax,
    aminmax=reduce.aminmax, median=reduce.median, nanmedian=reduce.nanmedian,
    gather=_gather.gather, scatter=_gather.scatter, scatter_=_gather.scatter_, scatter_add=_gather.scatter_add,
    scatter_add_=_gather.scatter_add_, scatter_reduce=_gather.scatter_reduce,
    scatter_reduce_=_gather.scatter_reduce_, index_select=_gather.index_select, index_add=_gather.index_add,
    index_add_=_gather.index_add_, index_copy=_gather.index_copy, index_copy_=_gather.index_copy_,
    index_fill=_gather.index_fill, index_fill_=_gather.index_fill_, masked_fill=_gather.masked_fill,
    masked_fill_=_gather.masked_fill_, masked_select=_gather.masked_select, masked_scatter=_gather.masked_scatter,
    masked_scatter_=_gather.masked_scatter_, take=_gather.take, take_along_dim=_gather.take_along_dim,
    nonzero=_gather.nonzero, argwhere=_gather.argwhere,
    sort=_sort.sort, argsort=_sort.argsort, msort=_sort.msort, topk=_sort.topk, kthvalue=_sort.kthvalue,
    unique=_sort.unique, unique_consecutive=_sort.unique_consecutive,
)
