"""nn/functional/_padding.py and nn/modules/padding.py: torch parity, NumPy's pad modes, gradcheck and
gradgradcheck in float64, negative (cropping) pads, errors and reprs."""

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


@pytest.mark.parametrize("name", _parity.case_names("zero_pad", "constant_pad", "reflection_pad",
                                                     "replication_pad", "circular_pad", "pad_"))
def test_matches_torch(name):
    _parity.run_case(name)


_NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_matches_numpy_pad(mode):
    xa = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    y = F.pad(ember.tensor(xa), (2, 1, 3, 0), mode=mode)
    ref = np.pad(xa, ((0, 0), (0, 0), (3, 0), (2, 1)), mode=_NUMPY_MODE[mode])
    np.testing.assert_array_equal(y.numpy(), ref)


def _r(*shape):
    return ember.tensor(np.random.default_rng(sum(shape)).standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("constant_crop", lambda x: F.pad(x, (2, -1, -1, 1), value=0.5), (1, 2, 3, 4)),
    ("constant_5d", lambda x: F.pad(x, (1, 0, 0, 1, 1, 1)), (1, 1, 2, 2, 2)),
    ("reflect_1d", lambda x: F.pad(x, (3, 2), mode="reflect"), (2, 2, 4)),
    ("reflect_2d", lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"), (1, 2, 3, 4)),
    ("replicate_2d_crop", lambda x: F.pad(x, (3, -1, 0, 2), mode="replicate"), (1, 2, 3, 4)),
    ("circular_2d", lambda x: F.pad(x, (2, 1, 1, 3), mode="circular"), (1, 1, 3, 4)),
    ("replicate_3d", lambda x: F.pad(x, (1, 1, 0, 1, 1, 0), mode="replicate"), (1, 1, 2, 2, 3)),
]


@pytest.mark.parametrize("name,fn,shape", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_and_gradgradcheck(name, fn, shape):
    x = _r(*shape)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_replicate_gradient_collects_the_edges():
    x = ember.ones(1, 1, 3, requires_grad=True)
    F.pad(x, (2, 3), mode="replicate").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [3, 1, 4])


def test_integer_constant_pad_casts_value():
    y = F.pad(ember.arange(6).reshape(2, 3), (1, 1), value=1.5)
    assert y.dtype == ember.int64
    np.testing.assert_array_equal(y.numpy(), [[1, 0, 1, 2, 1], [1, 3, 4, 5, 1]])


def test_grad_fn_names():
    x = _r(1, 2, 3, 4)
    assert F.pad(x, (1, 1, 1, 1), mode="reflect").grad_fn.name() == "ReflectionPad2DBackward0"
    assert F.pad(x[0], (1, 1), mode="replicate").grad_fn.name() == "ReplicationPad1DBackward0"
    assert F.pad(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


def test_errors_match_torch():
    _raises(RuntimeError, "Padding length must be divisible by 2", lambda: F.pad(ember.randn(4, 6), (1, 2, 3)))
    _raises(RuntimeError, "Padding length should be less than or equal to two times the input dimension but got "
            "padding length 8 and input of dimension 3", lambda: F.pad(ember.randn(1, 2, 6), (1,) * 8))
    _raises(NotImplementedError, "Padding size 6 is not supported for 3D input tensor.",
            lambda: F.pad(ember.randn(2, 4, 6), (1,) * 6, mode="reflect"))
    _raises(NotImplementedError, "Unrecognised padding mode foo", lambda: F.pad(ember.randn(4, 6), (1, 1), mode="foo"))
    _raises(RuntimeError, "Argument #4: Padding size should be less than the corresponding input dimension, but "
            "got: padding (6, 0) at dimension 2 of input [1, 2, 6]",
            lambda: F.pad(ember.randn(1, 2, 6), (6, 0), mode="reflect"))
    _raises(RuntimeError, "Padding value causes wrapping around more than once.",
            lambda: F.pad(ember.randn(1, 2, 6), (7, 0), mode="circular"))
    _raises(RuntimeError, 'Padding mode "reflect" doesn\'t take in value argument',
            lambda: F.pad(ember.randn(1, 2, 6), (1, 1), mode="reflect", value=3.5))


def test_module_reprs_match_torch():
    assert repr(nn.ZeroPad2d((1, 2, 3, 4))) == "ZeroPad2d((1, 2, 3, 4))"
    assert repr(nn.ReflectionPad1d(2)) == "ReflectionPad1d((2, 2))"
    assert repr(nn.ConstantPad2d(1, 3.5)) == "ConstantPad2d(padding=(1, 1, 1, 1), value=3.5)"
    assert repr(nn.ReplicationPad2d((1, 0, 2, 0))) == "ReplicationPad2d((1, 0, 2, 0))"
    assert nn.ConstantPad3d(2, 1).padding == (2,) * 6


def test_circular_wraps_within_the_cropped_input():
    """torch crops negative pads first, then wraps around what is left (values recorded from torch 2.13)."""
    x = ember.arange(6.0).reshape(1, 1, 6)
    np.testing.assert_array_equal(F.pad(x, (1, -1), mode="circular").numpy()[0, 0], [4, 0, 1, 2, 3, 4])
    np.testing.assert_array_equal(F.pad(x, (-1, 2), mode="circular").numpy()[0, 0], [1, 2, 3, 4, 5, 1, 2])
    np.testing.assert_array_equal(F.pad(x, (2, -3), mode="circular").numpy()[0, 0], [1, 2, 0, 1, 2])
