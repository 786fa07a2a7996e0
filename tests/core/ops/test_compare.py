"""ops/compare.py: comparisons, logical/bitwise ops, is* tests, where, maximum/minimum, isclose/allclose/equal."""

import operator

import numpy as np
import pytest

import ember as E

from .harness import (BINARY, UNARY, cases, choice, forward_check, forward_params, grad_check, grad_params,
                      gradgrad_check, gradgrad_params, inplace_check, inplace_params, integers, nonzero, uniform)

INF, NAN = float("inf"), float("nan")
SPECIAL = choice(NAN, INF, -INF, 0.0, 1.5, -2.0)

COMPARISONS = [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
               ("gt", np.greater), ("ge", np.greater_equal)]
BITWISE = [("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or), ("bitwise_xor", np.bitwise_xor)]
LOGICAL = [("logical_and", np.logical_and), ("logical_or", np.logical_or), ("logical_xor", np.logical_xor)]


def _method_inplace(name):
    return lambda x, y: getattr(x, name + "_")(y)


TABLE = [
    # comparisons (small whole numbers, so ties happen) and their in-place forms; no gradient
    *[c for name, ref in COMPARISONS
      for c in cases(name, getattr(E, name), ref, BINARY, domain=integers(), grad=False,
                     dtypes=("float64", "float32", "int64"), inplace=_method_inplace(name))],
    *cases("gt_scalar", lambda x: x > 0.5, lambda x: x > 0.5, UNARY, grad=False),
    *cases("reflected_lt", lambda x: 1 < x, lambda x: 1 < x, UNARY, domain=integers(), grad=False,
           dtypes=("float32", "int64")),
    *cases("eq_int_scalar", lambda x: x == 1, lambda x: x == 1, UNARY, domain=integers(), grad=False,
           dtypes=("float64", "int64")),
    *cases("greater_equal", E.greater_equal, np.greater_equal, BINARY[:1], domain=integers(), grad=False),
    *cases("not_equal", E.not_equal, np.not_equal, BINARY[:1], domain=integers(), grad=False),
    # logical and bitwise ops
    *[c for name, ref in LOGICAL
      for c in cases(name, getattr(E, name), ref, BINARY, domain=integers(-1, 2), grad=False,
                     dtypes=("float32", "int64", "bool"), inplace=_method_inplace(name))],
    *cases("logical_not", E.logical_not, np.logical_not, UNARY, domain=integers(-1, 2), grad=False,
           dtypes=("float32", "int64", "bool")),
    *[c for name, ref in BITWISE
      for c in cases(name, getattr(E, name), ref, BINARY, domain=integers(-4, 9), grad=False,
                     dtypes=("int64", "bool"), inplace=_method_inplace(name))],
    *cases("and_operator", operator.and_, np.bitwise_and, BINARY[:2], domain=integers(-4, 9), grad=False,
           dtypes=("int64", "bool"), inplace=lambda x, y: operator.iand(x, y)),
    *cases("or_operator", operator.or_, np.bitwise_or, BINARY[:1], domain=integers(-4, 9), grad=False,
           dtypes=("int64", "bool"), inplace=lambda x, y: operator.ior(x, y)),
    *cases("xor_operator", operator.xor, np.bitwise_xor, BINARY[:1], domain=integers(-4, 9), grad=False,
           dtypes=("int64", "bool"), inplace=lambda x, y: operator.ixor(x, y)),
    *cases("bitwise_not", E.bitwise_not, np.invert, UNARY, domain=integers(-4, 9), grad=False,
           dtypes=("int64", "bool")),
    *cases("left_shift", E.bitwise_left_shift, np.left_shift, BINARY, domain=integers(0, 5), grad=False,
           dtypes=("int64",)),
    *cases("right_shift", operator.rshift, np.right_shift, BINARY, domain=(integers(-64, 64), integers(0, 5)),
           grad=False, dtypes=("int64",)),
    *cases("rlshift", lambda x: 2 << x, lambda x: 2 << x, UNARY, domain=integers(0, 5), grad=False,
           dtypes=("int64",)),
    # special values
    *cases("isnan", E.isnan, np.isnan, UNARY, domain=SPECIAL, grad=False),
    *cases("isinf", E.isinf, np.isinf, UNARY, domain=SPECIAL, grad=False),
    *cases("isfinite", E.isfinite, np.isfinite, UNARY, domain=SPECIAL, grad=False),
    *cases("isposinf", E.isposinf, np.isposinf, UNARY, domain=SPECIAL, grad=False),
    *cases("isneginf", E.isneginf, np.isneginf, UNARY, domain=SPECIAL, grad=False),
    *cases("isfinite_int", E.isfinite, np.isfinite, UNARY, domain=integers(), grad=False, dtypes=("int64",)),
    *cases("isclose", lambda x, y: E.isclose(x, x + y * 1e-6), lambda x, y: np.isclose(x, x + y * 1e-6),
           BINARY[:2], grad=False, dtypes=("float64",)),
    # where (differentiable in both branches), with tensors and python scalars
    *cases("where", lambda x, y: E.where(x > 0, x, y), lambda x, y: np.where(x > 0, x, y), BINARY,
           domain=(nonzero(), uniform())),
    *cases("where_scalar_other", lambda x: E.where(x > 0, x, 0.0), lambda x: np.where(x > 0, x, 0.0), UNARY,
           domain=nonzero()),
    *cases("where_scalar_input", lambda x: E.where(x < 0, -1.5, x), lambda x: np.where(x < 0, -1.5, x), UNARY,
           domain=nonzero()),
    *cases("where_method", lambda x, y: x.where(y > 0, y), lambda x, y: np.where(y > 0, x, y), BINARY[:2],
           domain=(uniform(), nonzero())),
    # maximum/minimum (continuous inputs: no ties, where the derivative jumps), fmax/fmin
    *cases("maximum", E.maximum, np.maximum, BINARY),
    *cases("minimum", E.minimum, np.minimum, BINARY),
    *cases("fmax", E.fmax, np.fmax, BINARY),
    *cases("fmin", E.fmin, np.fmin, BINARY),
    *cases("fmax_nan", E.fmax, np.fmax, BINARY[:2], domain=choice(NAN, 1.0, -2.0), grad=False),
    *cases("fmin_nan", E.fmin, np.fmin, BINARY[:2], domain=choice(NAN, 1.0, -2.0), grad=False),
    *cases("maximum_nan", E.maximum, np.maximum, BINARY[:2], domain=choice(NAN, 1.0, -2.0), grad=False),
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


@pytest.mark.parametrize("case", inplace_params(TABLE))
def test_inplace(case):
    inplace_check(case)


# ---------------------------------------------------------------------------- comparisons
@pytest.mark.parametrize("name", [n for n, _ in COMPARISONS])
def test_comparisons_return_bool_across_dtypes(name):
    i, f = E.tensor([[-7, 5, 3], [4, -2, 9]]), E.tensor([-7.5, 5.0, 3.0])
    u = E.tensor([250, 3, 7], dtype=E.uint8)
    op = getattr(E, name)
    ref = dict(COMPARISONS)[name]
    for a, b in ((i, f), (i, 2.5), (f, 3), (u, 7), (u, 2.5), (i, E.tensor(3.0, dtype=E.float64))):
        out = op(a, b)
        assert out.dtype == E.bool
        bn = b.numpy() if isinstance(b, E.Tensor) else b
        np.testing.assert_array_equal(out.numpy(), ref(a.numpy().astype(np.float64), bn))


def test_out_of_range_int_scalars_wrap_as_in_torch():
    u = E.tensor([250, 3, 7], dtype=E.uint8)
    assert (u > -1).tolist() == [False, False, False]  # -1 wraps to 255
    assert (u < 300).tolist() == [False, True, True]  # 300 wraps to 44
    assert (u == -6).tolist() == [True, False, False]


def test_equality_with_non_numbers_is_false():
    x = E.tensor([1.0, 2.0])
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711
    assert x not in [None, "a"]


def test_comparison_shape_mismatch():
    with pytest.raises(RuntimeError, match=r"tensor a \(3\) must match the size of tensor b \(4\).*\[2, 3\].*\[4\]"):
        E.lt(E.ones(2, 3), E.ones(4))
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[4\]"):
        E.logical_and(E.ones(2, 3), E.ones(4))


def test_bitwise_type_errors():
    with pytest.raises(NotImplementedError, match="not implemented for"):
        E.tensor([1, 2]) & E.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~E.tensor([1.0])


def test_bool_bitwise_stays_bool():
    b = E.tensor([True, False, True])
    assert (b & True).dtype == E.bool and (b & True).tolist() == [True, False, True]
    assert (~b).tolist() == [False, True, False]
    assert (b ^ b).tolist() == [False, False, False]


# ---------------------------------------------------------------------------- isclose / allclose / equal
def test_isclose_and_allclose():
    a = E.tensor([1.0, 2.0, NAN, INF])
    b = E.tensor([1.0 + 1e-6, 2.1, NAN, INF])
    assert E.isclose(a, b).tolist() == [True, False, False, True]
    assert E.isclose(a, b, equal_nan=True).tolist() == [True, False, True, True]
    assert E.isclose(a, b, rtol=0.1).tolist() == [True, True, False, True]
    assert E.allclose(a[:1], b[:1]) is True
    assert E.allclose(a, b) is False
    assert E.allclose(E.ones(2, 3), E.ones(3)) is True  # broadcasts
    assert E.isclose(E.tensor([1, 2]), E.tensor([1, 3])).tolist() == [True, False]


def test_isclose_bad_input():
    with pytest.raises(RuntimeError, match="did not match"):
        E.isclose(E.ones(2), E.tensor([1, 1]))
    with pytest.raises(TypeError, match="must be Tensor"):
        E.isclose(E.ones(2), 1.0)
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero"):
        E.isclose(E.ones(2), E.ones(2), rtol=-1)


def test_equal():
    f = E.tensor([1.0, 2.0])
    assert E.equal(f, E.tensor([1.0, 2.0])) is True
    assert E.equal(f, E.tensor([1.0, 3.0])) is False
    assert E.equal(f, E.tensor([[1.0, 2.0]])) is False  # same values, other shape
    assert E.equal(f, E.tensor([1.0, 2.0, 3.0])) is False
    assert f.equal(E.tensor([1.0, 2.0]))


# ---------------------------------------------------------------------------- where
def test_where_dtypes_with_scalars():
    c = E.tensor([True, False])
    f32, i64 = E.tensor([1.5, 2.5]), E.tensor([1, 2])
    assert E.where(c, 1.0, 0.0).dtype == E.float32 and E.where(c, 1.0, 0.0).tolist() == [1.0, 0.0]
    assert E.where(c, 1, 0).dtype == E.int64 and E.where(c, 1, 0).tolist() == [1, 0]
    assert E.where(c, 1, 0.5).dtype == E.float32
    assert E.where(c, True, False).dtype == E.bool
    assert E.where(c, f32, 2.0).dtype == E.float32
    assert E.where(c, f32, 2).dtype == E.float32
    assert E.where(c, i64, 0.5).dtype == E.float32 and E.where(c, i64, 0.5).tolist() == [1.0, 0.5]
    assert E.where(c, i64, 7).dtype == E.int64
    assert E.where(c, E.tensor(1.0, dtype=E.float64), f32).dtype == E.float32  # 0-dim doesn't widen
    assert E.where(c, f32, E.ones(2, dtype=E.float64)).dtype == E.float64


def test_where_condition_only_is_nonzero():
    rows, cols = E.where(E.tensor([[1.0, 0.0], [0.0, 2.0]]) > 0)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    assert rows.dtype == E.int64


def test_where_bad_input():
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        E.where(E.tensor([1.0, 0.0]), E.ones(2), E.zeros(2))
    with pytest.raises(TypeError):
        E.where(E.tensor([True, False]), E.ones(2))
    with pytest.raises(RuntimeError, match=r"\[2\].*\[2, 3\]"):
        E.where(E.tensor([True, False]), E.ones(2, 3), E.zeros(2, 3))


def test_where_gradient_is_masked():
    x = E.tensor([1.0, -1.0, 2.0], dtype=E.float64, requires_grad=True)
    y = E.tensor([5.0, 5.0, 5.0], dtype=E.float64, requires_grad=True)
    E.where(x > 0, x, y).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]
    assert y.grad.tolist() == [0.0, 1.0, 0.0]


# ---------------------------------------------------------------------------- maximum / minimum ties
@pytest.mark.parametrize("op", [E.maximum, E.minimum], ids=["maximum", "minimum"])
def test_ties_split_the_gradient(op):
    a = E.tensor([1.0, 2.0, 3.0], dtype=E.float64, requires_grad=True)
    b = E.tensor([1.0, 0.0, 5.0], dtype=E.float64, requires_grad=True)
    op(a, b).sum().backward()
    a_wins = [0.5, 1.0, 0.0] if op is E.maximum else [0.5, 0.0, 1.0]
    assert a.grad.tolist() == a_wins
    assert b.grad.tolist() == [1 - g for g in a_wins]


@pytest.mark.parametrize("op", [E.fmax, E.fmin], ids=["fmax", "fmin"])
def test_fmax_fmin_ties_and_nan_gradients(op):
    """fmax/fmin give a tie's whole gradient to the first input and route around NaN, as torch."""
    a = E.tensor([1.0, NAN, 2.0], dtype=E.float64, requires_grad=True)
    b = E.tensor([1.0, 3.0, NAN], dtype=E.float64, requires_grad=True)
    out = op(a, b)
    assert out.tolist() == [1.0, 3.0, 2.0]
    out.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0]
    assert b.grad.tolist() == [0.0, 1.0, 0.0]


def test_maximum_promotes_and_rejects_numbers():
    assert E.maximum(E.tensor([1, 5]), E.tensor([2.5, 0.0])).dtype == E.float32
    assert E.maximum(E.tensor([1, 5]), E.tensor([2.5, 0.0])).tolist() == [2.5, 5.0]
    with pytest.raises(TypeError, match="must be Tensor"):
        E.maximum(E.ones(2), 1.0)
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[4\]"):
        E.minimum(E.ones(2, 3), E.ones(4))
