"""Shape and view ops: view/reshape, permute/transpose, expand, squeeze/unsqueeze, flatten, narrow/select,
split/chunk/unbind, cat/stack, repeat/tile, flip, roll, movedim, tril/triu, sum_to_size.

Views share memory with their base, as in torch: the output keeps a reference to the root tensor
(`_base`, which also holds the shared version counter) and a function replaying the view from the
root (`_view_fn`), used when an in-place op on the view must rewrite the base's graph.
"""

from __future__ import annotations

import math

import numpy as np

from .._device import cupy_module
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from ._util import as_shape, check_same_device, norm_dims, record, record1, wrap, wrap_dim

_ndarray = np.ndarray
_object_new = object.__new__


def _xp(d):
    return np if d.__class__ is _ndarray else cupy_module()


def make_view(x: Tensor, data, view_fn) -> Tensor:
    """Wrap `data` (a view of x's array) as a view tensor of x.

    Outside grad mode the replay function is not kept: as in torch, a view made under no_grad can't
    later be modified in place with grad recording (ops/inplace.py raises).
    """
    out = wrap(data)
    root = x._base
    if root is None:
        out._base = x
        if grad_state.enabled:
            out._view_fn = view_fn
    else:
        out._base = root
        if grad_state.enabled:
            parent = x._view_fn
            if parent is not None:
                out._view_fn = lambda r: view_fn(parent(r))
            elif x._no_grad_view:
                out._no_grad_view = True
            else:
                out._view_fn = view_fn
    if not grad_state.enabled:
        out._no_grad_view = True
    return out


def _maybe_view(x, data, view_fn):
    """A view when NumPy/CuPy gave one, else a fresh tensor (reshape of a non-contiguous tensor copies)."""
    if _xp(data).may_share_memory(data, x._data):
        return make_view(x, data, view_fn)
    return wrap(data)


# ---------------------------------------------------------------------------- view / reshape
def _infer_shape(shape, numel, x_shape):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if neg:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    if math.prod(shape) != numel or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input, *shape):
    """Same data in a new shape: a view when the layout allows, else a copy."""
    shape = _infer_shape(as_shape(shape), input._data.size, input._data.shape)
    d = input._data
    new = d.reshape(shape)
    out = _maybe_view(input, new, lambda t: t.reshape(shape))
    if grad_state.enabled and input._requires_grad:
        record1(out, ViewBackward0, input, data=d.shape)
    return out


def view(input, *shape):
    """A view with a new shape; an error (as torch) when the strides don't allow one. `view(dtype)` reinterprets."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)) \
            and not hasattr(shape[0], "__len__"):
        from .._dtype import to_dtype

        dt = to_dtype(shape[0])
        return make_view(input, input._data.view(dt.np), lambda t: t.view(dt))
    shape = _infer_shape(as_shape(shape), input._data.size, input._data.shape)
    d = input._data
    try:
        new = d.view()
        new.shape = shape  # raises instead of copying when the strides are incompatible
    except AttributeError:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one dimension spans across "
            f"two contiguous subspaces) for shape {list(d.shape)} -> {list(shape)}. Use .reshape(...) instead."
        ) from None
    out = make_view(input, new, lambda t: t.view(shape))
    if grad_state.enabled and input._requires_grad:
        record1(out, ViewBackward0, input, data=d.shape)
    return out


def ViewBackward0(ctx, g):
    return g.reshape(ctx.data)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = input._data.shape
    return reshape(input, shp[:s] + (-1 if math.prod(shp[s:e + 1]) else 0,) + shp[e + 1:]) if s != e else input


def unflatten(input, dim: int, sizes):
    shp = input._data.shape
    d = wrap_dim(dim, len(shp))
    sizes = tuple(sizes)
    if -1 not in sizes and math.prod(sizes) != shp[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({shp[d]}) in the input tensor")
    return view(input, shp[:d] + sizes + shp[d + 1:]) if input.is_contiguous() else reshape(
        input, shp[:d] + sizes + shp[d + 1:])


def ravel(input):
    return reshape(input, -1)


def contiguous(input, memory_format=None):
    d = input._data
    if d.flags.c_contiguous:
        return input
    out = wrap(_xp(d).ascontiguousarray(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, CloneBackward0, input)
    return out


def clone(input, *, memory_format=None):
    out = wrap(input._data.copy())
    if grad_state.enabled and input._requires_grad:
        record1(out, CloneBackward0, input)
    return out


def CloneBackward0(ctx, g):
    return g


# ---------------------------------------------------------------------------- permutations
def permute(input, *dims):
    nd = input._data.ndim
    dims = as_shape(dims)
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to "
                           f"len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    out = make_view(input, input._data.transpose(dims), lambda t: t.permute(dims))
    if grad_state.enabled and input._requires_grad:
        record1(out, PermuteBackward0, input, data=dims)
    return out


def PermuteBackward0(ctx, g):
    return g.permute(tuple(np.argsort(ctx.data).tolist()))


def transpose(input, dim0: int, dim1: int):
    d = input._data
    nd = d.ndim
    if nd == 0:
        return input
    if not grad_state.enabled and dim0 == -2 and dim1 == -1 and nd >= 2:  # inside backward (matmul's) mostly
        out = _object_new(Tensor)
        out._data = d.swapaxes(-2, -1)
        out._base = input if input._base is None else input._base
        out._no_grad_view = True
        return out
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    out = make_view(input, input._data.swapaxes(d0, d1), lambda t: t.transpose(d0, d1))
    if grad_state.enabled and input._requires_grad:
        record1(out, TransposeBackward0, input, data=(d0, d1))
    return out


swapaxes = swapdims = transpose


def TransposeBackward0(ctx, g):
    return g.transpose(*ctx.data)


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return transpose(input, 0, 1) if input._data.ndim == 2 else input


def T(input):
    nd = input._data.ndim
    return permute(input, tuple(range(nd - 1, -1, -1))) if nd > 1 else input


def mT(input):
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(s, nd) for s in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


# ---------------------------------------------------------------------------- expand / squeeze
def expand(input, *sizes):
    sizes = as_shape(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shp)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        cur = shp[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shp)}")
        target.append(s)
    target = tuple(target)
    if target == shp:
        return _alias(input)
    out = make_view(input, _xp(input._data).broadcast_to(input._data, target), lambda t: t.expand(target))
    if grad_state.enabled and input._requires_grad:
        record1(out, ExpandBackward0, input, data=shp)
    return out


def _alias(input):
    out = make_view(input, input._data.view(), lambda t: t.view_as(t))
    if grad_state.enabled and input._requires_grad:
        record1(out, AliasBackward0, input)
    return out


def AliasBackward0(ctx, g):
    return g


def ExpandBackward0(ctx, g):
    return g.sum_to_size(ctx.data)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from .._size import Size

    return Size(np.broadcast_shapes(*(tuple(s) if not isinstance(s, int) else (s,) for s in shapes)))


def sum_to_size(input, *size):
    """Sum broadcast dimensions away so the result has `size` (the reverse of expand)."""
    size = as_shape(size)
    shp = input._data.shape
    if shp == size:
        return input
    lead = len(shp) - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shp)}}}.")
    axes = list(range(lead))
    for i, s in enumerate(size):
        if s == 1 and shp[lead + i] != 1:
            axes.append(lead + i)
        elif s != shp[lead + i]:
            raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shp)}}}.")
    out = input.sum(tuple(axes), keepdim=True) if axes else input
    return reshape(out, size) if out._data.shape != size else out


def squeeze(input, dim=None):
    shp = input._data.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shp) if s == 1)
    else:
        axes = tuple(a for a in norm_dims(dim, len(shp)) if shp[a] == 1) if shp else ()
    if not axes:
        return _alias(input)
    new_shape = tuple(s for i, s in enumerate(shp) if i not in axes)
    out = make_view(input, input._data.reshape(new_shape), lambda t: t.squeeze(axes))
    if grad_state.enabled and input._requires_grad:
        record1(out, SqueezeBackward0, input, data=shp)
    return out


def SqueezeBackward0(ctx, g):
    return g.reshape(ctx.data)


def unsqueeze(input, dim: int):
    shp = input._data.shape
    d = wrap_dim(dim, len(shp) + 1)
    new_shape = shp[:d] + (1,) + shp[d:]
    out = make_view(input, input._data.reshape(new_shape), lambda t: t.unsqueeze(d))
    if grad_state.enabled and input._requires_grad:
        record1(out, UnsqueezeBackward0, input, data=shp)
    return out


def UnsqueezeBackward0(ctx, g):
    return g.reshape(ctx.data)


# ---------------------------------------------------------------------------- narrow / select / split
def narrow(input, dim: int, start, length: int):
    shp = input._data.shape
    d = wrap_dim(dim, len(shp))
    start = int(start)
    if start < 0:
        start += shp[d]
    if not (0 <= start and length >= 0 and start + length <= shp[d]):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({shp[d]}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return _basic_slice(input, idx, lambda t: t.narrow(d, start, length), "SliceBackward0")


def select(input, dim: int, index: int):
    shp = input._data.shape
    if not shp:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shp))
    index = int(index)
    if not -shp[d] <= index < shp[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shp)} at dimension {d}")
    idx = (slice(None),) * d + (index,)
    return _basic_slice(input, idx, lambda t: t.select(d, index), "SelectBackward0")


def _basic_slice(input, idx, view_fn, name):
    out = make_view(input, input._data[idx], view_fn)
    if grad_state.enabled and input._requires_grad:
        record1(out, _SLICE_BACKWARDS[name], input, data=(input._data.shape, idx))
    return out


def _slice_backward(ctx, g):
    shape, idx = ctx.data
    from .index import index_put

    return index_put(g.new_zeros(shape), idx, g)


def SliceBackward0(ctx, g):
    return _slice_backward(ctx, g)


def SelectBackward0(ctx, g):
    return _slice_backward(ctx, g)


_SLICE_BACKWARDS = {"SliceBackward0": SliceBackward0, "SelectBackward0": SelectBackward0}


def split(input, split_size_or_sections, dim: int = 0):
    shp = input._data.shape
    d = wrap_dim(dim, len(shp))
    n = shp[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sections = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sections}")
    out, start = [], 0
    for s in sections:
        out.append(narrow(input, d, start, s))
        start += s
    return tuple(out)


def split_with_sizes(input, split_sizes, dim: int = 0):
    return split(input, list(split_sizes), dim)


def chunk(input, chunks: int, dim: int = 0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n == 0:  # an empty dim splits into `chunks` empty pieces, as torch
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, -(-n // chunks), d)


def tensor_split(input, indices_or_sections, dim: int = 0):
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
        sizes = [max(b - a, 0) for a, b in zip(bounds[:-1], bounds[1:])]
    out, start = [], 0
    for s in sizes:
        out.append(narrow(input, dim, start, s))
        start += s
    return tuple(out)


def unbind(input, dim: int = 0):
    d = wrap_dim(dim, input._data.ndim)
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


# ---------------------------------------------------------------------------- joining
def cat(tensors, dim: int = 0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # torch skips 1-D empty tensors (legacy behaviour kept for old code)
    ts = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    nd = ts[0]._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, nd)
    for i, t in enumerate(ts[1:], 1):
        if t._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t._data.ndim}")
        for k in range(nd):
            if k != d and t._data.shape[k] != ts[0]._data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ts[0]._data.shape[k]} but "
                    f"got size {t._data.shape[k]} for tensor number {i} in the list.")
        if t._data.__class__ is not ts[0]._data.__class__ or t.device != ts[0].device:
            check_same_device(ts[0], t, "cat")
    arrays = _promoted([t._data for t in ts])
    res = wrap(_xp(arrays[0]).concatenate(arrays, axis=d))
    if grad_state.enabled and any(t._requires_grad for t in ts):
        record(res, CatBackward0, ts, data=(d, [t._data.shape[d] for t in ts]))
    if out is not None:
        out._data = res._data
        return out
    return res


concatenate = concat = cat


def _promoted(arrays):
    from .. import _dtype

    dts = {a.dtype for a in arrays}
    if len(dts) == 1:
        return arrays
    rt = _dtype.result_type_of([_dtype.from_numpy_dtype(a.dtype) for a in arrays], (), ()).np
    return [a.astype(rt) for a in arrays]


def CatBackward0(ctx, g):
    d, sizes = ctx.data
    return split(g, sizes, d)


def stack(tensors, dim: int = 0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shp = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shp:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 and "
                               f"{list(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shp) + 1)
    first = tensors[0]._data
    if out is not None or any(t._data.__class__ is not first.__class__ or t._data.dtype != first.dtype
                              for t in tensors):
        return cat([unsqueeze(t, d) for t in tensors], d, out=out)  # devices checked, dtypes promoted by cat
    if first.__class__ is not np.ndarray and len({t.device for t in tensors}) > 1:
        return cat([unsqueeze(t, d) for t in tensors], d)
    res = wrap(_xp(first).stack([t._data for t in tensors], axis=d))
    if grad_state.enabled and any(t._requires_grad for t in tensors):
        record(res, StackBackward0, tensors, data=d)
    return res


def StackBackward0(ctx, g):
    return unbind(g, ctx.data)


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    return cat([t.reshape(-1, 1) if t._data.ndim < 2 else t for t in tensors], 1)


def atleast_1d(t):
    return reshape(t, 1) if t._data.ndim == 0 else t


def atleast_2d(t):
    nd = t._data.ndim
    return reshape(t, 1, 1) if nd == 0 else unsqueeze(t, 0) if nd == 1 else t


def atleast_3d(t):
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, 1, 1, 1)
    if nd == 1:
        return reshape(t, 1, -1, 1)
    return unsqueeze(t, -1) if nd == 2 else t


# ---------------------------------------------------------------------------- repeat / tile / flip / roll
def repeat(input, *sizes):
    sizes = as_shape(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(sizes) - len(shp)) + shp
    x = reshape(input, padded) if padded != shp else input
    out = wrap(_xp(x._data).tile(x._data, sizes))
    if grad_state.enabled and input._requires_grad:
        record1(out, RepeatBackward0, x, data=(padded, sizes))
    return out


def RepeatBackward0(ctx, g):
    padded, sizes = ctx.data
    inter = []
    for r, s in zip(sizes, padded):
        inter += [r, s]
    return g.reshape(inter).sum(tuple(range(0, 2 * len(sizes), 2)))  # (r0, s0, r1, s1, ...) -> (s0, s1, ...)


def tile(input, dims):
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along `dim`) `repeats` times; `repeat_interleave(counts)` repeats indices."""
    from .._creation import tensor

    if repeats is None:  # repeat_interleave(repeats): index i appears repeats[i] times
        counts = input._data
        if counts.ndim > 1 or counts.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave: repeats must be a 0-dim or 1-dim integer tensor")
        return tensor(np.repeat(np.arange(counts.size), _host(counts).reshape(-1)), device=input.device)
    if dim is None:
        input, dim = reshape(input, -1), 0
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    reps = _host(repeats._data).reshape(-1).tolist() if isinstance(repeats, Tensor) else repeats
    if isinstance(reps, int) or len(reps) == 1:
        reps = [reps if isinstance(reps, int) else reps[0]] * n
    if len(reps) != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{len(reps)} and input.size({d}) = {n}")
    if any(r < 0 for r in reps):
        raise RuntimeError("repeats can not be negative")
    idx = tensor(np.repeat(np.arange(n), reps), device=input.device)
    if output_size is not None and idx.shape[0] != output_size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} doesn't match the repeats' sum "
                           f"{idx.shape[0]}")
    return input.index_select(d, idx)


def _host(a):
    return a if a.__class__ is _ndarray else a.get()


def flip(input, dims):
    axes = norm_dims(dims, input._data.ndim) if input._data.ndim else ()
    out = wrap(_xp(input._data).flip(input._data, axes).copy() if axes else input._data.copy())
    if grad_state.enabled and input._requires_grad:
        record1(out, FlipBackward0, input, data=axes)
    return out


def FlipBackward0(ctx, g):
    return flip(g, ctx.data) if ctx.data else g


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    d = input._data
    if dims is None:
        flat = reshape(input, -1)
        return reshape(roll(flat, shifts, 0), d.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = norm_dims(dims, d.ndim)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    out = wrap(_xp(d).roll(d, shifts, dims))
    if grad_state.enabled and input._requires_grad:
        record1(out, RollBackward0, input, data=(shifts, dims))
    return out


def RollBackward0(ctx, g):
    shifts, dims = ctx.data
    return roll(g, tuple(-s for s in shifts), dims)


def rot90(input, k: int = 1, dims=(0, 1)):
    k %= 4
    d0, d1 = dims
    if k == 0:
        return clone(input)
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    return flip(transpose(input, d0, d1), (d1,))


# ---------------------------------------------------------------------------- triangles, diagonals
def tril(input, diagonal: int = 0):
    d = input._data
    if d.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    mask = _tri_mask(d, diagonal, lower=True)
    out = wrap(_xp(d).where(mask, d, d.dtype.type(0)))  # not d * mask: inf * 0 is nan
    if grad_state.enabled and input._requires_grad:
        record1(out, TrilBackward0, input, data=diagonal)
    return out


def TrilBackward0(ctx, g):
    return tril(g, ctx.data)


def triu(input, diagonal: int = 0):
    d = input._data
    if d.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    mask = _tri_mask(d, diagonal, lower=False)
    out = wrap(_xp(d).where(mask, d, d.dtype.type(0)))  # not d * mask: inf * 0 is nan
    if grad_state.enabled and input._requires_grad:
        record1(out, TriuBackward0, input, data=diagonal)
    return out


def TriuBackward0(ctx, g):
    return triu(g, ctx.data)


def _tri_mask(d, k, lower):
    xp = _xp(d)
    n, m = d.shape[-2:]
    mask = xp.tri(n, m, k, dtype=bool) if lower else ~xp.tri(n, m, k - 1, dtype=bool)
    return mask


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    nd = input._data.ndim
    a, b = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    out = make_view(input, _writable(input._data.diagonal(offset, a, b)), lambda t: t.diagonal(offset, a, b))
    if grad_state.enabled and input._requires_grad:
        record1(out, DiagonalBackward0, input, data=(input._data.shape, offset, a, b))
    return out


def _writable(v):
    """NumPy hands out diagonals read-only; torch's are writable views (left read-only if the base is)."""
    if v.__class__ is _ndarray and not v.flags.writeable:
        try:
            v.flags.writeable = True
        except ValueError:
            pass
    return v


def DiagonalBackward0(ctx, g):
    shape, offset, a, b = ctx.data
    z = g.new_zeros(shape)
    return _diag_put(z, g, offset, a, b)


def _diag_put(z, g, offset, a, b):
    """z with its (offset, a, b) diagonal replaced by g, differentiably in g."""
    from .index import index_put

    rows = np.arange(max(0, -offset), max(0, -offset) + g._data.shape[-1])
    cols = rows + offset
    idx = [slice(None)] * z._data.ndim
    from .._creation import tensor

    idx[a] = tensor(rows, device=z.device)
    idx[b] = tensor(cols, device=z.device)
    # NumPy puts the indexed (diagonal) dim where the two index arrays were when they are adjacent, else first
    gg = g.movedim(-1, a) if b == a + 1 else g.movedim(-1, 0)
    return index_put(z, tuple(idx), gg)


def diag(input, diagonal: int = 0):
    d = input._data
    if d.ndim == 1:
        n = d.shape[0] + abs(diagonal)
        z = input.new_zeros((n, n))
        return _diag_put(z, input, diagonal, 0, 1)
    if d.ndim == 2:
        return clone(globals()["diagonal"](input, diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {d.ndim}D")


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Matrices (in dims dim1, dim2 of the result) whose `offset` diagonal holds input's last dim."""
    nd = input._data.ndim + 1
    a, b = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input._data.shape[-1] + abs(offset)
    z = input.new_zeros(input._data.shape[:-1] + (n, n))
    # built with the matrix in the last two dims, then moved to (dim1, dim2)
    out = _diag_put(z, input, offset, nd - 2, nd - 1)
    return out if (a, b) == (nd - 2, nd - 1) else movedim(out, (nd - 2, nd - 1), (a, b))


def trace(input):
    return diagonal(input).sum()
