"""nn/modules/transformer.py: encoder/decoder layers, stacks and Transformer against torch recordings (outputs,
input and parameter gradients, state_dict keys), masks, causal detection, errors and warnings."""

import copy
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .seq_parity import cases_named, check_error, error_keys, meta, run_case


@pytest.mark.parametrize("name", cases_named("enc_", "dec_", "encoder", "decoder", "transformer"))
def test_parity_with_torch(name):
    run_case(name)


def test_differentiable_backward_matches_torch():
    run_case("enc_layer_masks", create_graph=True)


@pytest.mark.parametrize("key", error_keys("enc_", "transformer"))
def test_errors_match_torch(key):
    check_error(key)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_reprs_keys_and_warnings_match_torch():
    for expr, want in meta()["reprs"].items():
        if expr.startswith("nn.Transformer"):
            assert repr(eval(expr, {"nn": nn})) == want
    for expr, want in meta()["keys"].items():
        if expr.startswith("nn.Transformer"):
            sd = eval(expr, {"nn": nn}).state_dict()
            assert list(sd) == want["state"]
            assert [list(v.shape) for v in sd.values()] == want["shapes"]
    expr, texts = meta()["warnings"]["encoder_nested"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(expr, {"nn": nn})
    assert [str(w.message) for w in caught] == texts


def test_square_subsequent_mask():
    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert m.dtype == ember.float32
    want = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1)
    want[np.tril_indices(4)] = 0
    np.testing.assert_array_equal(m.numpy(), want)
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64).dtype == ember.float64


def test_causal_mask_detected_and_equivalent_to_is_causal():
    ember.manual_seed(0)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2, enable_nested_tensor=False)
    x = ember.randn(5, 2, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    a = enc(x, mask=mask)
    b = enc(x, mask=mask, is_causal=False)  # the explicit mask path
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    # position t never sees later positions
    x2 = x.clone()
    x2[3:] = ember.randn(2, 2, 8)
    c = enc(x2, mask=mask)
    np.testing.assert_allclose(c[:3].detach().numpy(), a[:3].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_layers_are_deep_copies_and_dropout_only_in_training():
    ember.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    assert enc.layers[0] is not layer and enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    np.testing.assert_array_equal(enc.layers[0].linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy())
    x = ember.randn(4, 2, 8)
    enc.eval()
    a, b = enc(x), enc(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    enc.train()
    assert not np.allclose(enc(x).detach().numpy(), a.detach().numpy())


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_transformer_init_and_activation_choices():
    ember.manual_seed(0)
    t = nn.Transformer(8, 2, 1, 1, 16)
    w = t.encoder.layers[0].self_attn.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= np.sqrt(6 / (8 + 24))  # xavier_uniform_ over every matrix
    assert nn.TransformerEncoderLayer(8, 2, activation="gelu").activation is F.gelu
    assert nn.TransformerEncoderLayer(8, 2).activation_relu_or_gelu == 1
    assert nn.TransformerEncoderLayer(8, 2, activation=nn.GELU()).activation_relu_or_gelu == 2
    assert nn.TransformerDecoderLayer(8, 2, activation="gelu").activation is F.gelu
    enc = copy.deepcopy(t.encoder)
    assert enc.layers[0].self_attn.in_proj_weight is not t.encoder.layers[0].self_attn.in_proj_weight


def test_encoder_layer_gradcheck_and_gradgradcheck():
    ember.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=True).double()
    kpm = ember.tensor(np.array([[False, False, True], [False, False, False]]))

    def f(x):
        return layer(x, src_key_padding_mask=kpm)

    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))
