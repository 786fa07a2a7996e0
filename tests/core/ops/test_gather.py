"""ops/gather.py: gather/scatter, index_*, masks, take, nonzero, one_hot against loop-based NumPy references;
gradients, in-place forms and errors."""

import numpy as np
import pytest

import ember as E
from ember.ops.gather import one_hot

from .harness import (OpCase, cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check,
                      gradgrad_params, inplace_check, params, uniform)


# ---------------------------------------------------------------------------- loop-based references
def ref_scatter(x, dim, index, src, reduce=None, include_self=True):
    """torch.scatter / scatter_reduce semantics, one index element at a time."""
    out = x.copy()
    index = np.asarray(index)
    src = np.broadcast_to(src, index.shape) if np.ndim(src) == 0 else np.asarray(src)
    groups = {}
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = index[pos]
        groups.setdefault(tuple(target), []).append(src[pos])
    for target, vals in groups.items():
        vals = ([out[target]] if include_self else []) + vals
        if reduce is None:
            out[target] = vals[-1]
        elif reduce == "sum":
            out[target] = np.sum(vals, dtype=x.dtype)
        elif reduce == "prod":
            out[target] = np.prod(vals, dtype=x.dtype)
        elif reduce == "mean":
            out[target] = np.sum(vals) // len(vals) if x.dtype.kind in "iu" else np.mean(vals, dtype=x.dtype)
        else:
            out[target] = max(vals) if reduce == "amax" else min(vals)
    return out


def ref_index_add(x, dim, index, src, alpha=1):
    out = np.moveaxis(x.copy(), dim, 0)
    s = np.moveaxis(src, dim, 0)
    for k, i in enumerate(index):
        out[i] += alpha * s[k]
    return np.moveaxis(out, 0, dim)


def ref_index_copy(x, dim, index, src):
    out = np.moveaxis(x.copy(), dim, 0)
    s = np.moveaxis(src, dim, 0)
    for k, i in enumerate(index):
        out[i] = s[k]
    return np.moveaxis(out, 0, dim)


def ref_masked_scatter(x, mask, src):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    out = np.broadcast_to(x, shape).copy()
    flat_src = src.reshape(-1)
    k = 0
    for pos in np.ndindex(*shape):
        if np.broadcast_to(mask, shape)[pos]:
            out[pos] = flat_src[k]
            k += 1
    return out


def with_zeros(rng, shape):
    a = rng.uniform(-2, 2, shape)
    a.reshape(-1)[::3] = 0.0
    return a


IDX_DUP = np.array([[0, 2, 2, 1], [1, 1, 0, 0]])  # along dim 0 of a (3, 4): repeated targets
IDX_UNIQUE = np.array([[0, 2, 1, 1], [1, 0, 0, 2]])  # along dim 0: distinct targets within each column
IDX_D1 = np.array([[3, 0], [1, 1], [2, 0]])  # along dim 1 of a (3, 4)
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
ROW_MASK = np.array([True, False, False, True])
VEC = np.array([3, 0, 3])


def T(a):
    return E.tensor(a)


TABLE = [
    # gather
    *cases("gather_dim0", lambda x: x.gather(0, T(IDX_DUP)), lambda x: np.take_along_axis(x, IDX_DUP, 0),
           (((3, 4),),)),
    *cases("gather_dim1", lambda x: E.gather(x, 1, T(IDX_D1)), lambda x: np.take_along_axis(x, IDX_D1, 1),
           (((3, 4),),)),
    *cases("gather_smaller_index", lambda x: x.gather(-1, T(IDX_D1[:2])),
           lambda x: np.take_along_axis(x[:2], IDX_D1[:2], 1), (((3, 4),),)),
    *cases("gather_0d", lambda x: x.gather(0, E.tensor(0)), lambda x: x.copy(), (((),),)),
    *cases("gather_int32_index", lambda x: x.gather(1, E.tensor(IDX_D1, dtype=E.int32)),
           lambda x: np.take_along_axis(x, IDX_D1, 1), (((3, 4),),), grad=False),
    # scatter (distinct targets: with repeats the winner is unspecified, as torch)
    *cases("scatter_src", lambda x, s: x.scatter(0, T(IDX_UNIQUE), s), lambda x, s: ref_scatter(x, 0, IDX_UNIQUE, s),
           (((3, 4), (2, 5)),)),
    *cases("scatter_value", lambda x: x.scatter(1, T(IDX_D1), 1.5), lambda x: ref_scatter(x, 1, IDX_D1, 1.5),
           (((3, 4),),)),
    *cases("scatter_value_kw", lambda x: E.scatter(x, 0, T(IDX_DUP), value=-2.0),
           lambda x: ref_scatter(x, 0, IDX_DUP, -2.0), (((3, 4),),)),
    *cases("scatter_add", lambda x, s: x.scatter_add(0, T(IDX_DUP), s), lambda x, s: ref_scatter(x, 0, IDX_DUP, s,
                                                                                               "sum"),
           (((3, 4), (2, 4)), ((3, 4), (3, 5)))),
    *cases("scatter_add_dim1", lambda x, s: E.scatter_add(x, 1, T(IDX_D1), s),
           lambda x, s: ref_scatter(x, 1, IDX_D1, s, "sum"), (((3, 4), (3, 2)),)),
    *[c for red in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False) for c in cases(
        f"scatter_reduce_{red}_self{inc}",
        lambda x, s, r=red, i=inc: x.scatter_reduce(0, T(IDX_DUP), s, r, include_self=i),
        lambda x, s, r=red, i=inc: ref_scatter(x, 0, IDX_DUP, s, r, i), (((3, 4), (2, 4)),),
        domain=(with_zeros, with_zeros) if red == "prod" else uniform())],
    # index_* along a dim
    *cases("index_select_dim0", lambda x: x.index_select(0, T(VEC % 3)), lambda x: np.take(x, VEC % 3, 0),
           (((3, 4),),)),
    *cases("index_select_dim1_repeats", lambda x: E.index_select(x, 1, T(VEC)), lambda x: np.take(x, VEC, 1),
           (((3, 4),),)),
    *cases("index_select_0d", lambda x: x.index_select(0, E.tensor([0])), lambda x: x.copy(), (((),),)),
    *cases("index_add", lambda x, s: x.index_add(1, T(VEC), s), lambda x, s: ref_index_add(x, 1, VEC, s),
           (((3, 4), (3, 3)),)),
    *cases("index_add_alpha", lambda x, s: E.index_add(x, 0, T(VEC[:2]), s, alpha=2.5),
           lambda x, s: ref_index_add(x, 0, VEC[:2], s, 2.5), (((4, 2), (2, 2)),)),
    *cases("index_copy", lambda x, s: x.index_copy(1, T(VEC[:2]), s), lambda x, s: ref_index_copy(x, 1, VEC[:2], s),
           (((3, 4), (3, 2)),)),
    *cases("index_fill", lambda x: x.index_fill(1, T(VEC), -1.0),
           lambda x: np.where(np.isin(np.arange(4), VEC), -1.0, x).astype(x.dtype), (((3, 4),),)),
    *cases("index_fill_negative", lambda x: x.index_fill(0, E.tensor([-1]), 2.0),
           lambda x: np.concatenate([x[:2], np.full((1, 4), 2.0, x.dtype)]), (((3, 4),),)),
    *cases("index_fill_tensor_value", lambda x, v: x.index_fill(1, T(VEC), v),
           lambda x, v: np.where(np.isin(np.arange(4), VEC), v, x).astype(x.dtype), (((3, 4), ()),)),
    # masks
    *cases("masked_fill", lambda x: x.masked_fill(T(MASK), 0.5), lambda x: np.where(MASK, 0.5, x).astype(x.dtype),
           (((3, 4),),)),
    *cases("masked_fill_broadcast_mask", lambda x: E.masked_fill(x, T(ROW_MASK), -3.0),
           lambda x: np.where(ROW_MASK, -3.0, x).astype(x.dtype), (((3, 4),),)),
    *cases("masked_fill_grows", lambda x: x.masked_fill(T(MASK[:, None, :].repeat(2, 1)), 1.0),
           lambda x: np.where(MASK[:, None, :].repeat(2, 1), 1.0, x).astype(x.dtype), (((2, 4),),)),
    *cases("masked_fill_tensor_value", lambda x, v: x.masked_fill(T(MASK), v),
           lambda x, v: np.where(MASK, v, x).astype(x.dtype), (((3, 4), ()),)),
    *cases("masked_select", lambda x: x.masked_select(T(MASK)), lambda x: x[MASK], (((3, 4),),)),
    *cases("masked_select_broadcast", lambda x: E.masked_select(x, T(ROW_MASK)),
           lambda x: np.broadcast_to(x, (3, 4))[np.broadcast_to(ROW_MASK, (3, 4))], (((3, 1),),)),
    *cases("masked_scatter", lambda x, s: x.masked_scatter(T(MASK), s),
           lambda x, s: ref_masked_scatter(x, MASK, s), (((3, 4), (9,)), ((3, 4), (2, 6)))),
    *cases("masked_scatter_broadcast", lambda x, s: x.masked_scatter(T(ROW_MASK), s),
           lambda x, s: ref_masked_scatter(x, ROW_MASK, s), (((3, 4), (6,)),)),
    # take / take_along_dim
    *cases("take", lambda x: x.take(T(np.array([[0, -1], [5, 5]]))), lambda x: x.reshape(-1)[[[0, -1], [5, 5]]],
           (((3, 4),),)),
    *cases("take_along_dim", lambda x: E.take_along_dim(x, T(IDX_D1), 1),
           lambda x: np.take_along_axis(x, IDX_D1, 1), (((3, 4),),)),
    *cases("take_along_dim_broadcast_input", lambda x: E.take_along_dim(x, T(IDX_D1), 1),
           lambda x: np.take_along_axis(np.broadcast_to(x, (3, 4)), IDX_D1, 1), (((1, 4),),)),
    *cases("take_along_dim_broadcast_indices", lambda x: E.take_along_dim(x, T(np.array([[[1, 0]], [[3, -1]]])), 2),
           lambda x: np.take_along_axis(np.broadcast_to(x, (2, 3, 4)), np.broadcast_to(
               np.array([[[1, 0]], [[3, 3]]]), (2, 3, 2)), 2), (((1, 3, 4),),)),
    *cases("take_along_dim_flat", lambda x: x.take_along_dim(T(np.array([0, 11, 3, -2]))),
           lambda x: x.reshape(-1)[[0, 11, 3, -2]], (((3, 4),),)),
]


@pytest.mark.parametrize("case, dtype", forward_params(TABLE))
def test_forward(case, dtype):
    forward_check(case, dtype)


@pytest.mark.parametrize("case", grad_params(TABLE))
def test_gradcheck(case):
    grad_check(case)


@pytest.mark.parametrize("case", gradgrad_params(TABLE))
def test_gradgradcheck(case):
    gradgrad_check(case)


# ---------------------------------------------------------------------------- in-place forms
def _inplace_case(name, out_of_place, inplace, shapes, **kw):
    return OpCase(name, out_of_place, None, shapes, inplace=inplace, **kw)


INPLACE = [
    _inplace_case("scatter_", lambda x, s: x.scatter(0, T(IDX_UNIQUE), s), lambda x, s: x.scatter_(0, T(IDX_UNIQUE), s),
                  ((3, 4), (2, 4))),
    _inplace_case("scatter_value_", lambda x: x.scatter(1, T(IDX_D1), 2.0), lambda x: x.scatter_(1, T(IDX_D1), 2.0),
                  ((3, 4),)),
    _inplace_case("scatter_add_", lambda x, s: x.scatter_add(0, T(IDX_DUP), s),
                  lambda x, s: x.scatter_add_(0, T(IDX_DUP), s), ((3, 4), (2, 4))),
    _inplace_case("scatter_reduce_", lambda x, s: x.scatter_reduce(0, T(IDX_DUP), s, "amax", include_self=False),
                  lambda x, s: x.scatter_reduce_(0, T(IDX_DUP), s, "amax", include_self=False), ((3, 4), (2, 4))),
    _inplace_case("index_add_", lambda x, s: x.index_add(1, T(VEC), s, alpha=-1),
                  lambda x, s: x.index_add_(1, T(VEC), s, alpha=-1), ((3, 4), (3, 3))),
    _inplace_case("index_copy_", lambda x, s: x.index_copy(0, T(VEC[1:]), s),
                  lambda x, s: x.index_copy_(0, T(VEC[1:]), s), ((4, 3), (2, 3))),
    _inplace_case("index_fill_", lambda x: x.index_fill(1, T(VEC), 0.25), lambda x: x.index_fill_(1, T(VEC), 0.25),
                  ((3, 4),)),
    _inplace_case("masked_fill_", lambda x: x.masked_fill(T(ROW_MASK), 7.0),
                  lambda x: x.masked_fill_(T(ROW_MASK), 7.0), ((3, 4),)),
    _inplace_case("masked_fill_tensor_", lambda x, v: x.masked_fill(T(MASK), v),
                  lambda x, v: x.masked_fill_(T(MASK), v), ((3, 4), ())),
    _inplace_case("masked_scatter_", lambda x, s: x.masked_scatter(T(MASK), s),
                  lambda x, s: x.masked_scatter_(T(MASK), s), ((3, 4), (8,))),
]


@pytest.mark.parametrize("case", params(INPLACE))
def test_inplace(case):
    inplace_check(case)


def test_inplace_on_a_view_writes_through_to_the_base():
    base = E.zeros(3, 4)
    base[1].masked_fill_(E.tensor([True, False, True, False]), 5.0)
    base[:, 0].index_fill_(0, E.tensor([2]), -1.0)
    base.t().scatter_add_(0, E.tensor([[3, 3, 3]]), E.ones(1, 3))
    np.testing.assert_array_equal(base.numpy(), [[0, 0, 0, 1], [5, 0, 5, 1], [-1, 0, 0, 1]])


def test_masked_fill_inplace_rejects_a_growing_mask():
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        E.zeros(2, 3).masked_fill_(E.ones(4, 2, 3, dtype=E.bool), 1.0)


def test_inplace_on_leaf_requiring_grad_raises():
    x = E.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.index_fill_(0, E.tensor([1]), 1.0)


# ---------------------------------------------------------------------------- dtypes and values
def test_integer_scatter_reduce():
    x = np.array([[5, 1, -2, 4], [0, 3, 3, 1], [2, -7, 6, 0]])
    s = np.array([[4, -5, 2, 2], [9, 3, -3, 1]])
    for red in ("sum", "prod", "mean", "amax", "amin"):
        for inc in (True, False):
            out = E.tensor(x).scatter_reduce(0, T(IDX_DUP), E.tensor(s), red, include_self=inc)
            assert out.dtype == E.int64
            np.testing.assert_array_equal(out.numpy(), ref_scatter(x, 0, IDX_DUP, s, red, inc), err_msg=red)


def test_legacy_scatter_reduce_argument():
    x = np.arange(12.0).reshape(3, 4)
    with pytest.warns(UserWarning, match="deprecated"):
        out = E.tensor(x).scatter(0, T(IDX_DUP), E.ones(2, 4, dtype=E.float64), reduce="add")
    np.testing.assert_array_equal(out.numpy(), ref_scatter(x, 0, IDX_DUP, np.ones((2, 4)), "sum"))
    out = E.tensor(x).scatter(0, T(IDX_DUP), 3.0, reduce="multiply")
    np.testing.assert_array_equal(out.numpy(), ref_scatter(x, 0, IDX_DUP, 3.0, "prod"))
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        E.tensor(x).scatter(0, T(IDX_DUP), 3.0, reduce="mean")
    # 'max'/'min' are accepted spellings of scatter_reduce's amax/amin, as torch
    assert E.tensor(x).scatter_reduce(0, T(IDX_DUP), E.tensor(-x[:2]), "max").tolist() == x.tolist()


def test_scatter_reduce_prod_gradient_with_zeros():
    # d/ds of self * s0 * s1 into one slot: exact with one zero, zero with two
    x = E.tensor([2.0, 5.0], dtype=E.float64, requires_grad=True)
    s = E.tensor([0.0, 3.0, 0.0], dtype=E.float64, requires_grad=True)
    idx = E.tensor([0, 0, 1])
    x.scatter_reduce(0, idx, s, "prod").sum().backward()
    np.testing.assert_allclose(s.grad.numpy(), [6.0, 0.0, 5.0])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0])


def test_masked_fill_value_casting():
    x = E.tensor([[1, 2], [3, 4]])
    assert x.masked_fill(E.tensor([True, False]), 2.7).tolist() == [[2, 2], [2, 4]]
    assert x.masked_fill(E.tensor(True), E.tensor(9)).dtype == E.int64
    f = E.zeros(2).masked_fill(E.tensor([False, True]), E.tensor(2, dtype=E.int64))
    assert f.dtype == E.float32 and f.tolist() == [0.0, 2.0]


def test_index_fill_tensor_value_gradient_counts_each_position_once():
    v = E.tensor(1.0, dtype=E.float64, requires_grad=True)
    E.zeros(2, 3, dtype=E.float64).index_fill(1, E.tensor([0, 0, 2]), v).sum().backward()
    assert v.grad.item() == 4.0


def test_nonzero_and_argwhere():
    a = np.array([[0.0, 1.5, 0.0], [np.nan, 0.0, -2.0]])
    x = E.tensor(a)
    np.testing.assert_array_equal(x.nonzero().numpy(), np.argwhere(a))
    assert x.nonzero().dtype == E.int64
    rows, cols = x.nonzero(as_tuple=True)
    np.testing.assert_array_equal(rows.numpy(), np.nonzero(a)[0])
    np.testing.assert_array_equal(cols.numpy(), np.nonzero(a)[1])
    np.testing.assert_array_equal(E.argwhere(x).numpy(), np.argwhere(a))
    assert E.tensor(5.0).nonzero().shape == (1, 0)
    assert [t.tolist() for t in E.tensor(5.0).nonzero(as_tuple=True)] == [[0]]
    assert [t.tolist() for t in E.tensor(0.0).nonzero(as_tuple=True)] == [[]]
    assert E.nonzero(E.zeros(0, 3)).shape == (0, 2)
    # where(cond) is nonzero(as_tuple=True)
    assert [t.tolist() for t in E.where(x > 0)] == [[0], [1]]


def test_one_hot():
    idx = np.array([[1, 3], [0, 2]])
    out = one_hot(E.tensor(idx))
    assert out.dtype == E.int64
    np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[idx])
    np.testing.assert_array_equal(one_hot(E.tensor([1, 0]), 5).numpy(), np.eye(5, dtype=np.int64)[[1, 0]])
    assert one_hot(E.tensor([], dtype=E.int64), 3).shape == (0, 3)
    assert one_hot(E.tensor(2), 3).tolist() == [0, 0, 1]


def test_repeat_interleave_through_index_select():
    x = E.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=E.float64, requires_grad=True)
    out = x.repeat_interleave(2, dim=0)
    assert out.tolist() == [[1, 2], [1, 2], [3, 4], [3, 4]]
    out.sum().backward()
    assert x.grad.tolist() == [[2, 2], [2, 2]]


# ---------------------------------------------------------------------------- errors
X = E.arange(12.0).reshape(3, 4)
I1 = E.tensor([[0], [1], [2]])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: X.gather(1, I1.float()), RuntimeError, r"gather\(\): Expected dtype int32/int64 for index"),
    (lambda: X.gather(1, E.tensor([[4], [0], [0]])), RuntimeError, "index 4 is out of bounds for dimension 1 with "
                                                                   "size 4"),
    (lambda: X.gather(1, E.tensor([[-1], [0], [0]])), RuntimeError, "index -1 is out of bounds"),
    (lambda: X.gather(1, E.tensor([0, 1])), RuntimeError, "same number of dimensions as input"),
    (lambda: X.gather(1, E.tensor([[0]] * 5)), RuntimeError, r"expected index \[5, 1\] to be no larger than self "
                                                             r"\[3, 4\] apart from dimension 1"),
    (lambda: X.gather(2, I1), IndexError, "Dimension out of range"),
    (lambda: X.gather(1, [[0]]), TypeError, "must be Tensor"),
    (lambda: X.scatter(1, I1.short(), 1.0), RuntimeError, r"scatter\(\): Expected dtype int32/int64 for index"),
    (lambda: X.scatter(1, I1, E.ones(3, 1, dtype=E.float64)), RuntimeError, "Expected self.dtype to be equal to "
                                                                            "src.dtype"),
    (lambda: X.scatter(1, E.tensor([[0, 1, 2]]), E.ones(1, 2)), RuntimeError, "to be no larger size than src"),
    (lambda: X.scatter(1, E.tensor([[9]]), 1.0), RuntimeError, "index 9 is out of bounds"),
    (lambda: X.scatter(1, I1), TypeError, "'src' or 'value'"),
    (lambda: X.scatter_add(1, E.tensor([0]), E.ones(1)), RuntimeError, "same number of dimensions as self"),
    (lambda: X.scatter_add(1, I1, E.ones(3)), RuntimeError, "same number of dimensions as src"),
    (lambda: X.scatter_reduce(1, I1, E.ones(3, 1), "mul"), RuntimeError, "sum, prod, mean, amax or amin, got mul"),
    (lambda: X.index_select(1, E.tensor([0.0])), RuntimeError, "Expected dtype int32 or int64 for index"),
    (lambda: X.index_select(1, E.tensor([[0]])), IndexError, "Index is supposed to be a vector"),
    (lambda: X.index_select(1, E.tensor([4])), RuntimeError, "index 4 is out of bounds for dimension 1"),
    (lambda: X.index_select(1, E.tensor([-1])), RuntimeError, "index -1 is out of bounds"),
    (lambda: E.tensor(5.0).index_select(0, E.tensor([0, 0])), RuntimeError, "Index to scalar can have only 1 value"),
    (lambda: X.index_add(1, E.tensor([0]), E.ones(3, 2)), RuntimeError, r"Number of indices \(1\) should be equal to "
                                                                        r"source.size\(dim\): \(2\)"),
    (lambda: X.index_add(1, E.tensor([0]), E.ones(2, 1)), RuntimeError, "source tensor shape must match self tensor "
                                                                        "shape"),
    (lambda: X.index_add(1, E.tensor([0]), E.ones(3, 1, dtype=E.float64)), RuntimeError, r"self \(Float\) and source "
                                                                                         r"\(Double\)"),
    (lambda: X.index_add(1, E.tensor([5]), E.ones(3, 1)), RuntimeError, "index 5 is out of bounds"),
    (lambda: X.index_add(1, E.tensor([0.0]), E.ones(3, 1)), RuntimeError, "Expected dtype int32/int64 for index"),
    (lambda: X.index_copy(1, E.tensor([0], dtype=E.int32), E.ones(3, 1)), RuntimeError, "Expected a long tensor"),
    (lambda: X.index_copy(1, E.tensor([7]), E.ones(3, 1)), IndexError, "index 7 is out of bounds"),
    (lambda: X.index_copy(1, E.tensor([0]), E.ones(3, 1, dtype=E.float64)), RuntimeError, "same dtype"),
    (lambda: X.index_fill(1, E.tensor([0.0]), 1.0), IndexError, "Expected dtype int64 for index"),
    (lambda: X.index_fill(1, E.tensor([4]), 1.0), IndexError, "index 4 is out of bounds"),
    (lambda: X.index_fill(1, E.tensor([0]), E.ones(2)), RuntimeError, "only supports a 0-dimensional value tensor"),
    (lambda: X.masked_fill(E.tensor([1, 0, 1, 0]), 1.0), RuntimeError, "only supports boolean masks"),
    (lambda: X.masked_fill(E.tensor([True, False, True, False]), E.ones(1)), RuntimeError, "0-dimensional value"),
    (lambda: X.masked_fill(E.tensor([True, False]), 1.0), ValueError, "broadcast"),
    (lambda: X.masked_fill(E.tensor([True, False, True, False]), "a"), TypeError, "must be Number or Tensor"),
    (lambda: X.masked_select(E.tensor([1, 0, 1, 0])), RuntimeError, "expected BoolTensor for mask"),
    (lambda: X.masked_scatter(E.tensor([1, 0, 1, 0]), E.ones(6)), RuntimeError, "only supports boolean masks"),
    (lambda: X.masked_scatter(E.tensor([True, False, True, False]), E.ones(5)), RuntimeError,
     "Number of elements of source < number of ones in mask"),
    (lambda: X.masked_scatter(E.tensor([True, False, True, False]), E.ones(6, dtype=E.float64)), RuntimeError,
     "same dtypes but got Float and Double"),
    (lambda: X.take(E.tensor([12])), IndexError, "tried to access index 12 on a tensor of 12 elements"),
    (lambda: X.take(E.tensor([-13])), IndexError, "tried to access index -13"),
    (lambda: X.take(E.tensor([1.0])), RuntimeError, "Expected a long tensor for index, but got Float"),
    (lambda: E.take_along_dim(X, E.tensor([[1]], dtype=E.int32), 1), RuntimeError, "dtype of indices should be Long"),
    (lambda: E.take_along_dim(X, E.tensor([1]), 1), RuntimeError, "same number of dimensions"),
    (lambda: E.take_along_dim(X, E.tensor([[4]]), 1), RuntimeError, "index 4 is out of bounds"),
    (lambda: one_hot(E.tensor([1.0])), RuntimeError, "only applicable to index tensor of type LongTensor"),
    (lambda: one_hot(E.tensor([1, -1])), RuntimeError, "Class values must be non-negative"),
    (lambda: one_hot(E.tensor([1, 3]), 3), RuntimeError, "Class values must be smaller than num_classes"),
    (lambda: one_hot(E.tensor([], dtype=E.int64)), RuntimeError, "Can not infer total number of classes"),
])
def test_bad_inputs_raise(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_case_ids_are_unique():
    ids = [c.id for c in TABLE] + [c.id for c in INPLACE]
    assert len(ids) == len(set(ids))


@pytest.mark.cuda
def test_gathers_and_scatters_on_cuda_match_cpu():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    s = rng.standard_normal((2, 4))
    s[0, 1] = 0.0
    ops = [
        lambda x, src, dev: x.gather(0, E.tensor(IDX_DUP, device=dev)),
        lambda x, src, dev: x.scatter(0, E.tensor(IDX_UNIQUE, device=dev), src),
        lambda x, src, dev: x.scatter_add(0, E.tensor(IDX_DUP, device=dev), src),
        *[lambda x, src, dev, r=r: x.scatter_reduce(0, E.tensor(IDX_DUP, device=dev), src, r, include_self=False)
          for r in ("sum", "prod", "mean", "amax", "amin")],
        lambda x, src, dev: x.index_select(1, E.tensor(VEC, device=dev)),
        lambda x, src, dev: x.index_add(0, E.tensor([2, 2], device=dev), src),
        lambda x, src, dev: x.index_copy(0, E.tensor([2, 0], device=dev), src),
        lambda x, src, dev: x.index_fill(1, E.tensor(VEC, device=dev), 1.5),
        lambda x, src, dev: x.masked_fill(E.tensor(MASK, device=dev), 2.0),
        lambda x, src, dev: x.masked_select(E.tensor(MASK, device=dev)),
        lambda x, src, dev: x.masked_scatter(E.tensor(MASK, device=dev), src),
        lambda x, src, dev: x.take(E.tensor([[0, -1]], device=dev)),
        lambda x, src, dev: E.take_along_dim(x, E.tensor(IDX_D1, device=dev), 1),
        lambda x, src, dev: x.nonzero(),
    ]
    for op in ops:
        want = op(E.tensor(a), E.tensor(s), "cpu")
        got = op(E.tensor(a, device="cuda"), E.tensor(s, device="cuda"), "cuda")
        np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
    x = E.tensor(a, device="cuda", requires_grad=True)
    src = E.tensor(s, device="cuda", requires_grad=True)
    x.scatter_reduce(0, E.tensor(IDX_DUP, device="cuda"), src, "prod").sum().backward()
    x2 = E.tensor(a, requires_grad=True)
    src2 = E.tensor(s, requires_grad=True)
    x2.scatter_reduce(0, E.tensor(IDX_DUP), src2, "prod").sum().backward()
    np.testing.assert_allclose(src.grad.cpu().numpy(), src2.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.cpu().numpy(), x2.grad.numpy(), rtol=1e-12)
    assert one_hot(E.tensor([1, 2], device="cuda")).cpu().tolist() == [[0, 1, 0], [0, 0, 1]]

