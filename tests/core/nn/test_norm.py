"""nn/functional/_norm.py, nn/modules/batchnorm.py and normalization.py: torch parity (recorded fixtures, train
and eval, running statistics), gradcheck and gradgradcheck in float64, errors, buffers and reprs."""

import importlib.util
import pathlib

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

_spec = importlib.util.spec_from_file_location(
    "nn_conv_parity", pathlib.Path(__file__).with_name("fixtures") / "nn_conv_parity.py")
_parity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_parity)


@pytest.mark.parametrize("name", _parity.case_names("batch_norm", "layer_norm", "group_norm", "instance_norm",
                                                     "local_response", "rms_norm"))
def test_matches_torch(name):
    _parity.run_case(name)


def _r(*shape, seed=0, scale=1.0, shift=0.0):
    g = np.random.default_rng(seed + 7 * len(shape))
    return ember.tensor(g.standard_normal(shape) * scale + shift, requires_grad=True)


GRAD_CASES = [
    ("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 2, 4), (2,)),
    ("batch_norm_train_noaffine", lambda x: F.batch_norm(x, None, None, training=True), (4, 3), None),
    ("batch_norm_eval", lambda x, w, b: F.batch_norm(
        x, ember.tensor([0.1, -0.2], dtype=ember.float64), ember.tensor([0.5, 2.0], dtype=ember.float64), w, b),
     (3, 2, 2, 2), (2,)),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (2, 3), w, b), (2, 2, 3), (2, 3)),
    ("layer_norm_noaffine", lambda x: F.layer_norm(x, (4,)), (3, 4), None),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,)),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 2, 4), (2,)),
    ("rms_norm", lambda x, w: F.rms_norm(x, (3,), w), (2, 2, 3), (3,)),
    ("local_response_norm", lambda x: F.local_response_norm(x, 3, alpha=0.5), (2, 4, 2, 2), None),
    ("local_response_norm_3d", lambda x: F.local_response_norm(x, 2, alpha=0.5, k=1.5), (2, 4, 3), None),
]


@pytest.mark.parametrize("name,fn,xs,ps", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_and_gradgradcheck(name, fn, xs, ps):
    inputs = [_r(*xs)]
    if ps is not None:
        n_params = fn.__code__.co_argcount - 1
        inputs += [_r(*ps, seed=i + 1, shift=1.0) for i in range(n_params)]
    assert gradcheck(fn, tuple(inputs))
    assert gradgradcheck(fn, tuple(inputs))


def test_batch_norm_matches_numpy_and_updates_running_stats():
    rng = np.random.default_rng(3)
    xa = rng.standard_normal((6, 3, 4)) * 2 + 1
    x = ember.tensor(xa)
    rm, rv = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    y = F.batch_norm(x, rm, rv, training=True, momentum=0.25, eps=1e-5)
    mean, var = xa.mean(axis=(0, 2)), xa.var(axis=(0, 2))
    ref = (xa - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), 0.25 * mean, rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), 0.75 + 0.25 * xa.var(axis=(0, 2), ddof=1), rtol=1e-12)


def test_batch_norm_module_momentum_none_is_cumulative_average():
    m = nn.BatchNorm1d(2, momentum=None).double()
    batches = [ember.tensor(np.random.default_rng(i).standard_normal((5, 2))) for i in range(3)]
    for b in batches:
        m(b)
    means = np.mean([b.numpy().mean(0) for b in batches], axis=0)
    np.testing.assert_allclose(m.running_mean.numpy(), means, rtol=1e-12)
    assert int(m.num_batches_tracked.item()) == 3
    m.eval()
    x = batches[0]
    ref = (x.numpy() - m.running_mean.numpy()) / np.sqrt(m.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(m(x).detach().numpy(), ref, rtol=1e-10)


def test_batch_norm_buffers_and_state_dict():
    m = nn.BatchNorm2d(3)
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert m.num_batches_tracked.dtype == ember.int64
    assert list(nn.BatchNorm2d(3, affine=False, track_running_stats=False).state_dict()) == []
    assert list(nn.BatchNorm2d(3, bias=False).state_dict()) == ["weight", "running_mean", "running_var",
                                                                 "num_batches_tracked"]
    m.train()
    m(ember.randn(2, 3, 2, 2))
    assert int(m.num_batches_tracked.item()) == 1
    old = {k: v for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    fresh = nn.BatchNorm2d(3)
    fresh.load_state_dict(old, strict=False)
    assert int(fresh.num_batches_tracked.item()) == 0


def test_eval_without_running_stats_uses_batch_stats():
    m = nn.BatchNorm1d(2, track_running_stats=False).eval()
    x = ember.randn(8, 2)
    y = m(x).detach().numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)


def test_instance_norm_running_stats_average_over_batch():
    m = nn.InstanceNorm1d(2, track_running_stats=True, momentum=1.0).double()
    xa = np.random.default_rng(0).standard_normal((3, 2, 5))
    m(ember.tensor(xa))
    np.testing.assert_allclose(m.running_mean.numpy(), xa.mean(axis=2).mean(0), rtol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), xa.var(axis=2, ddof=1).mean(0), rtol=1e-12)


def test_layer_norm_large_offset_stays_accurate():
    x = _r(4, 64, shift=1000.0)
    y = F.layer_norm(x.float(), (64,)).detach().numpy()
    xa = x.detach().numpy()
    ref = (xa - xa.mean(1, keepdims=True)) / np.sqrt(xa.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-3, atol=1e-3)


def test_rms_norm_default_eps_is_machine_epsilon():
    x = ember.zeros(1, 4)
    x.requires_grad_(False)
    y = F.rms_norm(x + 1e-4, (4,))
    expected = 1e-4 / np.sqrt(1e-8 + np.finfo(np.float32).eps)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4)


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


def test_errors_match_torch():
    _raises(ValueError, "Expected more than 1 value per channel when training, got input size",
            lambda: F.batch_norm(ember.randn(1, 3), ember.zeros(3), ember.ones(3), training=True))
    _raises(RuntimeError, "running_mean should contain 3 elements not 4",
            lambda: F.batch_norm(ember.randn(4, 3), ember.zeros(4), ember.ones(4), training=True))
    _raises(ValueError, "expected 4D input (got 3D input)", lambda: nn.BatchNorm2d(3)(ember.randn(4, 3, 2)))
    _raises(ValueError, "expected 2D or 3D input (got 4D input)", lambda: nn.BatchNorm1d(3)(ember.randn(4, 3, 2, 2)))
    _raises(RuntimeError, "Given normalized_shape=[4], expected input with shape [*, 4], but got input of "
            "size[4, 3]", lambda: F.layer_norm(ember.randn(4, 3), (4,)))
    _raises(RuntimeError, "Expected number of channels in input to be divisible by num_groups, but got input of "
            "shape [4, 6] and num_groups=4", lambda: F.group_norm(ember.randn(4, 6), 4))
    _raises(ValueError, "Expected more than 1 spatial element when training, got input size",
            lambda: F.instance_norm(ember.randn(2, 3, 1)))
    _raises(ValueError, "num_channels (6) must be divisible by num_groups (4)", lambda: nn.GroupNorm(4, 6))
    _raises(ValueError, "Expected 3D or higher dimensionality input (got 2 dimensions)",
            lambda: F.local_response_norm(ember.randn(2, 3), 2))


def test_module_reprs_match_torch():
    assert repr(nn.BatchNorm2d(3, momentum=None)) == \
        "BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    assert repr(nn.InstanceNorm2d(3)) == \
        "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"
    assert repr(nn.LayerNorm((3, 4), bias=False)) == \
        "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=False)"
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"


@pytest.mark.filterwarnings("ignore:Lazy modules")
def test_lazy_norms_infer_num_features():
    b = nn.LazyBatchNorm2d()
    b(ember.randn(4, 5, 3, 3))
    assert type(b) is nn.BatchNorm2d and b.num_features == 5
    assert list(b.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert int(b.num_batches_tracked.item()) == 1
    np.testing.assert_array_equal(b.weight.detach().numpy(), np.ones(5, np.float32))
    i = nn.LazyInstanceNorm1d(affine=True)
    i(ember.randn(2, 3, 6))
    assert type(i) is nn.InstanceNorm1d and list(i.state_dict()) == ["weight", "bias"]
