"""nn/modules/linear.py and nn/functional/_linear.py: Identity, Linear, Bilinear, LazyLinear, F.linear/bilinear."""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, env, meta, run_case


@pytest.mark.parametrize("name", cases_named("linear", "bilinear", "identity", "lazylinear", "f_linear"))
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("key", ["linear_features", "linear_features_3d", "bilinear_size"])
def test_errors_match_torch(key):
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        eval(expr, env())
    assert type(info.value).__name__ == etype and str(info.value) == message


def _f64(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("x_shape", [(3, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(x_shape, bias):
    args = (_f64(*x_shape), _f64(2, 4, seed=1)) + ((_f64(2, seed=2),) if bias else ())
    assert gradcheck(F.linear, args)
    assert gradgradcheck(F.linear, args)


def test_linear_gradcheck_only_some_inputs_need_grad():
    x = _f64(3, 4)
    w = _f64(2, 4, seed=1).detach()
    b = _f64(2, seed=2)
    assert gradcheck(lambda x, b: F.linear(x, w, b), (x, b))
    assert gradgradcheck(lambda x, b: F.linear(x, w, b), (x, b))


def test_bilinear_gradcheck():
    args = (_f64(2, 3), _f64(2, 4, seed=1), _f64(2, 3, 4, seed=2), _f64(2, seed=3))
    assert gradcheck(F.bilinear, args)
    assert gradgradcheck(F.bilinear, args)


def test_linear_matches_numpy_and_dtype_errors():
    lin = nn.Linear(4, 3)
    x = ember.randn(5, 4)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    np.testing.assert_allclose(lin(x).detach().numpy(), x.numpy() @ w.T + b, rtol=1e-6, atol=1e-6)
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: double != float"):
        lin(x.double())


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    bl = nn.Bilinear(9, 4, 3)
    assert np.abs(bl.weight.detach().numpy()).max() <= 1 / 3


def test_linear_factory_kwargs_and_no_bias():
    lin = nn.Linear(2, 3, bias=False, dtype=ember.float64)
    assert lin.weight.dtype == ember.float64 and lin.bias is None
    assert list(lin.state_dict()) == ["weight"]


def test_lazy_linear_becomes_linear():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = nn.LazyLinear(3)
    assert lazy.has_uninitialized_params()
    out = lazy(ember.randn(2, 5))
    assert type(lazy) is nn.Linear and lazy.in_features == 5 and out.shape == (2, 3)
    assert lazy.weight.shape == (3, 5) and isinstance(lazy.weight, nn.Parameter)
    assert not lazy._forward_pre_hooks


def test_lazy_linear_loads_state_dict_before_first_forward():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = nn.LazyLinear(3)
    src = nn.Linear(5, 3)
    lazy.load_state_dict(src.state_dict())
    assert lazy.weight.shape == (3, 5)
    x = ember.randn(2, 5)
    np.testing.assert_allclose(lazy(x).detach().numpy(), src(x).detach().numpy())


def test_identity():
    x = ember.randn(2)
    assert nn.Identity(54, unused="x")(x) is x
