"""nn/modules/activation.py and nn/functional/_activation.py: parity with torch, gradcheck/gradgradcheck of every
activation, in-place forms."""

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, env, meta, run_case

ACTIVATION_CASES = ("relu", "relu6", "leakyrelu", "prelu", "elu", "selu", "celu", "gelu", "silu", "mish",
                    "hardswish", "hardsigmoid", "hardtanh", "sigmoid", "tanh", "softplus", "softsign", "softmax",
                    "logsoftmax", "softmin", "softmax2d", "glu", "threshold", "tanhshrink", "hardshrink",
                    "softshrink", "logsigmoid", "rrelu")


@pytest.mark.parametrize("name", cases_named(*ACTIVATION_CASES))
def test_parity_with_torch(name):
    run_case(name)


def _away_from_kinks(shape, seed=0):
    """Values with |x| in [0.15, 2] and not near the +-0.3/+-0.5/+-3 kinks used below: finite differences work."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.15, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    x = np.where(np.abs(np.abs(x) - 0.3) < 0.05, x * 1.4, x)
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x * 1.3, x)
    return ember.tensor(x, requires_grad=True)


FUNCTIONS = {
    "relu": F.relu, "relu6": lambda x: F.relu6(x * 4), "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 0.7), "selu": F.selu, "celu": lambda x: F.celu(x, 1.3), "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu, "mish": F.mish,
    "hardswish": lambda x: F.hardswish(x * 2.5), "hardsigmoid": lambda x: F.hardsigmoid(x * 2.5),
    "hardtanh": lambda x: F.hardtanh(x, -0.9, 1.1), "sigmoid": F.sigmoid, "tanh": F.tanh,
    "softplus": F.softplus, "softplus_beta_threshold": lambda x: F.softplus(x, beta=2.0, threshold=1.0),
    "softsign": F.softsign, "softmax": lambda x: F.softmax(x, 1), "log_softmax": lambda x: F.log_softmax(x, -1),
    "softmin": lambda x: F.softmin(x, 0), "glu": lambda x: F.glu(x, 1),
    "threshold": lambda x: F.threshold(x, 0.1, 2.0),
    "tanhshrink": F.tanhshrink, "hardshrink": lambda x: F.hardshrink(x, 0.3),
    "softshrink": lambda x: F.softshrink(x, 0.3),
    "logsigmoid": F.logsigmoid, "rrelu_eval": lambda x: F.rrelu(x), "prelu": lambda x: F.prelu(x, ember.tensor(
        [0.1, 0.2, 0.3, 0.4], dtype=ember.float64)),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradcheck(name):
    x = _away_from_kinks((3, 4))
    assert gradcheck(FUNCTIONS[name], (x,))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradgradcheck(name):
    x = _away_from_kinks((3, 4), seed=1)
    assert gradgradcheck(FUNCTIONS[name], (x,))


def test_prelu_weight_gradcheck():
    x = _away_from_kinks((2, 3, 2))
    w = ember.tensor([0.1, 0.2, 0.3], dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.prelu, (x, w)) and gradgradcheck(F.prelu, (x, w))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        F.prelu(x, ember.ones(4, dtype=ember.float64))


@pytest.mark.parametrize("fn,name", [(F.relu, "relu"), (F.elu, "elu"), (F.leaky_relu, "leaky_relu"),
                                     (F.hardtanh, "hardtanh"), (F.selu, "selu"), (F.celu, "celu"),
                                     (F.silu, "silu"), (F.mish, "mish"), (F.hardswish, "hardswish"),
                                     (F.hardsigmoid, "hardsigmoid"), (F.relu6, "relu6")])
def test_inplace_forms(fn, name):
    base = np.random.default_rng(0).standard_normal((3, 4))
    expected = fn(ember.tensor(base)).numpy()
    x = ember.tensor(base)
    v = x._version
    assert fn(x, inplace=True) is x and x._version > v
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-12)
    # on a non-leaf the gradient equals the out-of-place one
    leaf = ember.tensor(base, requires_grad=True)
    fn(leaf * 1, inplace=True).sum().backward()
    leaf2 = ember.tensor(base, requires_grad=True)
    fn(leaf2).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), leaf2.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        fn(ember.tensor(base, requires_grad=True), inplace=True)


def test_module_inplace_flag_and_underscore_functions():
    x = ember.randn(3)
    assert nn.ReLU(inplace=True)(x) is x and (x >= 0).all()
    y = ember.tensor([-1.0, 2.0])
    F.relu_(y)
    F.elu_(y)
    F.leaky_relu_(y)
    F.hardtanh_(y)
    np.testing.assert_allclose(y.numpy(), [0.0, 1.0])


def test_softplus_large_inputs_stay_finite():
    x = ember.tensor([-1000.0, 0.0, 30.0, 1000.0])
    np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, np.log(2.0), 30.0, 1000.0], rtol=1e-6)
    np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-1000.0, -np.log(2.0), -9.357623e-14, 0.0], atol=1e-6)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.ones(1), approximate="fast")


def test_glu_odd_error_matches_torch():
    expr, (etype, message) = meta()["errors"]["glu_odd"]
    with pytest.raises(RuntimeError) as info:
        eval(expr, env())
    assert str(info.value) == message


def test_gumbel_softmax():
    ember.manual_seed(0)
    logits = ember.randn(4, 5, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), np.ones(4), rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(hard.detach().numpy())) <= {0.0, 1.0} and (hard.sum(-1) == 1).all()
    hard.sum().backward()
    assert logits.grad is not None
