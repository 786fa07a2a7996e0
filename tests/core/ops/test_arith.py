"""ops/arith.py: add/sub/mul/div/pow/remainder/fmod/floor_divide, reflected and in-place forms, against NumPy."""

import operator

import numpy as np
import pytest

import ember as E

from .harness import (BINARY, UNARY, cases, choice, forward_check, forward_params, grad_check, grad_params,
                      gradgrad_check, gradgrad_params, inplace_check, inplace_params, nonzero, positive, uniform)


def _inplace_operator(op):
    """`x op= y` as a function returning x (operator.iadd & co. return the new binding)."""
    return lambda x, *rest: op(x, *rest)


TABLE = [
    # add / sub (with alpha), and their scalar and reflected forms
    *cases("add", E.add, np.add, BINARY, inplace=lambda x, y: x.add_(y)),
    *cases("add_alpha", lambda x, y: E.add(x, y, alpha=2.5), lambda x, y: x + y * 2.5, BINARY[:2],
           inplace=lambda x, y: x.add_(y, alpha=2.5)),
    *cases("add_scalar", lambda x: x + 2.5, lambda x: x + 2.5, UNARY, inplace=lambda x: x.add_(2.5)),
    *cases("add_int_scalar", lambda x: x + 3, lambda x: x + 3, UNARY, inplace=_inplace_operator(
        lambda x: operator.iadd(x, 3))),
    *cases("radd", lambda x: 2.5 + x, lambda x: 2.5 + x, UNARY),
    *cases("iadd", lambda x, y: x + y, np.add, BINARY[:1], inplace=_inplace_operator(operator.iadd)),
    *cases("sub", E.sub, np.subtract, BINARY, inplace=lambda x, y: x.sub_(y)),
    *cases("sub_alpha", lambda x, y: E.sub(x, y, alpha=3), lambda x, y: x - y * 3, BINARY[:2],
           inplace=lambda x, y: x.sub_(y, alpha=3)),
    *cases("sub_scalar", lambda x: x - 1.5, lambda x: x - 1.5, UNARY, inplace=lambda x: x.sub_(1.5)),
    *cases("rsub_scalar", lambda x: 2 - x, lambda x: 2 - x, UNARY),
    *cases("rsub", E.rsub, lambda x, y: y - x, BINARY[:3]),
    *cases("rsub_alpha", lambda x: E.rsub(x, 2, alpha=3), lambda x: 2 - 3 * x, UNARY),
    *cases("subtract", E.subtract, np.subtract, BINARY[:1]),
    *cases("isub", lambda x, y: x - y, np.subtract, BINARY[:1], inplace=_inplace_operator(operator.isub)),
    # mul / div
    *cases("mul", E.mul, np.multiply, BINARY, inplace=lambda x, y: x.mul_(y)),
    *cases("mul_scalar", lambda x: x * 1.5, lambda x: x * 1.5, UNARY, inplace=lambda x: x.mul_(1.5)),
    *cases("rmul", lambda x: 3 * x, lambda x: 3 * x, UNARY),
    *cases("multiply", E.multiply, np.multiply, BINARY[:1]),
    *cases("imul", lambda x, y: x * y, np.multiply, BINARY[:1], inplace=_inplace_operator(operator.imul)),
    *cases("div", E.div, np.divide, BINARY, domain=(uniform(), nonzero()), inplace=lambda x, y: x.div_(y)),
    *cases("div_scalar", lambda x: x / 2.5, lambda x: x / 2.5, UNARY, inplace=lambda x: x.div_(2.5)),
    *cases("rdiv", lambda x: 2 / x, lambda x: 2 / x, UNARY, domain=nonzero()),
    *cases("true_divide", E.true_divide, np.divide, BINARY[:1], domain=(uniform(), nonzero())),
    *cases("divide", E.divide, np.divide, BINARY[:1], domain=(uniform(), nonzero())),
    *cases("itruediv", lambda x, y: x / y, np.divide, BINARY[:1], domain=(uniform(), nonzero()),
           inplace=_inplace_operator(operator.itruediv)),
    *cases("div_trunc", lambda x, y: E.div(x, y, rounding_mode="trunc"), lambda x, y: np.trunc(x / y), BINARY,
           domain=(uniform(-5, 5), choice(-2.0, -0.75, 1.5, 3.0)),
           inplace=lambda x, y: x.div_(y, rounding_mode="trunc")),
    *cases("div_floor", lambda x, y: E.div(x, y, rounding_mode="floor"), np.floor_divide, BINARY,
           domain=(uniform(-5, 5), choice(-2.0, -0.75, 1.5, 3.0)),
           inplace=lambda x, y: x.div_(y, rounding_mode="floor")),
    *cases("div_trunc_scalar", lambda x: E.div(x, 0.75, rounding_mode="trunc"), lambda x: np.trunc(x / 0.75),
           UNARY, domain=uniform(-5, 5)),
    *cases("div_floor_scalar", lambda x: E.div(x, -1.5, rounding_mode="floor"), lambda x: np.floor_divide(x, -1.5),
           UNARY, domain=uniform(-5, 5)),
    # pow: scalar exponent, tensor exponent, scalar base
    *cases("pow_2", lambda x: x ** 2, lambda x: x ** 2, UNARY, inplace=lambda x: x.pow_(2)),
    *cases("pow_3", lambda x: E.pow(x, 3), lambda x: x ** 3, UNARY),
    *cases("pow_0", lambda x: x ** 0, lambda x: x ** 0, UNARY),
    *cases("pow_1", lambda x: x ** 1, lambda x: x ** 1, UNARY),
    *cases("pow_neg1", lambda x: x ** -1, lambda x: x ** -1, UNARY, domain=nonzero()),
    *cases("pow_half", lambda x: x.pow(0.5), np.sqrt, UNARY, domain=positive()),
    *cases("pow_frac", lambda x: x ** 2.5, lambda x: x ** 2.5, UNARY, domain=positive(),
           inplace=lambda x: x.pow_(2.5)),
    *cases("pow_neg_frac", lambda x: x ** -1.5, lambda x: x ** -1.5, UNARY, domain=positive()),
    *cases("pow_tensor", E.pow, np.power, BINARY, domain=(positive(), uniform()),
           inplace=lambda x, y: x.pow_(y)),
    *cases("ipow", lambda x, y: x ** y, np.power, BINARY[:1], domain=(positive(), uniform()),
           inplace=_inplace_operator(operator.ipow)),
    *cases("rpow", lambda x: 2 ** x, lambda x: 2 ** x, UNARY),
    *cases("rpow_float", lambda x: 0.5 ** x, lambda x: 0.5 ** x, UNARY),
    *cases("pow_scalar_base", lambda x: E.pow(2.5, x), lambda x: 2.5 ** x, UNARY),
    *cases("float_power", E.float_power, lambda x, y: np.power(x.astype(np.float64), y.astype(np.float64)),
           BINARY[:2], domain=(positive(), uniform())),
    *cases("float_power_scalar", lambda x: E.float_power(x, 2), lambda x: x.astype(np.float64) ** 2, UNARY),
    # remainder / fmod / floor_divide
    *cases("remainder", E.remainder, np.remainder, BINARY, domain=(uniform(-5, 5), nonzero(0.5, 2)),
           inplace=lambda x, y: x.remainder_(y)),
    *cases("remainder_scalar", lambda x: x % 1.5, lambda x: x % 1.5, UNARY, domain=uniform(-5, 5),
           inplace=lambda x: x.remainder_(1.5)),
    *cases("remainder_neg_scalar", lambda x: E.remainder(x, -1.5), lambda x: np.remainder(x, -1.5), UNARY,
           domain=uniform(-5, 5)),
    *cases("rmod", lambda x: 2.5 % x, lambda x: 2.5 % x, UNARY, domain=nonzero(0.5, 2)),
    *cases("imod", lambda x, y: x % y, np.remainder, BINARY[:1], domain=(uniform(-5, 5), nonzero(0.5, 2)),
           inplace=_inplace_operator(operator.imod)),
    *cases("fmod", E.fmod, np.fmod, BINARY, domain=(uniform(-5, 5), nonzero(0.5, 2)),
           inplace=lambda x, y: x.fmod_(y)),
    *cases("fmod_scalar", lambda x: E.fmod(x, -1.5), lambda x: np.fmod(x, -1.5), UNARY, domain=uniform(-5, 5),
           inplace=lambda x: x.fmod_(-1.5)),
    *cases("floor_divide", E.floor_divide, np.floor_divide, BINARY, domain=(uniform(-5, 5), nonzero(0.5, 2)),
           inplace=lambda x, y: x.floor_divide_(y)),
    *cases("floor_divide_scalar", lambda x: x // 1.5, lambda x: x // 1.5, UNARY, domain=uniform(-5, 5)),
    *cases("rfloordiv", lambda x: 2.5 // x, lambda x: 2.5 // x, UNARY, domain=nonzero(0.5, 2)),
    *cases("ifloordiv", lambda x, y: x // y, np.floor_divide, BINARY[:1], domain=(uniform(-5, 5), nonzero(0.5, 2)),
           inplace=_inplace_operator(operator.ifloordiv)),
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


# ---------------------------------------------------------------------------- integer and bool semantics
A_INT = np.array([[-7, 5, 3], [4, -2, 9]], dtype=np.int64)
B_INT = np.array([2, -3, 4], dtype=np.int64)


@pytest.mark.parametrize("op, ref", [
    (operator.floordiv, np.floor_divide),  # rounds toward -inf, like Python
    (operator.mod, np.remainder),  # takes the divisor's sign
    (E.fmod, np.fmod),  # takes the dividend's sign
    (lambda a, b: E.div(a, b, rounding_mode="trunc"), lambda a, b: np.trunc(a / b).astype(np.int64)),
    (lambda a, b: E.div(a, b, rounding_mode="floor"), np.floor_divide),
    (operator.add, np.add), (operator.sub, np.subtract), (operator.mul, np.multiply),
], ids=["floordiv", "mod", "fmod", "div_trunc", "div_floor", "add", "sub", "mul"])
def test_integer_ops_stay_integer(op, ref):
    for b in (E.tensor(B_INT), int(B_INT[0]), int(B_INT[1])):
        out = op(E.tensor(A_INT), b)
        assert out.dtype == E.int64
        np.testing.assert_array_equal(out.numpy(), ref(A_INT, b.numpy() if isinstance(b, E.Tensor) else b))


@pytest.mark.parametrize("rhs", [E.tensor(B_INT), 2], ids=["tensor", "int"])
def test_integer_true_division_gives_default_float(rhs):
    out = E.tensor(A_INT) / rhs
    assert out.dtype == E.float32
    r = rhs.numpy() if isinstance(rhs, E.Tensor) else rhs
    np.testing.assert_allclose(out.numpy(), (A_INT / r).astype(np.float32))
    assert (2 / E.tensor(B_INT)).dtype == E.float32
    assert E.true_divide(E.tensor(A_INT), 3).dtype == E.float32


@pytest.mark.parametrize("op", [operator.floordiv, operator.mod, E.fmod,
                                lambda a, b: E.div(a, b, rounding_mode="trunc")],
                         ids=["floordiv", "mod", "fmod", "div_trunc"])
def test_integer_division_by_zero_raises(op):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        op(E.tensor(A_INT), 0)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        op(E.tensor(A_INT), E.tensor([1, 0, 2]))


def test_integer_pow():
    a = E.tensor(A_INT)
    np.testing.assert_array_equal((a ** 2).numpy(), A_INT ** 2)
    assert (a ** 2).dtype == E.int64
    assert (a ** 2.5).dtype == E.float32
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        a ** -1
    # tensor exponents may be negative: 1 and -1 stay, every other base truncates to 0 (as torch)
    base = E.tensor([2, 1, -1, -1, 0, 3])
    exp = E.tensor([-1, -3, -3, -2, 2, 0])
    assert (base ** exp).tolist() == [0, 1, -1, 1, 0, 1]
    assert (2 ** E.tensor([-1, 0, 3])).tolist() == [0, 1, 8]
    assert (2 ** E.tensor([-1, 0, 3])).dtype == E.int64
    assert (2.0 ** E.tensor([-1, 0, 3])).dtype == E.float32
    np.testing.assert_allclose((2.0 ** E.tensor([-1, 0, 3])).numpy(), [0.5, 1, 8])


def test_uint8_wraps_around():
    u = E.tensor([250, 3, 7], dtype=E.uint8)
    assert (u + 10).tolist() == [4, 13, 17]
    assert (u + 10).dtype == E.uint8
    assert (u - 8).tolist() == [242, 251, 255]
    assert (u * 2).tolist() == [244, 6, 14]


def test_bool_arithmetic():
    b = E.tensor([True, False, True])
    assert (b + b).dtype == E.bool and (b + b).tolist() == [True, False, True]
    assert (b * b).dtype == E.bool
    assert (b + 1).dtype == E.int64 and (b + 1).tolist() == [2, 1, 2]
    assert (b * 2.5).dtype == E.float32
    assert (b / b).dtype == E.float32
    assert E.add(b, b, alpha=2).tolist() == [True, False, True]


@pytest.mark.parametrize("expr", [lambda b: b - b, lambda b: b - 1, lambda b: 1 - b, lambda b: E.sub(b, b)],
                         ids=["tensor-tensor", "tensor-int", "int-tensor", "sub"])
def test_bool_subtraction_raises(expr):
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with .*bool"):
        expr(E.tensor([True, False]))


def test_integer_alpha_rules():
    i = E.tensor([1, 2])
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        E.add(i, i, alpha=2.5)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results"):
        E.add(i, 1, alpha=True)
    assert E.add(i, i, alpha=3).tolist() == [4, 8]


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                                operator.mod, operator.floordiv, E.fmod],
                         ids=["add", "sub", "mul", "div", "pow", "mod", "floordiv", "fmod"])
def test_mismatched_shapes_name_both(op):
    a, b = E.ones(2, 3), E.ones(4)
    with pytest.raises(RuntimeError) as info:
        op(a, b)
    msg = str(info.value)
    assert "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1" in msg
    assert "[2, 3]" in msg and "[4]" in msg


def test_non_number_operand_is_type_error():
    with pytest.raises(TypeError):
        E.ones(2) + "a"
    with pytest.raises(TypeError):
        E.ones(2) * [1, 2]


def test_inplace_cannot_change_category():
    i = E.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.div_(2)


def test_inplace_broadcast_to_larger_shape_raises():
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        E.ones(3).add_(E.ones(2, 3))


def test_grad_fn_names_match_torch():
    x = E.ones(2, requires_grad=True)
    outs = {
        "AddBackward0": (x + x, x + 1, 1 + x), "SubBackward0": (x - x, x - 1), "RsubBackward1": (1 - x,),
        "MulBackward0": (x * x, x * 2), "DivBackward0": (x / x, x / 2), "PowBackward0": (x ** 2,),
        "PowBackward1": (x ** x,), "PowBackward2": (2 ** x,), "RemainderBackward0": (x % 2,),
        "RemainderBackward1": (x % x,), "FmodBackward0": (E.fmod(x, 2),), "FmodBackward1": (E.fmod(x, x),),
        "DivBackward2": (E.div(x, 2, rounding_mode="trunc"),),
    }
    for name, group in outs.items():
        for out in group:
            assert out.grad_fn.name() == name
