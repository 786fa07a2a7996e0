"""nn/functional/_conv.py and nn/modules/conv.py, fold.py: torch parity (recorded fixtures), gradcheck and
gradgradcheck in float64, torch's error messages, module construction and defaults."""

import importlib.util
import math
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


@pytest.mark.parametrize("name", _parity.case_names("conv", "unfold", "fold"))
def test_matches_torch(name):
    _parity.run_case(name)


def _r(*shape, seed=0):
    g = np.random.default_rng(seed + sum(shape))
    return ember.tensor(g.standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("conv1d_stride_pad", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), (2, 2, 7), (3, 2, 3), 3),
    ("conv1d_same_dilated_groups", lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=2, groups=2),
     (1, 4, 6), (2, 2, 2), 2),
    ("conv2d_stride_dilation_groups",
     lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
     (2, 4, 5, 6), (6, 2, 3, 2), 6),
    ("conv2d_same_even_kernel", lambda x, w, b: F.conv2d(x, w, b, padding="same"), (1, 2, 4, 4), (2, 2, 2, 3), 2),
    ("conv2d_no_bias_valid", lambda x, w: F.conv2d(x, w, padding="valid"), (2, 2, 4, 4), (3, 2, 3, 3), None),
    ("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1), (1, 2, 3, 4, 3), (2, 2, 2, 2, 2), 2),
    ("conv_transpose1d_output_padding",
     lambda y, w, b: F.conv_transpose1d(y, w, b, stride=2, padding=1, output_padding=1), (2, 2, 4), (2, 3, 3), 3),
    ("conv_transpose2d_groups_output_padding",
     lambda y, w, b: F.conv_transpose2d(y, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2),
     (1, 4, 3, 3), (4, 2, 3, 2), 4),
    ("conv_transpose1d_output_padding_below_dilation",
     lambda y, w: F.conv_transpose1d(y, w, stride=1, padding=1, output_padding=1, dilation=2), (2, 2, 4), (2, 2, 3),
     None),
]


@pytest.mark.parametrize("name,fn,xs,ws,bs", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_and_gradgradcheck(name, fn, xs, ws, bs):
    inputs = (_r(*xs), _r(*ws, seed=1)) + ((_r(bs, seed=2),) if bs else ())
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_unfold_fold_gradcheck_and_gradgradcheck():
    unf = lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    fold = lambda c: F.fold(c, (4, 5), (2, 2), stride=2, padding=1)
    for fn, x in ((unf, _r(1, 2, 4, 5)), (fold, _r(1, 8, 9))):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_unfold_then_fold_counts_window_overlaps():
    x = ember.ones(1, 1, 4, 4, dtype=ember.float64)
    counts = F.fold(F.unfold(x, 3, padding=1), (4, 4), 3, padding=1)
    expected = np.array([[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]], dtype=np.float64)
    np.testing.assert_array_equal(counts.numpy()[0, 0], expected)


def test_conv_is_unfold_times_weight():
    x, w = _r(2, 3, 6, 5), _r(4, 3, 3, 2, seed=1)
    cols = F.unfold(x, (3, 2), padding=1, stride=2)  # (N, C*kh*kw, L)
    via_unfold = (w.reshape(4, -1) @ cols).reshape(2, 4, 3, 3)
    np.testing.assert_allclose(F.conv2d(x, w, padding=1, stride=2).detach().numpy(), via_unfold.detach().numpy(),
                               rtol=1e-12, atol=1e-12)


def test_second_order_gradient_of_a_gradient_penalty():
    """d/dw of |d conv(x, w)/dx|^2 flows through the conv family's own backward ops."""
    x, w = _r(1, 2, 5, 5), _r(3, 2, 3, 3, seed=1)
    (gx,) = ember.autograd.grad(F.conv2d(x, w, padding=1).pow(2).sum(), x, create_graph=True)
    penalty = gx.pow(2).sum()
    penalty.backward()
    assert w.grad is not None and x.grad is not None
    assert float(w.grad.abs().sum()) > 0
    assert gx.grad_fn.name() == "ConvolutionBackward0"


def test_grad_fn_name():
    assert F.conv2d(_r(1, 1, 3, 3), _r(1, 1, 2, 2)).grad_fn.name() == "ConvolutionBackward0"
    assert F.conv_transpose2d(_r(1, 1, 3, 3), _r(1, 1, 2, 2)).grad_fn.name() == "ConvolutionBackward0"


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


def test_errors_match_torch():
    w = ember.randn(8, 3, 3, 3)
    _raises(RuntimeError, "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 "
            "channels, but got 4 channels instead", lambda: F.conv2d(ember.randn(2, 4, 8, 8), w))
    _raises(RuntimeError, "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
            "can't be greater than actual input size", lambda: F.conv2d(ember.randn(2, 3, 2, 2), w))
    _raises(RuntimeError, "Kernel size: (5 x 5)", lambda: F.conv2d(ember.randn(2, 3, 4, 4), w, dilation=2))
    _raises(RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]",
            lambda: F.conv2d(ember.randn(2, 3), w))
    _raises(RuntimeError, "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of "
            "size [[3, 2, 3, 3]] instead", lambda: F.conv2d(ember.randn(2, 4, 8, 8), ember.randn(3, 2, 3, 3),
                                                           groups=2))
    _raises(RuntimeError, "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same",
            lambda: F.conv2d(ember.randn(2, 3, 8, 8), w.double()))
    _raises(RuntimeError, "Input type (float) and bias type (double) should be the same",
            lambda: F.conv2d(ember.randn(2, 3, 8, 8), w, ember.randn(8).double()))
    _raises(RuntimeError, "Given weight of size [8, 3, 3, 3], expected bias to be 1-dimensional with 8 elements, "
            "but got bias of size [7] instead", lambda: F.conv2d(ember.randn(2, 3, 8, 8), w, ember.randn(7)))
    _raises(RuntimeError, "non-positive stride is not supported", lambda: F.conv2d(ember.randn(2, 3, 8, 8), w,
                                                                                   stride=0))
    _raises(RuntimeError, "negative padding is not supported", lambda: F.conv2d(ember.randn(2, 3, 8, 8), w,
                                                                                padding=-1))
    _raises(RuntimeError, "padding='same' is not supported for strided convolutions",
            lambda: F.conv2d(ember.randn(2, 3, 8, 8), w, padding="same", stride=2))
    _raises(RuntimeError, "Invalid padding string: 'foo'", lambda: F.conv2d(ember.randn(2, 3, 8, 8), w,
                                                                            padding="foo"))
    _raises(RuntimeError, "non-positive dilation is not supported", lambda: F.conv2d(ember.randn(2, 3, 8, 8), w,
                                                                                     dilation=0))
    _raises(RuntimeError, "expected padding to be a single integer value or a list of 1 values to match the "
            "convolution dimensions, but got padding=[1, 1]",
            lambda: F.conv1d(ember.randn(2, 3, 8), ember.randn(4, 3, 3), padding=(1, 1)))
    _raises(RuntimeError, "Given transposed=1, weight of size [4, 4, 3, 3], expected input[2, 3, 8, 8] to have 4 "
            "channels, but got 3 channels instead",
            lambda: F.conv_transpose2d(ember.randn(2, 3, 8, 8), ember.randn(4, 4, 3, 3)))
    _raises(RuntimeError, "output padding must be smaller than either stride or dilation, but got "
            "output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 "
            "dilation_width: 1", lambda: F.conv_transpose2d(ember.randn(2, 3, 8, 8), ember.randn(3, 4, 3, 3),
                                                           output_padding=2, stride=2))
    _raises(RuntimeError, "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
            "got input.size(1)=7 and kernel_size=(2, 2).", lambda: F.fold(ember.randn(1, 7, 9), (4, 4), 2))
    _raises(RuntimeError, "calculated shape of the array of sliding blocks as (0, 0), but its components must be "
            "at least one.", lambda: F.unfold(ember.randn(2, 3, 4, 4), 5))


def test_module_constructor_errors_match_torch():
    _raises(ValueError, "in_channels must be divisible by groups", lambda: nn.Conv2d(3, 4, 3, groups=2))
    _raises(ValueError, "out_channels must be divisible by groups", lambda: nn.Conv2d(4, 3, 3, groups=2))
    _raises(ValueError, "Invalid padding string 'foo', should be one of", lambda: nn.Conv2d(4, 4, 3, padding="foo"))
    _raises(ValueError, "padding='same' is not supported for strided convolutions",
            lambda: nn.Conv2d(4, 4, 3, padding="same", stride=2))
    _raises(ValueError, "padding_mode must be one of", lambda: nn.Conv2d(4, 4, 3, padding_mode="foo"))
    _raises(ValueError, 'Only "zeros" padding mode is supported for ConvTranspose2d',
            lambda: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"))
    _raises(ValueError, "requested an output size of (20, 20), but valid sizes range from [11, 11] to [12, 12]",
            lambda: nn.ConvTranspose2d(4, 4, 3, stride=2)(ember.randn(1, 4, 5, 5), output_size=(20, 20)))


def test_module_repr_and_state_dict_keys():
    m = nn.Conv2d(4, 8, (3, 2), stride=2, padding=1, dilation=(1, 2), groups=2, bias=False, padding_mode="reflect")
    assert repr(m) == ("Conv2d(4, 8, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), dilation=(1, 2), groups=2, "
                       "bias=False, padding_mode=reflect)")
    assert repr(nn.ConvTranspose2d(4, 8, 3, stride=2, output_padding=1)) == \
        "ConvTranspose2d(4, 8, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"
    assert repr(nn.Conv1d(4, 8, 3, padding="same")) == "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=same)"
    assert repr(nn.Conv2d(4, 8, 3)) == "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1))"
    assert list(nn.Conv3d(2, 4, 3).state_dict()) == ["weight", "bias"]
    assert list(m.state_dict()) == ["weight"]
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert nn.Conv2d(4, 8, (3, 4), padding="same")._reversed_padding_repeated_twice == [1, 2, 1, 1]
    assert repr(nn.Unfold(2, padding=1)) == "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"
    assert repr(nn.Fold((4, 5), 2)) == "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)"


def test_default_init_is_torch_kaiming_uniform():
    ember.manual_seed(0)
    m = nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # std of U(-a, a) is a / sqrt(3)
    t = nn.ConvTranspose2d(16, 8, 3)  # fan_in from weight.size(1) * k * k, as torch
    assert np.abs(t.weight.detach().numpy()).max() <= 1 / math.sqrt(8 * 9)


def test_padding_modes_equal_explicit_pad():
    ember.manual_seed(1)
    for mode in ("reflect", "replicate", "circular"):
        m = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
        x = ember.randn(1, 2, 5, 6, dtype=ember.float64)
        ref = F.conv2d(F.pad(x, (2, 2, 1, 1), mode=mode), m.weight, m.bias)
        np.testing.assert_allclose(m(x).detach().numpy(), ref.detach().numpy(), rtol=1e-12)


def test_unbatched_input_and_float64():
    m = nn.Conv1d(2, 3, 3, padding=1).double()
    x = ember.randn(2, 7, dtype=ember.float64)
    y = m(x)
    assert y.shape == (3, 7) and y.dtype == ember.float64
    np.testing.assert_allclose(y.detach().numpy(), m(x.unsqueeze(0))[0].detach().numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Lazy modules")
def test_lazy_convs_infer_in_channels_and_become_plain_convs():
    m = nn.LazyConv2d(8, 3, padding=1)
    assert m.has_uninitialized_params()
    y = m(ember.randn(2, 5, 6, 6))
    assert type(m) is nn.Conv2d and m.in_channels == 5 and m.weight.shape == (8, 5, 3, 3)
    assert y.shape == (2, 8, 6, 6)
    assert np.abs(m.weight.detach().numpy()).max() <= 1 / math.sqrt(5 * 9)
    t = nn.LazyConvTranspose1d(4, 3, stride=2, groups=2, bias=False)
    assert t(ember.randn(6, 5)).shape == (4, 11)  # unbatched (C, L)
    assert type(t) is nn.ConvTranspose1d and t.weight.shape == (6, 2, 3) and t.bias is None
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv1d(4, 3, groups=2)(ember.randn(1, 3, 8))
