"""nn/modules/dropout.py and nn/functional/_dropout.py: masks, scaling, channel-wise masks, alpha dropout."""

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, env, meta, run_case


@pytest.mark.parametrize("name", cases_named("dropout", "dropout1d", "dropout2d", "alphadropout"))
def test_eval_mode_is_identity_like_torch(name):
    run_case(name)


def test_dropout_statistics_and_scaling():
    ember.manual_seed(0)
    x = ember.ones(200, 100)
    y = F.dropout(x, 0.3).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_gradient_is_the_mask():
    ember.manual_seed(1)
    x = ember.randn(50, 20, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    mask = (y.detach().numpy() != 0)
    np.testing.assert_allclose(x.grad.numpy(), mask * 2.0)


def test_dropout_edge_probabilities_and_eval():
    x = ember.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).abs().sum().item() == 0
    m = nn.Dropout(0.9)
    m.eval()
    assert m(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    expr, (etype, message) = meta()["errors"]["dropout_p"]
    with pytest.raises(ValueError) as info:
        eval(expr, env())
    assert str(info.value) == message


def test_dropout_inplace():
    ember.manual_seed(2)
    x = ember.ones(10, 10)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_reproducible_with_manual_seed():
    ember.manual_seed(7)
    a = F.dropout(ember.ones(100), 0.5).numpy()
    ember.manual_seed(7)
    b = F.dropout(ember.ones(100), 0.5).numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("fn,shape,channel_axes", [
    (F.dropout1d, (8, 16, 5), 2), (F.dropout1d, (16, 5), 1), (F.dropout2d, (8, 16, 3, 3), 2),
    (F.dropout2d, (8, 16, 5), 2), (F.dropout3d, (4, 8, 2, 2, 2), 2), (F.dropout3d, (8, 2, 2, 2), 1)])
def test_channel_dropout_zeroes_whole_channels(fn, shape, channel_axes):
    """Every channel (the leading `channel_axes` dims) is either all kept (scaled by 2) or all zero."""
    ember.manual_seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout2d on 3-D input warns, as torch
        y = fn(ember.ones(*shape), 0.5).numpy()
    per_channel = y.reshape(int(np.prod(shape[:channel_axes])), -1)
    assert all(len(set(row)) == 1 for row in per_channel)
    assert set(np.unique(y)) == {0.0, 2.0}


def test_dropout1d_rejects_bad_rank():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(ember.ones(1, 2, 3, 4))


def test_alpha_dropout_keeps_selu_statistics():
    ember.manual_seed(4)
    x = ember.randn(400, 250)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha**2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y, -alpha * a * 0.8)  # dropped units sit at SELU's saturation, mapped by a*x + b
    assert abs(dropped.mean() - 0.2) < 0.01
    f = F.feature_alpha_dropout(ember.randn(8, 16, 4), 0.5, training=True).numpy()
    assert f.shape == (8, 16, 4)


def test_modules_follow_training_flag():
    ember.manual_seed(5)
    for m, shape in ((nn.Dropout(0.5), (4, 6)), (nn.Dropout1d(0.5), (4, 6, 3)), (nn.Dropout2d(0.5), (4, 6, 2, 2)),
                     (nn.Dropout3d(0.5), (4, 6, 2, 2, 2)), (nn.AlphaDropout(0.5), (4, 6)),
                     (nn.FeatureAlphaDropout(0.5), (4, 6, 2))):
        x = ember.randn(*shape)
        assert not np.array_equal(m(x).numpy(), x.numpy())
        m.eval()
        assert m(x) is x


@pytest.mark.parametrize("fn", [
    lambda x: F.dropout(x, 0.4), lambda x: F.dropout1d(x, 0.4), lambda x: F.dropout2d(x.unsqueeze(-1), 0.4),
    lambda x: F.alpha_dropout(x, 0.3, training=True), lambda x: F.feature_alpha_dropout(x, 0.3, training=True)],
    ids=["dropout", "dropout1d", "dropout2d", "alpha_dropout", "feature_alpha_dropout"])
def test_gradcheck_with_a_fixed_mask(fn):
    """Reseeding inside the function draws the same mask on every call, so finite differences apply."""
    def seeded(x):
        ember.manual_seed(11)
        return fn(x)

    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(seeded, (x,)) and gradgradcheck(seeded, (x,))
