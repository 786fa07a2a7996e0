"""nn/functional/_vision.py and the pixelshuffle/upsampling/channelshuffle modules: torch parity, gradcheck and
gradgradcheck in float64 for every interpolate mode and grid_sample padding mode, errors and reprs."""

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


@pytest.mark.parametrize("name", _parity.case_names("pixel_", "channel_shuffle", "upsampl", "interpolate",
                                                     "grid_sample", "affine_grid"))
def test_matches_torch(name):
    _parity.run_case(name)


def _r(*shape, lo=None, hi=None, seed=0):
    g = np.random.default_rng(seed + sum(shape))
    data = g.standard_normal(shape) if lo is None else g.uniform(lo, hi, shape)
    return ember.tensor(data, requires_grad=True)


INTERP_CASES = [
    ("nearest", lambda x: F.interpolate(x, scale_factor=2), (1, 2, 2, 3)),
    ("nearest_exact_down", lambda x: F.interpolate(x, size=(2, 3), mode="nearest-exact"), (1, 1, 5, 4)),
    ("linear", lambda x: F.interpolate(x, size=7, mode="linear"), (2, 2, 4)),
    ("bilinear", lambda x: F.interpolate(x, scale_factor=(1.5, 2), mode="bilinear"), (1, 2, 3, 3)),
    ("bilinear_align_corners", lambda x: F.interpolate(x, size=(4, 5), mode="bilinear", align_corners=True),
     (1, 1, 3, 3)),
    ("bicubic", lambda x: F.interpolate(x, size=(5, 3), mode="bicubic"), (1, 1, 4, 4)),
    ("trilinear", lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"), (1, 1, 2, 2, 2)),
    ("area", lambda x: F.interpolate(x, size=(2, 3), mode="area"), (1, 2, 5, 4)),
]


@pytest.mark.parametrize("name,fn,shape", INTERP_CASES, ids=[c[0] for c in INTERP_CASES])
def test_interpolate_gradcheck_and_gradgradcheck(name, fn, shape):
    x = _r(*shape)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("mode,padding_mode,align_corners", [
    ("bilinear", "zeros", False), ("bilinear", "border", True), ("bilinear", "reflection", False),
    ("bilinear", "reflection", True), ("nearest", "zeros", False)])
def test_grid_sample_gradcheck_and_gradgradcheck(mode, padding_mode, align_corners):
    x = _r(1, 2, 3, 4)
    grid = _r(1, 2, 3, 2, lo=-1.4, hi=1.4, seed=1)
    fn = lambda x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    assert gradcheck(fn, (x, grid))
    assert gradgradcheck(fn, (x, grid))


def test_affine_grid_and_shuffles_gradcheck():
    theta = _r(2, 2, 3)
    assert gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=False), (theta,))
    assert gradgradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=True), (theta,))
    x = _r(1, 8, 2, 2)
    assert gradcheck(lambda x: F.pixel_shuffle(x, 2), (x,))
    assert gradcheck(lambda x: F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2), (x,))
    assert gradcheck(lambda x: F.channel_shuffle(x, 4), (x,))


def test_identity_affine_grid_samples_the_input_back():
    x = ember.randn(2, 3, 5, 6, dtype=ember.float64)
    theta = ember.tensor([[[1.0, 0, 0], [0, 1.0, 0]]] * 2, dtype=ember.float64)
    for ac in (False, True):
        grid = F.affine_grid(theta, (2, 3, 5, 6), align_corners=ac)
        np.testing.assert_allclose(F.grid_sample(x, grid, align_corners=ac).numpy(), x.numpy(), atol=1e-12)


def test_pixel_shuffle_roundtrip_and_layout():
    x = ember.arange(16.0).reshape(1, 4, 2, 2)
    y = F.pixel_shuffle(x, 2)
    np.testing.assert_array_equal(y.numpy()[0, 0], [[0, 4, 1, 5], [8, 12, 9, 13], [2, 6, 3, 7], [10, 14, 11, 15]])
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 2).numpy(), x.numpy())


def test_nearest_integer_input_and_same_size_copy():
    x = ember.arange(6).reshape(1, 1, 2, 3)
    y = F.interpolate(x, scale_factor=2)
    assert y.dtype == ember.int64 and y.shape == (1, 1, 4, 6)
    same = F.interpolate(x.float(), size=(2, 3), mode="bilinear")
    np.testing.assert_array_equal(same.numpy(), x.float().numpy())


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


def test_errors_match_torch():
    x4 = ember.randn(1, 2, 4, 4)
    _raises(NotImplementedError, "Got 4D input, but linear mode needs 3D input",
            lambda: F.interpolate(x4, scale_factor=2, mode="linear"))
    _raises(ValueError, "only one of size or scale_factor should be defined",
            lambda: F.interpolate(x4, size=3, scale_factor=2))
    _raises(ValueError, "either size or scale_factor should be defined", lambda: F.interpolate(x4))
    _raises(ValueError, "align_corners option can only be set with the interpolating modes",
            lambda: F.interpolate(x4, scale_factor=2, align_corners=True))
    _raises(ValueError, "Input and output must have the same number of spatial dimensions",
            lambda: F.interpolate(x4, size=(3,)))
    _raises(RuntimeError, "grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
            "[1, 3, 3, 3]", lambda: F.grid_sample(x4, ember.randn(1, 3, 3, 3)))
    _raises(RuntimeError, "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
            "upscale_factor, but input.size(-3)=5 is not divisible by 4",
            lambda: F.pixel_shuffle(ember.randn(1, 5, 2, 2), 2))
    _raises(RuntimeError, "Number of channels must be divisible by groups. Got 5 channels and 2 groups.",
            lambda: F.channel_shuffle(ember.randn(1, 5, 2, 2), 2))
    _raises(ValueError, "Expected a batch of 2D affine matrices of shape Nx2x3",
            lambda: F.affine_grid(ember.randn(2, 3, 3), (2, 1, 4, 4)))


def test_module_reprs_match_torch():
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(4, 5), mode="bilinear")) == "Upsample(size=(4, 5), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"
    assert repr(nn.PixelShuffle(3)) == "PixelShuffle(upscale_factor=3)"
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"
    assert repr(nn.ChannelShuffle(2)) == "ChannelShuffle(groups=2)"


def test_nearest_scale_factor_quirks_follow_torch():
    """torch's 2-D nearest kernel copies an unchanged axis (and halves a doubled one) whatever scale_factor
    says; its 1-D kernel applies the scale. Values recorded from torch 2.13."""
    x2 = ember.arange(8.0).reshape(1, 1, 2, 4)
    np.testing.assert_array_equal(F.interpolate(x2, scale_factor=1.3).numpy()[0, 0],
                                  [[0, 0, 1, 2, 3], [4, 4, 5, 6, 7]])
    x1 = ember.arange(3.0).reshape(1, 1, 3)
    np.testing.assert_array_equal(F.interpolate(x1, scale_factor=1.3).numpy()[0, 0], [0, 0, 1])
    np.testing.assert_array_equal(F.interpolate(x1, scale_factor=2.2).numpy()[0, 0], [0, 0, 0, 1, 1, 2])
