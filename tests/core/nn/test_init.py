"""nn/init.py: gains and fans as torch, distributions of every initialiser, deterministic fills against torch."""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init

from .parity import arrays, env, meta


@pytest.mark.parametrize("name,param,gain", meta()["gains"])
def test_calculate_gain_matches_torch(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.parametrize("shape,fans", meta()["fans"])
def test_fans_match_torch(shape, fans):
    assert list(init._calculate_fan_in_and_fan_out(ember.zeros(*shape))) == fans


@pytest.mark.parametrize("key", ["kaiming_mode", "gain", "fan_1d"])
def test_errors_match_torch(key):
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        eval(expr, env())
    assert type(info.value).__name__ == etype and str(info.value) == message


def test_deterministic_fills_match_torch():
    a = arrays()
    t = ember.zeros(3, 2, 3)
    init.dirac_(t)
    np.testing.assert_array_equal(t.numpy(), a["init/dirac_3d"])
    t = ember.zeros(4, 2, 3, 3)
    init.dirac_(t, groups=2)
    np.testing.assert_array_equal(t.numpy(), a["init/dirac_4d_groups"])
    t = ember.zeros(3, 5)
    init.eye_(t)
    np.testing.assert_array_equal(t.numpy(), a["init/eye"])
    assert init.constant_(ember.zeros(2), 0.5).sum().item() == 1.0
    assert init.ones_(ember.zeros(2)).sum().item() == 2.0
    assert init.zeros_(ember.ones(2)).sum().item() == 0.0


def _big(*shape):
    return ember.empty(*shape)


def test_uniform_and_normal():
    ember.manual_seed(0)
    u = init.uniform_(_big(400, 300), -2.0, 3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.02
    n = init.normal_(_big(400, 300), 1.0, 2.0).numpy()
    assert abs(n.mean() - 1.0) < 0.02 and abs(n.std() - 2.0) < 0.02


def test_trunc_normal_respects_bounds():
    ember.manual_seed(1)
    t = init.trunc_normal_(_big(400, 300), mean=0.5, std=1.0, a=-0.5, b=1.0).numpy()
    assert t.min() >= -0.5 and t.max() <= 1.0
    # mean of N(0.5, 1) truncated to [-0.5, 1]: 0.5 + (phi(-1) - phi(0.5)) / (Phi(0.5) - Phi(-1))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    assert abs(t.mean() - (0.5 + (phi(-1) - phi(0.5)) / (cdf(0.5) - cdf(-1)))) < 0.01


@pytest.mark.parametrize("fn,expected_std", [
    (lambda t: init.xavier_uniform_(t), math.sqrt(2.0 / (300 + 200))),
    (lambda t: init.xavier_normal_(t, gain=2.0), 2.0 * math.sqrt(2.0 / (300 + 200))),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2.0) / math.sqrt(300)),
    (lambda t: init.kaiming_normal_(t, mode="fan_out"), math.sqrt(2.0 / (1 + 0.0)) / math.sqrt(200)),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), math.sqrt(2.0 / 6) / math.sqrt(300)),
])
def test_fan_based_stds(fn, expected_std):
    ember.manual_seed(2)
    t = fn(_big(200, 300)).numpy()
    assert abs(t.std() / expected_std - 1) < 0.02 and abs(t.mean()) < 0.01 * 3


def test_orthogonal():
    ember.manual_seed(3)
    tall = init.orthogonal_(_big(6, 4)).numpy().astype(np.float64)
    np.testing.assert_allclose(tall.T @ tall, np.eye(4), atol=1e-5)
    wide = init.orthogonal_(_big(3, 2, 4), gain=2.0).numpy().reshape(3, 8).astype(np.float64)
    np.testing.assert_allclose(wide @ wide.T, 4 * np.eye(3), atol=1e-4)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(ember.zeros(3))


def test_sparse_init():
    ember.manual_seed(4)
    t = init.sparse_(_big(10, 6), sparsity=0.3).numpy()
    assert all((t[:, c] == 0).sum() >= 3 for c in range(6))


def test_initialisers_run_outside_autograd_and_accept_generators():
    p = nn.Parameter(ember.zeros(3, 4))
    init.kaiming_uniform_(p)
    assert p.grad_fn is None and p.requires_grad and p.abs().sum().item() > 0
    g1 = ember.Generator().manual_seed(5)
    g2 = ember.Generator().manual_seed(5)
    a = init.normal_(ember.empty(5), generator=g1).numpy()
    b = init.normal_(ember.empty(5), generator=g2).numpy()
    np.testing.assert_array_equal(a, b)


def test_zero_element_tensor_is_a_no_op():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))


def test_deprecated_aliases_warn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init.normal(ember.empty(3))
    assert any("deprecated" in str(w.message) for w in caught)
