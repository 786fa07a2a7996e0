"""nn/modules/sparse.py and nn/functional/_embedding.py: Embedding, EmbeddingBag, one_hot."""

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, env, meta, run_case


@pytest.mark.parametrize("name", cases_named("embedding", "embeddingbag", "f_embedding", "f_one_hot"))
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("key", ["embedding_oor", "embedding_dtype", "one_hot_range"])
def test_errors_match_torch(key):
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        eval(expr, env())
    assert type(info.value).__name__ == etype and str(info.value) == message


def _weight(n=6, d=3, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal((n, d)), requires_grad=True)


def test_embedding_gradcheck():
    idx = ember.tensor([[1, 3, 1], [0, 5, 1]])
    assert gradcheck(lambda w: F.embedding(idx, w), (_weight(),))
    assert gradgradcheck(lambda w: F.embedding(idx, w), (_weight(),))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (checked against torch by the parity cases)


def test_embedding_padding_row_gets_no_gradient():
    emb = nn.Embedding(5, 2, padding_idx=-1)
    assert emb.padding_idx == 4 and emb.weight[4].abs().sum().item() == 0
    emb(ember.tensor([4, 4, 1])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[4], [0, 0])
    np.testing.assert_array_equal(emb.weight.grad.numpy()[1], [1, 1])
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_max_norm_renormalises_used_rows():
    w = ember.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    F.embedding(ember.tensor([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(np.linalg.norm(w.numpy(), axis=1), [1.0, 0.5, 10.0], rtol=1e-6)


def test_embedding_int32_indices_and_from_pretrained():
    table = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(ember.tensor([1, 0], dtype=ember.int32)).numpy(), [[3, 4], [1, 2]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(3, 2, sparse=True)(ember.tensor([0]))


def test_embedding_default_init_is_standard_normal():
    ember.manual_seed(0)
    w = nn.Embedding(200, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_embedding_bag_gradcheck():
    idx = ember.tensor([1, 2, 4, 5, 4, 3])
    offsets = ember.tensor([0, 2, 2])
    psw = ember.tensor(np.random.default_rng(1).standard_normal(6), requires_grad=True)
    for mode in ("sum", "mean", "max"):
        assert gradcheck(lambda w, m=mode: F.embedding_bag(idx, w, offsets, mode=m), (_weight(),))
    assert gradcheck(lambda w, p: F.embedding_bag(idx, w, offsets, mode="sum", per_sample_weights=p),
                     (_weight(), psw))
    assert gradgradcheck(lambda w: F.embedding_bag(idx, w, offsets, mode="mean"), (_weight(),))


def test_embedding_bag_errors():
    w = ember.zeros(5, 2)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(ember.tensor([1, 2]), w)
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0]), mode="prod")
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0]), per_sample_weights=ember.ones(2))
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, ember.tensor([0]))


def test_one_hot():
    out = F.one_hot(ember.tensor([0, 2, 1]))
    assert out.dtype == ember.int64 and out.shape == (3, 3)
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(ember.tensor([-1]), 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor"):
        F.one_hot(ember.tensor([1.0]))
