"""nn/modules/loss.py and nn/functional/_loss.py (+ _ctc.py): parity with torch, gradcheck/gradgradcheck of every
loss, torch's errors."""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from .parity import cases_named, env, meta, run_case

LOSS_CASES = ("ce", "nll", "bce", "bce_logits", "mse", "l1", "smoothl1", "huber", "kldiv", "cosine_embedding",
              "margin_ranking", "triplet", "hinge_embedding", "multilabel_soft_margin", "soft_margin", "poisson_nll",
              "gaussian_nll", "ctc", "multi_margin", "multilabel_margin")


@pytest.mark.parametrize("name", cases_named(*LOSS_CASES))
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("key", ["ce_target_oor", "ce_target_negative", "nll_batch", "ce_weight_size",
                                 "ce_reduction", "ce_smoothing", "nll_kdim_target", "bce_range"])
def test_errors_match_torch(key):
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        eval(expr, env())
    assert type(info.value).__name__ == etype and str(info.value) == message


D = ember.float64
_rng = np.random.default_rng(0)


def _t(a, grad=False):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


X = _rng.standard_normal((3, 5))
C = _rng.standard_normal((3, 5))
P = _rng.uniform(0.05, 0.95, (3, 5))
PROBS = np.exp(C) / np.exp(C).sum(1, keepdims=True)
W5 = _rng.uniform(0.2, 2.0, 5)
T = ember.tensor([1, 0, 4])
SIGN3 = _t([1.0, -1.0, 1.0])
SIGN35 = _t(_rng.choice([-1.0, 1.0], (3, 5)))

# each loss as a function of the input that requires grad (the others are fixed constants)
LOSSES = {
    "cross_entropy": lambda x: F.cross_entropy(x, T),
    "cross_entropy_weight_ignore_sum": lambda x: F.cross_entropy(x, T, weight=_t(W5), ignore_index=0, reduction="sum"),
    "cross_entropy_smoothing": lambda x: F.cross_entropy(x, T, weight=_t(W5), label_smoothing=0.2),
    "cross_entropy_probs": lambda x: F.cross_entropy(x, _t(PROBS), label_smoothing=0.1, weight=_t(W5)),
    "cross_entropy_kdim": lambda x: F.cross_entropy(x.reshape(1, 5, 3), ember.tensor([[1, 4, 2]]), reduction="none"),
    "nll_loss": lambda x: F.nll_loss(x, T, weight=_t(W5)),
    "nll_loss_none": lambda x: F.nll_loss(x, T, reduction="none"),
    "binary_cross_entropy": lambda x: F.binary_cross_entropy(x.sigmoid(), _t(P), weight=_t(W5)),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, _t(P), pos_weight=_t(W5)),
    "mse_loss": lambda x: F.mse_loss(x, _t(C)),
    "l1_loss": lambda x: F.l1_loss(x, _t(C), reduction="sum"),
    "smooth_l1_loss": lambda x: F.smooth_l1_loss(x, _t(C), beta=0.5),
    "huber_loss": lambda x: F.huber_loss(x, _t(C), delta=0.7, reduction="none"),
    "kl_div": lambda x: F.kl_div(F.log_softmax(x, 1), _t(PROBS), reduction="batchmean"),
    "kl_div_log_target": lambda x: F.kl_div(F.log_softmax(x, 1), _t(np.log(PROBS)), log_target=True,
                                            reduction="sum"),
    "cosine_embedding": lambda x: F.cosine_embedding_loss(x, _t(C), SIGN3, margin=-0.5),
    "margin_ranking": lambda x: F.margin_ranking_loss(x, _t(C), SIGN35, margin=0.1),
    "triplet_margin": lambda x: F.triplet_margin_loss(x, _t(C), _t(C * 0.3), swap=True),
    "triplet_margin_p1": lambda x: F.triplet_margin_loss(x, _t(C), _t(C * 0.3), p=1, margin=2.0),
    "triplet_with_distance": lambda x: F.triplet_margin_with_distance_loss(
        x, _t(C), _t(C * 0.3), distance_function=lambda a, b: ((a - b) ** 2).sum(-1)),
    "hinge_embedding": lambda x: F.hinge_embedding_loss(x, SIGN35, margin=1.5),
    "multilabel_soft_margin": lambda x: F.multilabel_soft_margin_loss(x, _t(P > 0.5), weight=_t(W5)),
    "soft_margin": lambda x: F.soft_margin_loss(x, SIGN35),
    "poisson_nll": lambda x: F.poisson_nll_loss(x, _t(P * 3)),
    "poisson_nll_full": lambda x: F.poisson_nll_loss(x.exp(), _t(P * 5), log_input=False, full=True),
    "gaussian_nll": lambda x: F.gaussian_nll_loss(x, _t(C), _t(P)),
    "gaussian_nll_full_var1d": lambda x: F.gaussian_nll_loss(x, _t(C), _t(P[:, :1]), full=True, reduction="sum"),
    "multi_margin": lambda x: F.multi_margin_loss(x, T, margin=0.5, weight=_t(W5)),
    "multi_margin_p2": lambda x: F.multi_margin_loss(x, T, p=2, reduction="none"),
    "multilabel_margin": lambda x: F.multilabel_margin_loss(x, ember.tensor([[1, 2, -1, 0, 0], [4, 0, 0, 0, 0],
                                                                            [3, 1, 0, 2, 4]])),
}


def _safe_input():
    """Inputs away from the kinks of the margin/hinge/huber losses (|x - c| and margins not near switching)."""
    x = X.copy()
    x = np.where(np.abs(x - C) < 0.1, x + 0.3, x)
    return _t(x, grad=True)


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradcheck(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(LOSSES[name], (_safe_input(),))


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradgradcheck(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradgradcheck(LOSSES[name], (_safe_input(),))


def test_gradcheck_wrt_targets_and_variances():
    x = _t(X)
    assert gradcheck(lambda t: F.mse_loss(x, t), (_t(C, grad=True),))
    assert gradcheck(lambda t: F.kl_div(x.log_softmax(1), t, reduction="batchmean"), (_t(PROBS, grad=True),))
    assert gradcheck(lambda t: F.cross_entropy(x, t), (_t(PROBS, grad=True),))
    assert gradcheck(lambda t: F.binary_cross_entropy_with_logits(x, t), (_t(P, grad=True),))
    assert gradcheck(lambda v: F.gaussian_nll_loss(x, _t(C), v), (_t(P, grad=True),))
    assert gradgradcheck(lambda v: F.gaussian_nll_loss(x, _t(C), v), (_t(P, grad=True),))


def test_cross_entropy_matches_numpy():
    x = X.astype(np.float32)
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    want = -logp[np.arange(3), [1, 0, 4]].mean()
    assert abs(F.cross_entropy(ember.tensor(x), T).item() - want) < 1e-6
    assert F.cross_entropy(ember.tensor(x), T).grad_fn is None


def test_cross_entropy_all_ignored_is_nan_and_grad_fn_name():
    x = ember.tensor(X, requires_grad=True)
    out = F.cross_entropy(x, ember.tensor([-100, -100, -100]))
    assert math.isnan(out.item())
    assert F.cross_entropy(x, T).grad_fn.name() == "NllLossBackward0"


def test_nll_loss_target_dtype():
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Int"):
        F.cross_entropy(ember.zeros(3, 5), ember.tensor([1, 2, 3], dtype=ember.int32))


def test_legacy_size_average_reduce():
    x, c = ember.tensor(X), ember.tensor(C)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert F.mse_loss(x, c, size_average=False).item() == pytest.approx(((X - C) ** 2).sum())
        assert F.mse_loss(x, c, reduce=False).shape == (3, 5)
        assert nn.L1Loss(size_average=False).reduction == "sum"


def test_mse_weight_and_warning_on_broadcast():
    x, c = ember.tensor(X), ember.tensor(C)
    w = ember.tensor(P)
    assert F.mse_loss(x, c, weight=w).item() == pytest.approx(((X - C) ** 2 * P).sum() / P.sum())
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.l1_loss(x, c, weight=ember.ones(5))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(x, ember.tensor(C[0]))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.tensor(X), ember.tensor(PROBS))


def test_loss_modules_register_weights_as_buffers():
    ce = nn.CrossEntropyLoss(weight=ember.ones(3))
    assert list(ce.state_dict()) == ["weight"] and ce.ignore_index == -100
    assert nn.NLLLoss().weight is None and list(nn.NLLLoss().state_dict()) == []
    bce = nn.BCEWithLogitsLoss(pos_weight=ember.ones(2))
    assert list(bce.state_dict()) == ["pos_weight"]
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0)


# ---------------------------------------------------------------------------- CTC
def _ctc_brute_force(logp, target, blank):
    """-log of the summed probability of every alignment that collapses to target (tiny T only)."""
    import itertools

    T, C = logp.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [k for i, k in enumerate(path) if k != blank and (i == 0 or path[i - 1] != k)]
        if collapsed == list(target):
            total += math.exp(sum(logp[t, k] for t, k in enumerate(path)))
    return -math.log(total)


def test_ctc_matches_brute_force():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 2, 3))
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    targets = [[1, 2], [1, 1]]
    want = [_ctc_brute_force(logp[:, n], targets[n], 0) for n in range(2)]
    got = F.ctc_loss(ember.tensor(logp), ember.tensor(targets), [5, 5], [2, 2], reduction="none")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    short = F.ctc_loss(ember.tensor(logp), ember.tensor([2, 1, 1]), [4, 3], [1, 2], reduction="none")
    np.testing.assert_allclose(short.numpy(), [_ctc_brute_force(logp[:4, 0], [2], 0),
                                               _ctc_brute_force(logp[:3, 1], [1, 1], 0)], rtol=1e-10)


def test_ctc_gradcheck_through_log_softmax():
    rng = np.random.default_rng(4)
    z = ember.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    targets = ember.tensor([[1, 2], [2, 0]])
    for reduction in ("mean", "sum", "none"):
        loss = lambda z, r=reduction: F.ctc_loss(z.log_softmax(2), targets, [4, 3], [2, 1], reduction=r)  # noqa: E731
        assert gradcheck(loss, (z,))
    unbatched = ember.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda z: F.ctc_loss(z.log_softmax(1), ember.tensor([1, 2]), [4], [2]), (unbatched,))


def test_ctc_has_no_double_backward_like_torch():
    z = ember.tensor(np.random.default_rng(5).standard_normal((4, 1, 3)), requires_grad=True)
    loss = F.ctc_loss(z.log_softmax(2), ember.tensor([[1]]), [4], [1])
    (g,) = ember.autograd.grad(loss, z, create_graph=True)
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not implemented"):
        g.sum().backward()


def test_ctc_impossible_alignment_and_zero_infinity():
    logp = ember.tensor(np.log(np.full((2, 1, 3), 1 / 3)), requires_grad=True)
    inf = F.ctc_loss(logp, ember.tensor([[1, 1]]), [2], [2], reduction="sum")  # needs 3 steps for "1 1"
    assert math.isinf(inf.item())
    zero = F.ctc_loss(logp, ember.tensor([[1, 1]]), [2], [2], reduction="sum", zero_infinity=True)
    zero.backward()
    assert zero.item() == 0.0 and logp.grad.abs().sum().item() == 0.0
