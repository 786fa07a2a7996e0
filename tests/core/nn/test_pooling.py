"""nn/functional/_pooling.py and nn/modules/pooling.py: torch parity (recorded fixtures), gradcheck and
gradgradcheck in float64, index conventions, errors, module reprs."""

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


@pytest.mark.parametrize("name", _parity.case_names("max_pool", "avg_pool", "adaptive", "max_unpool", "lp_pool"))
def test_matches_torch(name):
    _parity.run_case(name)


def _distinct(*shape, seed=0):
    """Well-separated values (a shuffled range): no ties, so max pooling is differentiable at the point."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return ember.tensor(rng.permutation(n).reshape(shape) * 0.37 + rng.uniform(-0.05, 0.05, shape),
                        requires_grad=True)


def _r(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2, padding=1), _distinct(2, 2, 7)),
    ("max_pool2d_ceil_dilated", lambda x: F.max_pool2d(x, (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1),
                                                       ceil_mode=True), _distinct(1, 2, 5, 6)),
    ("max_pool2d_overlapping", lambda x: F.max_pool2d(x, 3, stride=1), _distinct(1, 2, 5, 5)),
    ("max_pool3d", lambda x: F.max_pool3d(x, 2, stride=(1, 2, 2)), _distinct(1, 1, 3, 4, 4)),
    ("avg_pool1d_excl", lambda x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), _r(2, 2, 8)),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), _r(1, 2, 5, 6)),
    ("avg_pool2d_divisor", lambda x: F.avg_pool2d(x, 2, stride=1, divisor_override=3), _r(1, 2, 4, 4)),
    ("avg_pool3d", lambda x: F.avg_pool3d(x, 2, stride=1, padding=1, count_include_pad=False), _r(1, 1, 2, 3, 3)),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3), _r(2, 2, 7)),
    ("adaptive_avg_pool2d_uneven", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), _r(1, 2, 5, 7)),
    ("adaptive_avg_pool2d_tiled", lambda x: F.adaptive_avg_pool2d(x, 2), _r(1, 2, 4, 4)),
    ("adaptive_max_pool2d_uneven", lambda x: F.adaptive_max_pool2d(x, (3, 2)), _distinct(1, 2, 5, 7)),
    ("adaptive_max_pool2d_tiled", lambda x: F.adaptive_max_pool2d(x, 2), _distinct(1, 2, 4, 4)),
    ("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 3), _distinct(2, 2, 7)),
    ("max_unpool2d", lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2), _distinct(1, 2, 4, 4)),
    ("lp_pool2d", lambda x: F.lp_pool2d(x, 2, 2), _distinct(1, 1, 4, 4)),
]


@pytest.mark.parametrize("name,fn,x", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_and_gradgradcheck(name, fn, x):
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_max_pool_indices_are_flat_plane_positions():
    x = ember.tensor([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 1.0], [0.0, 0.0, 0.0, 7.0], [8.0, 0.0, 6.0, 0.0]]]])
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy()[0, 0], [[5, 9], [8, 7]])
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[1, 6], [12, 11]])
    assert idx.dtype == ember.int64
    back = F.max_unpool2d(out, idx, 2)
    np.testing.assert_array_equal(back.numpy()[0, 0], np.where(x.numpy()[0, 0] == np.array(
        [[5, 5, 9, 9], [5, 5, 9, 9], [8, 8, 7, 7], [8, 8, 7, 7]]), x.numpy()[0, 0], 0))


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = ember.zeros(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0], [0, 0]])


def test_max_pool_propagates_nan():
    x = ember.tensor([[[1.0, float("nan"), 3.0, 2.0]]])
    out = F.max_pool1d(x, 2).numpy()[0, 0]
    assert np.isnan(out[0]) and out[1] == 3.0


def test_unbatched_input():
    x = ember.randn(3, 6, 6)
    np.testing.assert_allclose(F.max_pool2d(x, 2).numpy(), F.max_pool2d(x.unsqueeze(0), 2)[0].numpy())
    np.testing.assert_allclose(F.avg_pool2d(x, 3, 1, 1).numpy(), F.avg_pool2d(x.unsqueeze(0), 3, 1, 1)[0].numpy())


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


def test_errors_match_torch():
    _raises(RuntimeError, "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
            "dilation=1", lambda: F.max_pool2d(ember.randn(2, 3, 8, 8), 3, padding=2))
    _raises(RuntimeError, "Given input size: (3x2x2). Calculated output size: (3x0x0). Output size is too small",
            lambda: F.max_pool2d(ember.randn(2, 3, 2, 2), 3))
    _raises(RuntimeError, "Given input size: (3x2x2). Calculated output size: (3x0x0). Output size is too small",
            lambda: F.avg_pool2d(ember.randn(2, 3, 2, 2), 3))
    _raises(RuntimeError, "stride should not be zero", lambda: F.max_pool2d(ember.randn(2, 3, 8, 8), 2, stride=0))
    _raises(RuntimeError, "Expected 3D or 4D", lambda: F.max_pool2d(ember.randn(3, 8), 2))
    _raises(RuntimeError, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [8]",
            lambda: F.adaptive_avg_pool2d(ember.randn(8), 2))
    idx = ember.tensor([[[[0, 1], [2, 100]]]])
    _raises(RuntimeError, "Found an invalid max index: 100 (output volumes are of size 4x4)",
            lambda: F.max_unpool2d(ember.randn(1, 1, 2, 2), idx, 2))
    _raises(ValueError, "invalid output_size", lambda: F.max_unpool2d(ember.randn(1, 1, 2, 2), idx * 0, 2,
                                                                      output_size=(9, 9)))


def test_module_reprs_match_torch():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.AdaptiveMaxPool2d((2, None))) == "AdaptiveMaxPool2d(output_size=(2, None))"
    assert repr(nn.LPPool2d(2, 3)) == "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"
    assert list(nn.MaxPool2d(2).state_dict()) == []


def test_modules_return_indices():
    out, idx = nn.MaxPool2d(2, return_indices=True)(ember.randn(1, 2, 4, 4))
    assert out.shape == idx.shape == (1, 2, 2, 2)
    out, idx = nn.AdaptiveMaxPool2d(3, return_indices=True)(ember.randn(1, 2, 7, 5))
    assert out.shape == idx.shape == (1, 2, 3, 3)
    back = nn.MaxUnpool2d(2)(*nn.MaxPool2d(2, return_indices=True)(ember.randn(1, 2, 4, 4)))
    assert back.shape == (1, 2, 4, 4)


def test_adaptive_max_pool3d_and_lp_pool3d_gradcheck():
    x = _distinct(1, 1, 3, 4, 5)
    for fn in (lambda x: F.adaptive_max_pool3d(x, (2, 3, 2)), lambda x: F.adaptive_max_pool3d(x, (3, 2, 5)),
               lambda x: F.lp_pool3d(x, 2, 2, stride=1)):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))
    out, idx = nn.AdaptiveMaxPool3d(1, return_indices=True)(x)
    assert int(idx.item()) == int(np.argmax(x.detach().numpy()))
