"""nn/utils: clip_grad, convert_parameters, rnn packing, parametrize, parametrizations, legacy weight_norm."""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.utils import parametrize
from ember.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence,
                                pad_sequence, unpack_sequence, unpad_sequence)

from .parity import cases_named, run_case


@pytest.mark.parametrize("name", cases_named("weight_norm", "spectral_norm", "f_pad_sequence", "f_pack",
                                             "f_params_to_vector"))
def test_parity_with_torch(name):
    run_case(name)


# ---------------------------------------------------------------------------- clip_grad
def _params_with_grads(seed=0):
    rng = np.random.default_rng(seed)
    ps = [nn.Parameter(ember.zeros(3, 2)), nn.Parameter(ember.zeros(4)), nn.Parameter(ember.zeros(1))]
    for p in ps[:2]:
        p.grad = ember.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32))
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm(norm_type):
    ps = _params_with_grads()
    flat = np.concatenate([p.grad.numpy().ravel() for p in ps[:2]]).astype(np.float64)
    total = np.max(np.abs(flat)) if norm_type == math.inf else (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    before = [p.grad.numpy().copy() for p in ps[:2]]
    out = nn.utils.clip_grad_norm_(ps, max_norm=0.5, norm_type=norm_type)
    assert isinstance(out, ember.Tensor) and out.ndim == 0
    assert out.item() == pytest.approx(total, rel=1e-5)
    coef = 0.5 / (total + 1e-6)
    for p, b in zip(ps[:2], before):
        np.testing.assert_allclose(p.grad.numpy(), b * coef, rtol=1e-5)
    assert ps[2].grad is None


def test_clip_grad_norm_no_op_below_max_and_nonfinite():
    ps = _params_with_grads()
    before = ps[0].grad.numpy().copy()
    nn.utils.clip_grad_norm_(ps, max_norm=1e6)
    np.testing.assert_array_equal(ps[0].grad.numpy(), before)
    ps[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.zeros(1))], 1.0).item() == 0.0
    single = nn.Parameter(ember.zeros(2))
    single.grad = ember.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 1.0, foreach=True).item() == pytest.approx(5.0)


def test_clip_grad_value():
    ps = _params_with_grads()
    nn.utils.clip_grad_value_(ps, 0.1)
    assert all(np.abs(p.grad.numpy()).max() <= 0.1 for p in ps[:2])


def test_parameters_vector_roundtrip():
    lin = nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(lin.parameters())
    assert vec.shape == (8,)
    nn.utils.vector_to_parameters(ember.arange(8.0), lin.parameters())
    np.testing.assert_array_equal(lin.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [6.0, 7.0])
    assert isinstance(lin.weight, nn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], lin.parameters())


# ---------------------------------------------------------------------------- rnn utilities
def _seqs():
    rng = np.random.default_rng(0)
    return [ember.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (3, 1, 4)]


def test_pack_pad_roundtrip_and_gradients():
    seqs = _seqs()
    padded = pad_sequence(seqs, batch_first=True)
    assert padded.shape == (3, 4, 2)
    packed = pack_padded_sequence(padded, [3, 1, 4], batch_first=True, enforce_sorted=False)
    assert isinstance(packed, PackedSequence) and packed.data.shape == (8, 2)
    assert packed.batch_sizes.tolist() == [3, 2, 2, 1] and packed.sorted_indices.tolist() == [2, 0, 1]
    assert packed.unsorted_indices.tolist() == [1, 2, 0]
    out, lengths = pad_packed_sequence(packed, batch_first=True, total_length=5)
    assert out.shape == (3, 5, 2) and lengths.tolist() == [3, 1, 4]
    np.testing.assert_array_equal(out[:, :4].detach().numpy(), padded.detach().numpy())
    out.sum().backward()
    for s in seqs:
        np.testing.assert_array_equal(s.grad.numpy(), np.ones(tuple(s.shape)))
    back = unpack_sequence(pack_sequence(seqs, enforce_sorted=False))
    assert [b.shape[0] for b in back] == [3, 1, 4]
    assert [u.shape[0] for u in unpad_sequence(pad_sequence(seqs), ember.tensor([3, 1, 4]))] == [3, 1, 4]


def test_pack_errors():
    x = ember.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order when `enforce_sorted` is True"):
        pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [4, 2, 0])
    packed = pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest sequence"):
        pad_packed_sequence(packed, total_length=2)
    assert packed.to(ember.float64).data.dtype == ember.float64 and not packed.is_cuda
    assert packed.double().data.dtype == ember.float64


# ---------------------------------------------------------------------------- parametrize
class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(0, 1)

    def right_inverse(self, a):
        return a.triu()


class Scale(nn.Module):
    def forward(self, x):
        return x * 2


def test_register_and_remove_parametrization():
    lin = nn.Linear(3, 3)
    parametrize.register_parametrization(lin, "weight", Symmetric())
    assert parametrize.is_parametrized(lin) and parametrize.is_parametrized(lin, "weight")
    assert type(lin).__name__ == "ParametrizedLinear" and parametrize.type_before_parametrizations(lin) is nn.Linear
    w = lin.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in lin.named_parameters()] == ["bias", "parametrizations.weight.original"]
    lin(ember.randn(2, 3)).sum().backward()
    assert lin.parametrizations.weight.original.grad is not None
    lin.weight = ember.eye(3) * 3  # assignment goes through right_inverse
    np.testing.assert_allclose(lin.weight.detach().numpy(), 3 * np.eye(3))
    parametrize.register_parametrization(lin, "weight", Scale())
    np.testing.assert_allclose(lin.weight.detach().numpy(), 6 * np.eye(3))
    parametrize.remove_parametrizations(lin, "weight")
    assert type(lin) is nn.Linear and isinstance(lin.weight, nn.Parameter)
    np.testing.assert_allclose(lin.weight.detach().numpy(), 6 * np.eye(3))
    assert list(lin.state_dict()) == ["bias", "weight"]  # re-registered last, as torch
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(lin, "weight")


def test_parametrization_checks_and_caching():
    lin = nn.Linear(3, 2)

    class Bad(nn.Module):
        def forward(self, x):
            return x[0]

    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        parametrize.register_parametrization(lin, "weight", Bad())
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        parametrize.register_parametrization(lin, "nope", Scale())
    parametrize.register_parametrization(lin, "weight", Scale())
    with parametrize.cached():
        assert lin.weight is lin.weight
    assert lin.weight is not lin.weight
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported"):
        pickle.dumps(lin)
    clone = copy.deepcopy(lin)
    np.testing.assert_array_equal(clone.weight.detach().numpy(), lin.weight.detach().numpy())
    parametrize.remove_parametrizations(lin, "weight", leave_parametrized=False)
    assert type(lin) is nn.Linear


def test_weight_norm_parametrization():
    lin = nn.Linear(4, 3)
    w0 = lin.weight.detach().numpy().copy()
    nn.utils.parametrizations.weight_norm(lin)
    g = lin.parametrizations.weight.original0.detach().numpy()
    np.testing.assert_allclose(g, np.linalg.norm(w0, axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(lin.weight.detach().numpy(), w0, rtol=1e-6)
    # old checkpoints with weight_g / weight_v load through the compatibility hook
    sd = {"bias": ember.zeros(3), "weight_g": ember.ones(3, 1), "weight_v": ember.ones(3, 4)}
    lin.load_state_dict(sd)
    np.testing.assert_allclose(lin.weight.detach().numpy(), np.full((3, 4), 0.5), rtol=1e-6)


def test_spectral_norm_parametrization():
    ember.manual_seed(0)
    lin = nn.Linear(5, 4)
    nn.utils.parametrizations.spectral_norm(lin)
    for _ in range(30):
        w = lin.weight  # each access in training mode runs a power iteration
    sv = np.linalg.svd(w.detach().numpy().astype(np.float64), compute_uv=False)
    assert abs(sv[0] - 1) < 1e-3
    lin.eval()
    assert np.array_equal(lin.weight.detach().numpy(), lin.weight.detach().numpy())
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
                                      "parametrizations.weight.0._v"]


def test_legacy_weight_norm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin = nn.utils.weight_norm(nn.Linear(4, 3))
    assert list(lin.state_dict()) == ["bias", "weight_g", "weight_v"]
    x = ember.randn(2, 4)
    lin(x).sum().backward()
    assert lin.weight_g.grad is not None and lin.weight_v.grad is not None
    nn.utils.remove_weight_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight"] and isinstance(lin.weight, nn.Parameter)  # as torch


def test_functional_still_usable_after_parametrize():
    lin = nn.Linear(3, 2)
    parametrize.register_parametrization(lin, "weight", Scale())
    x = ember.randn(4, 3)
    np.testing.assert_allclose(lin(x).detach().numpy(),
                               F.linear(x, lin.parametrizations.weight.original * 2, lin.bias).detach().numpy())
