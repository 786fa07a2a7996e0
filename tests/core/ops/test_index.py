"""ops/index.py: __getitem__/__setitem__/index_put against NumPy indexing; views, gradients (repeated advanced
indices accumulate), setitem with values that need grad, setitem through views, and errors."""

import numpy as np
import pytest

import ember as E

from .harness import cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check, gradgrad_params


SHAPE = (3, 4, 5)
MASK_0 = np.array([True, False, True])
MASK_01 = np.array([[True, False, False, True], [False, False, True, False], [True, True, False, False]])
MASK_ALL = np.arange(60).reshape(SHAPE) % 7 == 0

# name -> (ember index, NumPy index); tensors are built inside the ember index so each case owns its own
INDICES = {
    "int": (1, 1),
    "negative_int": (-1, -1),
    "ints": ((1, 2), (1, 2)),
    "negative_ints": ((-1, -2, -3), (-1, -2, -3)),
    "slice_step": (slice(None, None, 2), slice(None, None, 2)),
    "slices": ((slice(1, None), slice(None, None, 3), slice(-4, -1, 2)), (slice(1, None), slice(None, None, 3),
                                                                          slice(-4, -1, 2))),
    "empty_slice": (slice(2, 1), slice(2, 1)),
    "none": (None, None),
    "none_int_none": ((None, 1, None), (None, 1, None)),
    "ellipsis": (Ellipsis, Ellipsis),
    "ellipsis_int": ((Ellipsis, 1), (Ellipsis, 1)),
    "int_ellipsis_none": ((1, Ellipsis, None), (1, Ellipsis, None)),
    "slice_none_int": ((slice(None), None, 2), (slice(None), None, 2)),
    "list": ([0, 2, 2], [0, 2, 2]),
    "lists_broadcast": (([0, 2], [1, 3]), ([0, 2], [1, 3])),
    "tensors_around_slice": (lambda: (E.tensor([0, 2, 0]), slice(None), E.tensor([4, 0, 4])),
                             ([0, 2, 0], slice(None), [4, 0, 4])),
    "slice_then_list": ((slice(None), [1, 1, 3]), (slice(None), [1, 1, 3])),
    "int_then_list": ((0, [1, 1, 3]), (0, [1, 1, 3])),
    "tensor_2d": (lambda: E.tensor([[0, 1], [2, 2]]), np.array([[0, 1], [2, 2]])),
    "negative_tensor": (lambda: E.tensor([-1, -3]), np.array([-1, -3])),
    "int32_tensor": (lambda: (E.tensor([0, 2], dtype=E.int32), 1), (np.array([0, 2]), 1)),
    "zero_dim_tensor": (lambda: (E.tensor(1), 2), (1, 2)),
    "mask_dim0": (lambda: E.tensor(MASK_0), MASK_0),
    "mask_list": ([True, False, True], MASK_0),
    "mask_2d": (lambda: E.tensor(MASK_01), MASK_01),
    "mask_full": (lambda: E.tensor(MASK_ALL), MASK_ALL),
    "mask_then_slice": (lambda: (E.tensor(MASK_01), slice(1, 3)), (MASK_01, slice(1, 3))),
    "int_then_mask": (lambda: (1, E.tensor([True, False, True, True])), (1, np.array([True, False, True, True]))),
    "byte_mask": (lambda: E.tensor(MASK_0.astype(np.uint8)), MASK_0),
    "ellipsis_list": ((Ellipsis, [0, 0]), (Ellipsis, [0, 0])),
    "list_slice_list": (([0, 1], slice(None), [2, 3]), ([0, 1], slice(None), [2, 3])),
    "column_and_row_lists": (([[0], [1]], [2, 3]), ([[0], [1]], [2, 3])),
    "true": (True, True),
    "false": (False, False),
    "none_ellipsis_none": ((None, Ellipsis, None), (None, Ellipsis, None)),
}


def _ember_index(spec):
    return spec() if callable(spec) else spec


def _getitem_case(name, spec, np_index):
    return cases(f"getitem_{name}", lambda x: x[_ember_index(spec)], lambda x: x[np_index], ((SHAPE,),))


TABLE = [c for name, (spec, np_index) in INDICES.items() for c in _getitem_case(name, spec, np_index)]


@pytest.mark.parametrize("case, dtype", forward_params(TABLE))
def test_getitem_forward(case, dtype):
    forward_check(case, dtype)


@pytest.mark.parametrize("case", grad_params(TABLE))
def test_getitem_gradcheck(case):
    grad_check(case)


_GRADGRAD = ("getitem_int", "getitem_slices", "getitem_none_int_none", "getitem_list", "getitem_tensors_around",
             "getitem_mask_2d", "getitem_column_and_row")


@pytest.mark.parametrize("case", gradgrad_params([c for c in TABLE if c.name.startswith(_GRADGRAD)]))
def test_getitem_gradgradcheck(case):
    gradgrad_check(case)


def test_getitem_of_0d_tensor():
    x = E.tensor(5.0)
    assert x[()].item() == 5.0 and x[...].shape == () and x[None].shape == (1,)
    assert x[None, ..., None].shape == (1, 1)
    with pytest.raises(IndexError):
        x[0]


# ---------------------------------------------------------------------------- views and copies
def test_basic_indexing_gives_views_and_advanced_gives_copies():
    x = E.zeros(3, 4)
    row, cols, picked = x[1], x[:, 1::2], x[[0, 2]]
    x.fill_(7.0)
    assert row.tolist() == [7.0] * 4 and cols.tolist() == [[7.0, 7.0]] * 3
    assert picked.tolist() == [[0.0] * 4] * 2
    assert row._base is x and cols._base is x and picked._base is None
    v = x[1:][0]  # a view of a view shares the root's memory
    v[2] = -1.0
    assert x[1, 2].item() == -1.0


def test_getitem_gradient_accumulates_repeated_indices():
    x = E.zeros(4, dtype=E.float64, requires_grad=True)
    x[[0, 2, 2, 2, 3]].sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0, 1.0]
    x = E.zeros(2, 3, dtype=E.float64, requires_grad=True)
    (x[E.tensor([1, 1]), E.tensor([2, 2])] * E.tensor([2.0, 5.0], dtype=E.float64)).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 7.0]]
    assert x[[0, 0]].grad_fn.name() == "IndexBackward0"


# ---------------------------------------------------------------------------- setitem
@pytest.mark.parametrize("name", [n for n in INDICES if n not in ("true", "false")])
def test_setitem_matches_numpy(name):
    spec, np_index = INDICES[name]
    a = np.arange(60.0).reshape(SHAPE)
    x = E.tensor(a)
    x[_ember_index(spec)] = -1.5  # a scalar
    want = a.copy()
    want[np_index] = -1.5
    np.testing.assert_array_equal(x.numpy(), want)
    # a tensor value shaped like the indexing result
    target_shape = a[np_index].shape
    value = np.arange(float(np.prod(target_shape))).reshape(target_shape) + 100
    x = E.tensor(a)
    version = x._version
    x[_ember_index(spec)] = E.tensor(value)
    assert x._version > version
    want = a.copy()
    want[np_index] = value
    np.testing.assert_array_equal(x.numpy(), want)


def test_setitem_broadcasts_and_casts_the_value():
    x = E.zeros(2, 3, dtype=E.int64)
    x[:, 1:] = E.tensor([1.7, 2.2])
    assert x.tolist() == [[0, 1, 2], [0, 1, 2]]
    x[0] = 9
    assert x.tolist() == [[9, 9, 9], [0, 1, 2]]
    x[E.tensor([True, False])] = E.tensor(4)
    assert x.tolist() == [[4, 4, 4], [0, 1, 2]]
    y = E.zeros(3)
    y[[0, 2]] = [5.0, 6.0]
    assert y.tolist() == [5.0, 0.0, 6.0]


def _setitem_fn(index, scale=3.0):
    def f(x, v):
        y = x * 2  # a non-leaf, so it may be written in place
        y[index] = v * scale
        return y
    return f


@pytest.mark.parametrize("index, value_shape", [
    ((0, [1, 3]), (2, 5)),
    ((slice(1, None), 2), (5,)),  # the value broadcasts over the rows
    ((Ellipsis, 0), (3, 4)),
    (lambda: E.tensor(MASK_01), (5,)),
    (([0, 2], slice(None), [4, 1]), (2, 4)),
])
def test_setitem_with_a_value_that_needs_grad(index, value_shape):
    rng = np.random.default_rng(0)
    x = E.tensor(rng.standard_normal(SHAPE), requires_grad=True)
    v = E.tensor(rng.standard_normal(value_shape), requires_grad=True)
    f = _setitem_fn(_ember_index(index))
    assert E.autograd.gradcheck(f, (x, v))


def test_setitem_with_a_value_that_needs_grad_second_order():
    rng = np.random.default_rng(1)
    x = E.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    v = E.tensor(rng.standard_normal((2,)), requires_grad=True)

    def f(x, v):
        y = x * x
        y[1, [0, 3]] = v * v
        return y
    assert E.autograd.gradgradcheck(f, (x, v))


def test_setitem_gradient_reaches_both_the_earlier_graph_and_the_value():
    x = E.ones(2, 3, dtype=E.float64, requires_grad=True)
    v = E.tensor([10.0, 20.0], dtype=E.float64, requires_grad=True)
    y = x * 5
    y[:, 1] = v
    (y * E.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=E.float64)).sum().backward()
    assert x.grad.tolist() == [[5.0, 0.0, 15.0], [20.0, 0.0, 30.0]]
    assert v.grad.tolist() == [2.0, 5.0]


def test_setitem_on_a_view_writes_the_base():
    base = E.zeros(3, 4)
    view = base[1:, ::2]
    view[0] = 1.0
    view[E.tensor([[False, True], [True, False]])] = 2.0
    assert base.tolist() == [[0, 0, 0, 0], [1, 0, 2, 0], [2, 0, 0, 0]]
    assert base._version == view._version > 0


def test_setitem_on_a_view_with_grad_updates_the_base_graph():
    rng = np.random.default_rng(2)
    x = E.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    v = E.tensor(rng.standard_normal((2,)), requires_grad=True)

    def f(x, v):
        y = x * 1
        row = y[1]  # a view of y
        row[[0, 2]] = v
        return y * row.sum()  # both the base and the view carry the write
    assert E.autograd.gradcheck(f, (x, v))
    y = x * 1
    y[:, 1:3][0] = v
    y.sum().backward()
    assert v.grad.tolist() == [1.0, 1.0]
    assert x.grad[0].tolist() == [1.0, 0.0, 0.0, 1.0]


def test_setitem_errors():
    x = E.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[0] = E.ones(3)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[[0, 1]] = E.ones(3, 4)
    leaf = E.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf[0] = 1.0
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        leaf[1:][0] = E.tensor(2.0, requires_grad=True)
    with E.no_grad():
        leaf[0] = 3.0  # allowed without grad, as torch
    assert leaf[0].item() == 3.0


def test_setitem_after_save_for_backward_is_caught():
    x = E.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y.exp()  # saves its output
    z[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# ---------------------------------------------------------------------------- index_put
def test_index_put_and_accumulate():
    x = E.zeros(5, dtype=E.float64)
    out = E.index_put(x, (E.tensor([0, 2, 2]),), E.tensor([1.0, 2.0, 3.0], dtype=E.float64), accumulate=True)
    assert out.tolist() == [1.0, 0.0, 5.0, 0.0, 0.0] and x.tolist() == [0.0] * 5
    x.index_put_((E.tensor([4]),), E.tensor(7.0, dtype=E.float64))
    assert x.tolist() == [0.0, 0.0, 0.0, 0.0, 7.0]
    v = E.tensor([1.0, 2.0], dtype=E.float64, requires_grad=True)
    w = E.zeros(3, dtype=E.float64, requires_grad=True)
    assert E.autograd.gradcheck(lambda w, v: E.index_put(w, (E.tensor([1, 1]),), v, accumulate=True), (w, v))


# ---------------------------------------------------------------------------- bad indices
@pytest.mark.parametrize("index, exc, match", [
    (3, IndexError, "out of bounds"),
    (-4, IndexError, "out of bounds"),
    ((0, 4), IndexError, "out of bounds"),
    ([0, 3], IndexError, "out of bounds"),
    (lambda: E.tensor([0, 5]), IndexError, "out of bounds"),
    ((0, 0, 0, 0), IndexError, "too many indices"),
    (1.5, IndexError, "only integers, slices"),
    ("a", IndexError, "only integers, slices"),
    (lambda: E.tensor([1.0]), IndexError, "tensors used as indices must be long, int, byte or bool"),
    ([0.5, 1.0], IndexError, "tensors used as indices must be long"),
    (slice(None, None, -1), ValueError, "step must be greater than zero"),
    (lambda: E.tensor([True, False]), IndexError, "boolean index did not match"),
    (([0, 1], [0, 1, 2]), IndexError, "shape mismatch"),
])
def test_bad_indices_raise(index, exc, match):
    x = E.zeros(3, 4, 5)
    with pytest.raises(exc, match=match):
        x[_ember_index(index)]
    if exc is IndexError:
        with pytest.raises(exc):
            x[_ember_index(index)] = 1.0


def test_case_ids_are_unique():
    ids = [c.id for c in TABLE]
    assert len(ids) == len(set(ids))


@pytest.mark.cuda
def test_indexing_on_cuda_matches_cpu():
    a = np.arange(60.0).reshape(SHAPE)
    for name, (spec, np_index) in INDICES.items():
        got = E.tensor(a, device="cuda")[_ember_index(spec)]
        np.testing.assert_array_equal(got.cpu().numpy(), a[np_index], err_msg=name)
    x = E.tensor(a, device="cuda", requires_grad=True)
    x[[0, 2, 2]].sum().backward()
    want = np.zeros(SHAPE)
    want[0] = 1.0
    want[2] = 2.0
    np.testing.assert_array_equal(x.grad.cpu().numpy(), want)
    y = E.zeros(3, 4, device="cuda")
    y[E.tensor([0, 2], device="cuda"), 1] = E.tensor([1.0, 2.0], device="cuda")
    assert y[:, 1].cpu().tolist() == [1.0, 0.0, 2.0]
