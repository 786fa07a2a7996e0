"""ops/sort.py: sort/argsort/msort, topk, kthvalue, unique, searchsorted/bucketize against NumPy; gradients
through the selected values, NaN ordering, stability and errors."""

import itertools
import math

import numpy as np
import pytest

import ember as E

from .harness import cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check, gradgrad_params


def _np_topk(x, k, axis, largest=True):
    s = np.sort(x, axis=axis)
    s = np.flip(s, axis) if largest else s
    return np.take(s, range(k), axis=axis)


def _np_kth(x, k, axis, keepdims=False):
    v = np.take(np.sort(x, axis=axis), k - 1, axis=axis)
    return np.expand_dims(v, axis) if keepdims else v


S = (((3, 5),),)
S3 = (((2, 3, 4),),)

TABLE = [
    *[c for dim in (0, 1, -1) for desc in (False, True) for c in cases(
        f"sort_dim{dim}_desc{desc}", lambda x, d=dim, de=desc: x.sort(d, de).values,
        lambda x, d=dim, de=desc: np.flip(np.sort(x, d), d) if de else np.sort(x, d), S3)],
    *cases("sort_stable_kw", lambda x: E.sort(x, stable=True, descending=True).values,
           lambda x: -np.sort(-x, -1), S),
    *cases("sort_0d", lambda x: x.sort().values, lambda x: x.copy(), (((),),)),
    *cases("msort", E.msort, lambda x: np.sort(x, 0), S),
    *[c for k, dim, largest in ((2, -1, True), (1, 0, True), (3, 1, False), (5, -1, False), (0, 1, True))
      for c in cases(f"topk_k{k}_dim{dim}_largest{largest}",
                     lambda x, k=k, d=dim, lg=largest: x.topk(k, d, largest=lg).values,
                     lambda x, k=k, d=dim, lg=largest: _np_topk(x, k, d, lg), S)],
    *cases("topk_partition_path", lambda x: E.topk(x, 3, 1).values, lambda x: _np_topk(x, 3, 1), (((2, 16),),)),
    *cases("topk_partition_path_smallest", lambda x: x.topk(2, largest=False).values,
           lambda x: _np_topk(x, 2, -1, False), (((2, 16),),)),
    *[c for k, dim, keep in ((1, -1, False), (3, 1, True), (2, 0, False), (5, 1, False))
      for c in cases(f"kthvalue_k{k}_dim{dim}_keep{keep}", lambda x, k=k, d=dim, kp=keep: x.kthvalue(k, d, kp).values,
                     lambda x, k=k, d=dim, kp=keep: _np_kth(x, k, d, kp), S)],
]


@pytest.mark.parametrize("case, dtype", forward_params(TABLE))
def test_forward(case, dtype):
    forward_check(case, dtype)


@pytest.mark.parametrize("case", grad_params(TABLE))
def test_gradcheck(case):
    grad_check(case)


@pytest.mark.parametrize("case", gradgrad_params([c for c in TABLE if "dim0" not in c.name and "_k0_" not in c.name]))
def test_gradgradcheck(case):
    gradgrad_check(case)


# ---------------------------------------------------------------------------- indices, stability, NaN
def _check_indices_pick_values(x_np, values, indices, dim):
    np.testing.assert_array_equal(np.take_along_axis(x_np, indices.numpy(), dim), values.numpy())


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_is_stable_both_ways(dim):
    a = np.random.default_rng(0).integers(-2, 3, (4, 6, 5))  # many ties
    x = E.tensor(a)
    v, i = x.sort(dim)
    np.testing.assert_array_equal(i.numpy(), np.argsort(a, dim, kind="stable"))
    np.testing.assert_array_equal(v.numpy(), np.sort(a, dim))
    v, i = E.sort(x, dim, descending=True, stable=True)
    np.testing.assert_array_equal(i.numpy(), np.argsort(-a, dim, kind="stable"))  # ties in input order
    np.testing.assert_array_equal(E.argsort(x, dim, descending=True).numpy(), i.numpy())
    np.testing.assert_array_equal(x.argsort(dim).numpy(), np.argsort(a, dim, kind="stable"))
    assert i.dtype == E.int64


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = E.tensor([np.nan, 1.0, -np.inf, 0.0, np.nan])
    v, i = x.sort()
    assert i.tolist() == [2, 3, 1, 0, 4] and np.isnan(v.numpy()[3:]).all()
    v, i = x.sort(descending=True)
    assert i.tolist() == [0, 4, 1, 3, 2]
    v, i = x.topk(2)
    assert np.isnan(v.numpy()).all() and sorted(i.tolist()) == [0, 4]
    assert x.topk(2, largest=False).indices.tolist() == [2, 3]
    assert math.isnan(x.kthvalue(5).values.item())


def test_sort_of_bools_and_ints():
    v, i = E.tensor([True, False, True]).sort()
    assert v.tolist() == [False, True, True] and i.tolist() == [1, 0, 2]
    v, i = E.tensor([3, 1, 2], dtype=E.int32).sort(descending=True)
    assert v.dtype == E.int32 and v.tolist() == [3, 2, 1]


@pytest.mark.parametrize("shape, k, dim, largest", [((3, 5), 2, 1, True), ((3, 5), 3, 0, False),
                                                    ((2, 40), 3, 1, True), ((2, 40), 4, -1, False)])
def test_topk_indices_pick_the_values(shape, k, dim, largest):
    a = np.random.default_rng(1).integers(-5, 5, shape).astype(np.float64)
    r = E.tensor(a).topk(k, dim, largest)
    np.testing.assert_array_equal(r.values.numpy(), _np_topk(a, k, dim, largest))
    _check_indices_pick_values(a, r.values, r.indices, dim)
    flat = np.moveaxis(r.indices.numpy(), dim, -1).reshape(-1, k)
    assert all(len(set(row)) == k for row in flat)  # distinct positions even among ties


def test_kthvalue_and_its_index():
    a = np.array([[2.0, 2.0, 1.0], [5.0, 4.0, 6.0]])
    r = E.tensor(a).kthvalue(2, 1)
    assert r.values.tolist() == [2.0, 5.0]
    _check_indices_pick_values(a, r.values[:, None], r.indices[:, None], 1)
    r = E.tensor(3.0).kthvalue(1)
    assert (r.values.item(), r.indices.item()) == (3.0, 0)


def test_gradient_goes_to_the_selected_positions():
    x = E.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], dtype=E.float64, requires_grad=True)
    (x.topk(2, 1).values * E.tensor([10.0, 1.0], dtype=E.float64)).sum().backward()
    assert x.grad.tolist() == [[10.0, 0.0, 1.0], [0.0, 10.0, 1.0]]
    x.grad = None
    x.kthvalue(1, 0).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
    x.grad = None
    (x.sort(1, descending=True).values[:, 0]).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert x.sort().values.grad_fn.name() == "SortBackward0"


# ---------------------------------------------------------------------------- unique
def _np_unique_consecutive(a):
    groups = [(k, len(list(g))) for k, g in itertools.groupby(a.tolist())]
    values = np.array([k for k, _ in groups], dtype=a.dtype)
    counts = np.array([n for _, n in groups])
    inverse = np.repeat(np.arange(len(groups)), counts)
    return values, inverse, counts


def test_unique_matches_numpy():
    a = np.array([[3, 1, 2], [1, 3, 3], [0, 2, 2]])
    x = E.tensor(a)
    out = E.unique(x)
    np.testing.assert_array_equal(out.numpy(), np.unique(a))
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), np.unique(a))
    np.testing.assert_array_equal(values.numpy()[inverse.numpy()], a)  # inverse keeps the input's shape
    np.testing.assert_array_equal(counts.numpy(), np.unique(a, return_counts=True)[1])
    assert inverse.dtype == E.int64 and counts.dtype == E.int64
    values, counts = E.unique(x, sorted=False, return_counts=True)
    assert values.tolist() == [0, 1, 2, 3] and counts.tolist() == [1, 2, 3, 3]


@pytest.mark.parametrize("dim", [0, 1])
def test_unique_along_a_dim(dim):
    a = np.array([[3, 1, 3], [2, 1, 2], [3, 1, 3], [2, 0, 2]])
    values, inverse, counts = E.unique(E.tensor(a), dim=dim, return_inverse=True, return_counts=True)
    ref_v, ref_i, ref_c = np.unique(a, axis=dim, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), ref_v)
    np.testing.assert_array_equal(inverse.numpy(), ref_i.reshape(-1))
    np.testing.assert_array_equal(counts.numpy(), ref_c)


def test_unique_keeps_every_nan_and_handles_0d_and_empty():
    out = E.unique(E.tensor([1.0, np.nan, np.nan, 1.0]))
    assert out.shape == (3,) and out[0].item() == 1.0 and np.isnan(out.numpy()[1:]).all()
    values, inverse = E.unique(E.tensor(3.0), return_inverse=True)
    assert values.tolist() == [3.0] and inverse.shape == ()
    values, counts = E.unique(E.tensor([]), return_counts=True)
    assert values.shape == (0,) and counts.shape == (0,)


def test_unique_consecutive():
    a = np.array([1, 1, 2, 2, 1, 3, 3, 3])
    values, inverse, counts = E.unique_consecutive(E.tensor(a), return_inverse=True, return_counts=True)
    ref = _np_unique_consecutive(a)
    for got, want in zip((values, inverse, counts), ref):
        np.testing.assert_array_equal(got.numpy(), want)
    rows = np.array([[1, 2], [1, 2], [0, 2], [1, 2]])
    values, counts = E.unique_consecutive(E.tensor(rows), dim=0, return_counts=True)
    assert values.tolist() == [[1, 2], [0, 2], [1, 2]] and counts.tolist() == [2, 1, 1]
    values, inverse = E.unique_consecutive(E.tensor(rows.T), dim=1, return_inverse=True)
    assert values.tolist() == [[1, 0, 1], [2, 2, 2]] and inverse.tolist() == [0, 0, 1, 2]
    assert E.unique_consecutive(E.tensor([])).shape == (0,)


# ---------------------------------------------------------------------------- searchsorted / bucketize
B = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
V = np.array([[0.0, 3.0, 4.0], [7.0, 9.0, 1.0]])


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_1d_matches_numpy(right):
    side = "right" if right else "left"
    out = E.searchsorted(E.tensor(B), E.tensor(V), right=right)
    assert out.dtype == E.int64
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(B, V, side=side))
    np.testing.assert_array_equal(E.searchsorted(E.tensor(B), E.tensor(V), side=side).numpy(), out.numpy())
    np.testing.assert_array_equal(E.bucketize(E.tensor(V), E.tensor(B), right=right).numpy(), out.numpy())


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_batched_rows_match_numpy_row_by_row(side):
    rng = np.random.default_rng(2)
    b = np.sort(rng.integers(0, 6, (2, 3, 7)).astype(np.float64), -1)  # repeated boundaries
    v = rng.integers(-1, 8, (2, 3, 4)).astype(np.float64)
    v[0, 0, 0] = np.nan
    out = E.searchsorted(E.tensor(b), E.tensor(v), side=side)
    want = np.stack([np.searchsorted(br, vr, side=side) for br, vr in zip(b.reshape(6, 7), v.reshape(6, 4))])
    np.testing.assert_array_equal(out.numpy(), want.reshape(2, 3, 4))


def test_searchsorted_options():
    b = E.tensor(B)
    out = E.searchsorted(b, 4)
    assert out.shape == () and out.item() == 3
    assert E.searchsorted(b, E.tensor([4.0]), out_int32=True).dtype == E.int32
    assert E.bucketize(4.5, b, out_int32=True).dtype == E.int32
    out = E.searchsorted(E.tensor([5.0, 1.0, 3.0]), E.tensor([2.0, 4.0, 6.0]), sorter=E.tensor([1, 2, 0]))
    assert out.tolist() == [1, 2, 3]
    assert E.searchsorted(E.tensor([1, 3, 5]), E.tensor([3.5, 0.5])).tolist() == [2, 0]  # mixed dtypes
    assert E.searchsorted(b, E.tensor([np.nan])).tolist() == [5]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: E.searchsorted(E.tensor(B), E.tensor([1.0]), side="middle"), RuntimeError,
     "side can only be 'left' or 'right'"),
    (lambda: E.searchsorted(E.tensor(B), E.tensor([1.0]), side="left", right=True), RuntimeError,
     "side and right can't be set to opposites"),
    (lambda: E.searchsorted(E.ones(2, 3), E.ones(3, 1)), RuntimeError, r"boundaries tensor \[2, 3\] and input value "
                                                                      r"tensor \[3, 1\]"),
    (lambda: E.searchsorted(E.ones(2, 3), E.ones(2)), RuntimeError, "first N-1 dimensions"),
    (lambda: E.bucketize(E.ones(2), E.ones(2, 2)), RuntimeError, r"boundaries tensor must be 1 dimension, but got "
                                                                 r"dim\(2\)"),
    (lambda: E.ones(2, 3).topk(4), RuntimeError, "selected index k out of range"),
    (lambda: E.ones(2, 3).topk(-1), RuntimeError, "selected index k out of range"),
    (lambda: E.tensor([True, False]).topk(1), RuntimeError, "topk does not support bool"),
    (lambda: E.ones(2, 3).kthvalue(4), RuntimeError, "kthvalue\\(\\): selected number k out of range for dimension 1"),
    (lambda: E.ones(2, 3).kthvalue(0, 0), RuntimeError, "out of range for dimension 0"),
    (lambda: E.zeros(0, 3).kthvalue(1, 0), IndexError, "Expected reduction dim 0 to have non-zero size"),
    (lambda: E.ones(2, 3).sort(2), IndexError, "Dimension out of range"),
    (lambda: E.tensor(1.0).argsort(1), IndexError, "Dimension out of range"),
    (lambda: E.ones(2, 3).unique(dim=2), IndexError, "Dimension out of range"),
])
def test_bad_inputs_raise(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_empty_inputs():
    z = E.zeros(0, 3)
    assert z.sort(0).values.shape == (0, 3)
    assert z.topk(0, 0).values.shape == (0, 3) and z.topk(1, 1).indices.shape == (0, 1)
    assert z.kthvalue(1, 1).values.shape == (0,)
    assert E.searchsorted(E.tensor(B), E.zeros(0)).shape == (0,)


def test_case_ids_are_unique():
    ids = [c.id for c in TABLE]
    assert len(ids) == len(set(ids))


@pytest.mark.cuda
def test_sorting_on_cuda_matches_cpu():
    rng = np.random.default_rng(3)
    a = rng.integers(-3, 3, (3, 40)).astype(np.float64)
    a[0, 5] = np.nan
    cpu, gpu = E.tensor(a), E.tensor(a, device="cuda")
    for fn in (lambda t: t.sort(1).indices, lambda t: t.sort(1, descending=True).indices, lambda t: t.argsort(0),
               lambda t: t.topk(3, 1).values, lambda t: t.kthvalue(4, 1).indices, lambda t: E.unique(t[1:]),
               lambda t: E.searchsorted(t[1:].sort(1).values, t[1:, :5]),
               lambda t: E.bucketize(t[1], E.tensor([-1.0, 0.0, 1.0], device=t.device))):
        np.testing.assert_array_equal(fn(gpu).cpu().numpy(), fn(cpu).numpy())
