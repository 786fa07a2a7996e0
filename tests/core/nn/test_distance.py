"""nn/functional/_distance.py: normalize, cosine_similarity, pairwise_distance, pdist."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, run_case


@pytest.mark.parametrize("name", cases_named("f_normalize", "f_cosine_similarity", "f_pairwise_distance",
                                             "pairwise_distance", "cosine_similarity"))
def test_parity_with_torch(name):
    run_case(name)


def _pair(seed=0):
    rng = np.random.default_rng(seed)
    return (ember.tensor(rng.standard_normal((3, 4)), requires_grad=True),
            ember.tensor(rng.standard_normal((3, 4)), requires_grad=True))


@pytest.mark.parametrize("fn", [
    lambda a, b: F.normalize(a, dim=1) * b, lambda a, b: F.normalize(a, p=1.0, dim=0) + b,
    lambda a, b: F.cosine_similarity(a, b), lambda a, b: F.cosine_similarity(a, b[0], dim=-1),
    lambda a, b: F.pairwise_distance(a, b), lambda a, b: F.pairwise_distance(a, b, p=1.5, keepdim=True),
    lambda a, b: F.pdist(a + b)], ids=["normalize", "normalize_p1", "cosine", "cosine_bcast", "pairwise",
                                       "pairwise_p1.5", "pdist"])
def test_gradcheck(fn):
    assert gradcheck(fn, _pair())
    assert gradgradcheck(fn, _pair(1))


def test_values_against_numpy():
    a, b = (t.detach() for t in _pair())
    an, bn = a.numpy(), b.numpy()
    np.testing.assert_allclose(F.normalize(a).numpy(), an / np.linalg.norm(an, axis=1, keepdims=True), rtol=1e-12)
    cos = (an * bn).sum(1) / np.linalg.norm(an, axis=1) / np.linalg.norm(bn, axis=1)
    np.testing.assert_allclose(F.cosine_similarity(a, b).numpy(), cos, rtol=1e-12)
    np.testing.assert_allclose(F.pairwise_distance(a, b).numpy(), np.linalg.norm(an - bn + 1e-6, axis=1), rtol=1e-12)
    i, j = np.triu_indices(3, 1)
    np.testing.assert_allclose(F.pdist(a).numpy(), np.linalg.norm(an[i] - an[j], axis=1), rtol=1e-12)


def test_zero_vectors_are_clamped():
    z = ember.zeros(2, 3)
    assert np.all(F.normalize(z).numpy() == 0)
    assert np.all(F.cosine_similarity(z, z).numpy() == 0)
