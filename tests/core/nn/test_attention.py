"""nn/functional/_attention.py and nn/modules/attention.py: scaled_dot_product_attention and MultiheadAttention
against torch recordings, gradcheck/gradgradcheck, masks, dropout and torch's errors."""

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .seq_parity import cases_named, check_error, error_keys, meta, run_case


@pytest.mark.parametrize("name", cases_named("sdpa", "mha"))
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("name", ["sdpa_bool_mask_masked_row", "sdpa_float_mask_scale", "mha_key_padding",
                                  "mha_attn_mask_3d_float"])
def test_differentiable_backward_matches_torch(name):
    run_case(name, create_graph=True)


@pytest.mark.parametrize("key", error_keys("mha", "sdpa"))
def test_errors_match_torch(key):
    check_error(key)


def test_reprs_and_keys_match_torch():
    for expr, want in meta()["reprs"].items():
        if expr.startswith("nn.MultiheadAttention"):
            assert repr(eval(expr, {"nn": nn})) == want
    expr = "nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4)"
    sd = eval(expr, {"nn": nn}).state_dict()
    assert list(sd) == meta()["keys"][expr]["state"]
    assert [list(v.shape) for v in sd.values()] == meta()["keys"][expr]["shapes"]


def _f64(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


MASK = ember.tensor(np.array([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 0, 1]], dtype=bool))


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"attn_mask": MASK, "scale": 0.7},
                                    {"attn_mask": MASK.unsqueeze(0).expand(2, 3, 4)}])
def test_sdpa_gradcheck_and_gradgradcheck(kwargs):
    args = (_f64(2, 3, 2), _f64(2, 4, 2, seed=1), _f64(2, 4, 3, seed=2))

    def f(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **kwargs)

    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


def test_sdpa_float_mask_gradcheck_and_gradgradcheck():
    args = (_f64(2, 3, 2), _f64(2, 4, 2, seed=1), _f64(2, 4, 3, seed=2), _f64(3, 4, seed=3))

    def f(q, k, v, m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m)

    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


def test_sdpa_dropout_is_seeded_inverted_dropout():
    q, k, v = _f64(2, 5, 3), _f64(2, 6, 3, seed=1), _f64(2, 6, 4, seed=2)

    def f(q, k, v):
        ember.manual_seed(7)  # the same mask on every call, so finite differences see one function
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)

    a, b = f(q, k, v), f(q, k, v)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    plain = F.scaled_dot_product_attention(q, k, v)
    assert not np.allclose(a.detach().numpy(), plain.detach().numpy())
    assert gradcheck(f, (q, k, v))
    assert gradgradcheck(f, (q, k, v))
    # kept weights are scaled by 1 / (1 - p): the mean over many draws is the undropped output
    ember.manual_seed(0)
    q, kv = ember.ones(4000, 1, 2, dtype=ember.float64), ember.ones(4000, 2, 2, dtype=ember.float64)
    out = F.scaled_dot_product_attention(q, kv, kv, dropout_p=0.25)
    assert abs(out.mean().item() - 1.0) < 0.03


def test_sdpa_fully_masked_row_is_zero_not_nan():
    q, k, v = _f64(1, 2, 2), _f64(1, 3, 2, seed=1), _f64(1, 3, 2, seed=2)
    mask = ember.tensor(np.array([[True, True, False], [False, False, False]]))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert np.isfinite(out.detach().numpy()).all() and not out[0, 1].detach().numpy().any()
    out.sum().backward()
    assert np.isfinite(q.grad.numpy()).all() and not q.grad[0, 1].numpy().any()


def test_sdpa_matches_the_composite_formula():
    rng = np.random.default_rng(3)
    q, k, v = (ember.tensor(rng.standard_normal(s).astype(np.float32)) for s in ((2, 4, 5, 8), (2, 4, 7, 8),
                                                                              (2, 4, 7, 3)))
    bias = ember.tensor(rng.standard_normal((5, 7)).astype(np.float32))
    want = ((q @ k.transpose(-1, -2)) / np.sqrt(8) + bias).softmax(-1) @ v
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_mha_gradcheck_and_gradgradcheck():
    ember.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True).double()
    names = [n for n, _ in mha.named_parameters()]
    params = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in mha.parameters()]
    mask = ember.tensor(np.array([[False, True], [False, False]]))

    def f(x, mem, *ps):
        w = dict(zip(names, ps))
        return F.multi_head_attention_forward(
            x, mem, mem, 4, 2, w["in_proj_weight"], w["in_proj_bias"], w["bias_k"], w["bias_v"], True, 0.0,
            w["out_proj.weight"], w["out_proj.bias"], training=False, key_padding_mask=mask)

    args = (_f64(3, 2, 4), _f64(2, 2, 4, seed=1)) + tuple(params)
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


def test_mha_self_attention_without_weights_gradgradcheck():
    ember.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, batch_first=True).double()

    def f(x):
        return mha(x, x, x, need_weights=False, attn_mask=nn.Transformer.generate_square_subsequent_mask(
            3, dtype=ember.float64), is_causal=True)[0]

    x = _f64(2, 3, 4)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_mha_dropout_only_in_training():
    ember.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(4, 3, 8)
    mha.eval()
    a, wa = mha(x, x, x)
    b, wb = mha(x, x, x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    np.testing.assert_allclose(wa.sum(-1).detach().numpy(), 1, rtol=1e-6)
    mha.train()
    c, _ = mha(x, x, x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())


def test_mha_default_init_and_layout():
    mha = nn.MultiheadAttention(6, 3)
    assert mha.in_proj_weight.shape == (18, 6) and mha.head_dim == 2
    assert not mha.in_proj_bias.detach().numpy().any() and not mha.out_proj.bias.detach().numpy().any()
    assert type(mha.out_proj).__name__ == "NonDynamicallyQuantizableLinear" and isinstance(mha.out_proj, nn.Linear)
    sep = nn.MultiheadAttention(6, 3, kdim=4, vdim=5)
    assert sep.in_proj_weight is None and sep.k_proj_weight.shape == (6, 4) and sep.v_proj_weight.shape == (6, 5)
    assert [n for n, _ in sep.named_parameters()] == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                                     "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    from ember.nn.modules.activation import MultiheadAttention  # torch's module path works too

    assert MultiheadAttention is nn.MultiheadAttention
