"""ops/unary.py: elementwise math of one tensor (and clamp/lerp/addcmul/addcdiv), against NumPy."""

import math

import numpy as np
import pytest

import ember as E

from .harness import (TERNARY, UNARY, OpCase, cases, forward_check, forward_params, grad_check, grad_params,
                      gradgrad_check, gradgrad_params, inplace_check, inplace_params, nonzero, off_integers,
                      positive, uniform)


def _in_dtype(fn):
    """A float64 reference cast back to its input's dtype (for functions NumPy lacks)."""
    return lambda x: np.asarray(fn(x.astype(np.float64))).astype(x.dtype)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _erfinv64(y):
    """erf's inverse by bisection on math.erf: slow, but independent of ember's implementation."""
    lo, hi = np.full(y.shape, -6.0), np.full(y.shape, 6.0)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = _erf(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _unary(name, ref, domain=uniform(), method=None, **kw):
    """ember.<name> and its in-place method <name>_ on the UNARY shapes."""
    fn = getattr(E, name)
    inplace_name = (method or name) + "_"
    return cases(name, fn, ref, UNARY, domain=domain, inplace=lambda x: getattr(x, inplace_name)(), **kw)


TABLE = [
    _unary("exp", np.exp),
    _unary("exp2", np.exp2),
    _unary("expm1", np.expm1),
    _unary("log", np.log, positive()),
    _unary("log2", np.log2, positive()),
    _unary("log10", np.log10, positive()),
    _unary("log1p", np.log1p, uniform(-0.5, 2)),
    _unary("sqrt", np.sqrt, positive()),
    _unary("rsqrt", lambda x: 1 / np.sqrt(x), positive()),
    _unary("reciprocal", lambda x: 1 / x, nonzero()),
    _unary("sin", np.sin),
    _unary("cos", np.cos),
    _unary("tan", np.tan, uniform(-1.2, 1.2)),
    _unary("asin", np.arcsin, uniform(-0.9, 0.9)),
    _unary("acos", np.arccos, uniform(-0.9, 0.9)),
    _unary("atan", np.arctan),
    _unary("sinh", np.sinh),
    _unary("cosh", np.cosh),
    _unary("tanh", np.tanh),
    _unary("asinh", np.arcsinh),
    _unary("acosh", np.arccosh, uniform(1.2, 3)),
    _unary("atanh", np.arctanh, uniform(-0.9, 0.9)),
    _unary("sigmoid", _in_dtype(lambda x: 1 / (1 + np.exp(-x))), uniform(-6, 6)),
    _unary("logit", _in_dtype(lambda x: np.log(x / (1 - x))), uniform(0.1, 0.9)),
    _unary("erf", _in_dtype(_erf)),
    _unary("erfc", _in_dtype(lambda x: 1 - _erf(x))),
    _unary("erfinv", _in_dtype(_erfinv64), uniform(-0.9, 0.9)),
    _unary("neg", np.negative),
    _unary("negative", np.negative),
    _unary("abs", np.abs, nonzero()),
    _unary("square", np.square),
    _unary("sign", np.sign, nonzero()),
    _unary("floor", np.floor, off_integers()),
    _unary("ceil", np.ceil, off_integers()),
    _unary("trunc", np.trunc, off_integers()),
    _unary("fix", np.trunc, off_integers()),
    _unary("round", np.round, off_integers()),
    _unary("frac", lambda x: x - np.trunc(x), off_integers()),
    _unary("relu", lambda x: np.maximum(x, 0), nonzero()),
    _unary("nan_to_num", np.nan_to_num),
    *cases("round_decimals", lambda x: E.round(x, decimals=1), lambda x: np.round(x, 1), UNARY,
           # a tenth plus 0.02..0.03: far from the .x5 midpoints, where float32 could round either way
           domain=lambda rng, shape: rng.integers(-30, 30, shape) / 10 + rng.uniform(0.02, 0.03, shape),
           inplace=lambda x: x.round_(decimals=1)),
    *cases("round_neg_decimals", lambda x: E.round(x, decimals=-1), lambda x: np.round(x, -1), UNARY,
           domain=lambda rng, shape: rng.integers(-9, 9, shape) * 10 + rng.uniform(1, 4, shape)),
    *cases("logit_eps", lambda x: E.logit(x, eps=0.2), _in_dtype(lambda x: np.log(np.clip(x, 0.2, 0.8) /
                                                                                    (1 - np.clip(x, 0.2, 0.8)))),
           UNARY, domain=uniform(0.02, 0.98), inplace=lambda x: x.logit_(eps=0.2)),
    # clamp with numbers, with one bound, and with tensor bounds (which broadcast)
    *cases("clamp", lambda x: E.clamp(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), UNARY,
           inplace=lambda x: x.clamp_(-0.5, 0.5)),
    *cases("clamp_min", lambda x: x.clamp(min=0.25), lambda x: np.maximum(x, 0.25), UNARY,
           inplace=lambda x: x.clamp_(min=0.25)),
    *cases("clamp_max", lambda x: E.clamp(x, max=-0.25), lambda x: np.minimum(x, -0.25), UNARY,
           inplace=lambda x: x.clamp_max_(-0.25)),
    *cases("clamp_min_fn", lambda x: E.clamp_min(x, 0.25), lambda x: np.maximum(x, 0.25), UNARY,
           inplace=lambda x: x.clamp_min_(0.25)),
    *cases("clip", lambda x: E.clip(x, -1, 1), lambda x: np.clip(x, -1, 1), UNARY,
           inplace=lambda x: x.clip_(-1, 1)),
    *cases("clamp_tensors", E.clamp, lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), TERNARY,
           domain=(uniform(), uniform(-1.5, -0.2), uniform(0.2, 1.5)), inplace=lambda x, lo, hi: x.clamp_(lo, hi)),
    *cases("clamp_tensor_min", lambda x, lo: E.clamp(x, min=lo), np.maximum,
           (((2, 3), (2, 3)), ((2, 3), (3,)), ((), ())), inplace=lambda x, lo: x.clamp_(min=lo)),
    *cases("clamp_tensor_max", lambda x, hi: E.clamp(x, max=hi), np.minimum,
           (((2, 3), (2, 3)), ((2, 3), (1, 3))), inplace=lambda x, hi: x.clamp_(max=hi)),
    # composites
    *cases("lerp", lambda x, y: E.lerp(x, y, 0.3), lambda x, y: x + 0.3 * (y - x), (((2, 3), (2, 3)), ((2, 3), (3,))),
           inplace=lambda x, y: x.lerp_(y, 0.3)),
    *cases("lerp_tensor_weight", E.lerp, lambda x, y, w: x + w * (y - x), TERNARY,
           inplace=lambda x, y, w: x.lerp_(y, w)),
    *cases("addcmul", lambda x, a, b: E.addcmul(x, a, b, value=0.5), lambda x, a, b: x + 0.5 * a * b, TERNARY,
           inplace=lambda x, a, b: x.addcmul_(a, b, value=0.5)),
    *cases("addcmul_default", E.addcmul, lambda x, a, b: x + a * b, TERNARY[:1]),
    *cases("addcdiv", lambda x, a, b: E.addcdiv(x, a, b, value=-2), lambda x, a, b: x - 2 * (a / b), TERNARY,
           domain=(uniform(), uniform(), nonzero()), inplace=lambda x, a, b: x.addcdiv_(a, b, value=-2)),
]
TABLE = [c for group in TABLE for c in (group if isinstance(group, list) else [group])]


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


def test_every_unary_op_has_a_case():
    import ember.ops.unary as unary

    covered = {c.name for c in TABLE}
    missing = [n.removesuffix("_") for n in unary.INPLACE if n.removesuffix("_") not in covered]
    assert not missing, f"no OpCase for {missing}"


# ---------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "sigmoid", "erf", "tanh", "reciprocal", "rsqrt"])
def test_integer_inputs_compute_in_default_float(name):
    out = getattr(E, name)(E.tensor([1, 2, 3]))
    assert out.dtype == E.float32
    np.testing.assert_allclose(out.numpy(), getattr(E, name)(E.tensor([1.0, 2.0, 3.0])).numpy())


@pytest.mark.parametrize("name", ["abs", "neg", "sign", "floor", "ceil", "trunc", "round", "relu"])
def test_integer_inputs_stay_integer(name):
    x = E.tensor([-3, 0, 5])
    out = getattr(E, name)(x)
    assert out.dtype == E.int64
    ref = {"neg": np.negative, "relu": lambda a: np.maximum(a, 0)}.get(name, getattr(np, name, None))
    np.testing.assert_array_equal(out.numpy(), ref(x.numpy()))


def test_bool_special_cases():
    b = E.tensor([True, False])
    assert E.square(b).dtype == E.int64 and E.square(b).tolist() == [1, 0]
    assert E.sign(b).dtype == E.bool
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not supported"):
        E.neg(b)
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        E.relu(b)


@pytest.mark.parametrize("name", ["exp", "sigmoid", "tanh", "erf", "sqrt"])
def test_half_precision_matches_float32_rounded(name):
    """float16 ops compute in float32 and round once, as torch does on CPU."""
    x = np.linspace(0.1, 3, 25).astype(np.float16)
    out = getattr(E, name)(E.tensor(x))
    want = getattr(E, name)(E.tensor(x.astype(np.float32))).numpy().astype(np.float16)
    assert out.dtype == E.float16
    np.testing.assert_array_equal(out.numpy(), want)


# ---------------------------------------------------------------------------- special values
def test_sign_of_zero_and_nan():
    assert E.sign(E.tensor([-0.0, 0.0, float("nan"), -2.0, 3.0])).tolist() == [0.0, 0.0, 0.0, -1.0, 1.0]


def test_round_half_to_even():
    assert E.round(E.tensor([0.5, 1.5, 2.5, -0.5, -2.5])).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]


def test_sigmoid_saturates_without_overflow():
    out = E.sigmoid(E.tensor([-1000.0, 1000.0, 0.0]))
    assert out.tolist() == [0.0, 1.0, 0.5]


def test_nan_to_num():
    inf, nan = float("inf"), float("nan")
    x = np.array([nan, inf, -inf, 1.5], dtype=np.float32)
    f32 = np.finfo(np.float32)
    assert E.nan_to_num(E.tensor(x)).tolist() == [0.0, float(f32.max), float(f32.min), 1.5]
    assert E.nan_to_num(E.tensor(x), nan=1.0, posinf=2.0, neginf=-2.0).tolist() == [1.0, 2.0, -2.0, 1.5]
    half = E.nan_to_num(E.tensor(x.astype(np.float16)))
    assert half.dtype == E.float16 and half.tolist() == [0.0, 65504.0, -65504.0, 1.5]
    # the gradient passes through finite entries only
    t = E.tensor(x.astype(np.float64), requires_grad=True)
    E.nan_to_num(t).sum().backward()
    assert t.grad.tolist() == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("scipy", [True, False], ids=["scipy", "numpy-fallback"])
def test_erfinv_edges(monkeypatch, scipy):
    if not scipy:
        monkeypatch.setitem(__import__("sys").modules, "scipy.special", None)
    out = E.erfinv(E.tensor([-1.0, 0.0, 1.0, 1.5], dtype=E.float64)).tolist()
    assert out[0] == float("-inf") and out[1] == 0.0 and out[2] == float("inf") and math.isnan(out[3])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_erf_family_without_scipy(monkeypatch, dtype):
    """The pure-NumPy fallbacks (scipy is optional) agree with math.erf."""
    monkeypatch.setitem(__import__("sys").modules, "scipy.special", None)
    y = np.linspace(-0.99, 0.99, 41).astype(dtype)
    x = np.linspace(-3, 3, 41).astype(dtype)
    rtol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(E.erf(E.tensor(x)).numpy(), _erf(x.astype(np.float64)), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(E.erfinv(E.tensor(y)).numpy(), _erfinv64(y.astype(np.float64)), rtol=rtol * 10,
                               atol=rtol)


def test_logit_outside_unit_interval():
    out = E.logit(E.tensor([0.0, 1.0, 1.5])).tolist()
    assert out[0] == float("-inf") and out[1] == float("inf") and math.isnan(out[2])


# ---------------------------------------------------------------------------- clamp details
def test_clamp_gradient_at_the_bounds_goes_to_input():
    """x equal to a bound is inside [min, max]: the input gets the gradient, the bound tensor none."""
    x = E.tensor([-1.0, 0.0, 1.0, 2.0], dtype=E.float64, requires_grad=True)
    lo = E.tensor([-1.0, 0.5, 0.0, 0.0], dtype=E.float64, requires_grad=True)
    hi = E.tensor([1.0, 1.0, 1.0, 1.5], dtype=E.float64, requires_grad=True)
    E.clamp(x, lo, hi).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert lo.grad.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert hi.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    x2 = E.tensor([-1.0, 1.0], dtype=E.float64, requires_grad=True)
    E.clamp(x2, -1, 1).sum().backward()
    assert x2.grad.tolist() == [1.0, 1.0]


def test_clamp_min_above_max_gives_max():
    x = E.tensor([-2.0, 0.0, 2.0])
    assert E.clamp(x, 1.0, -1.0).tolist() == [-1.0, -1.0, -1.0]
    assert E.clamp(x, E.tensor(1.0), E.tensor(-1.0)).tolist() == [-1.0, -1.0, -1.0]


def test_clamp_keeps_nan():
    assert math.isnan(E.clamp(E.tensor([float("nan")]), 0, 1).item())
    assert math.isnan(E.clamp(E.tensor([float("nan")]), E.tensor(0.0), E.tensor(1.0)).item())


def test_clamp_dtypes():
    i = E.tensor([-3, 0, 5])
    assert E.clamp(i, -1, 2).dtype == E.int64 and E.clamp(i, -1, 2).tolist() == [-1, 0, 2]
    assert E.clamp(i, -1.5, 2).dtype == E.float32 and E.clamp(i, -1.5, 2).tolist() == [-1.5, 0.0, 2.0]
    assert E.clamp(E.ones(2), E.tensor(0.0, dtype=E.float64)).dtype == E.float32


def test_clamp_without_bounds_raises():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        E.clamp(E.ones(2))


def test_lerp_requires_matching_dtypes():
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        E.lerp(E.ones(2), E.ones(2, dtype=E.float64), 0.5)


def test_addcdiv_integer_division_raises():
    i = E.tensor([1, 2])
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        E.addcdiv(i, i, i)


def test_float_only_ops_refuse_integers():
    with pytest.raises(NotImplementedError, match="frac"):
        E.frac(E.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match="round"):
        E.round(E.tensor([1, 2]), decimals=1)


def test_inplace_float_op_on_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        E.tensor([1, 2]).exp_()


def test_case_ids_are_unique():
    ids = [c.id for c in TABLE]
    assert len(ids) == len(set(ids))
    assert all(isinstance(c, OpCase) for c in TABLE)
