"""optim/swa_utils.py: AveragedModel (SWA and EMA), update_bn and SWALR against torch."""

import re

import numpy as np
import pytest

import ember
from ember.optim import SGD, swa_utils

from .helpers import arrays, meta, param, specs

CASES = list(specs.SWA_CASES)


@pytest.mark.parametrize("name", CASES)
def test_averages_and_update_bn_match_torch(name):
    rows, stats, averaged = specs.run_swa(ember, name)
    np.testing.assert_allclose(rows, arrays()[f"swa/{name}/rows"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(stats, arrays()[f"swa/{name}/bn"], rtol=0, atol=1e-12)
    assert list(averaged.state_dict()) == meta()["swa_state_keys"][name]


def test_first_update_copies_and_the_average_is_the_mean():
    model = ember.nn.Linear(3, 2).double()
    averaged = swa_utils.AveragedModel(model)
    snapshots = []
    for k in range(3):
        with ember.no_grad():
            model.weight.fill_(float(k))
        snapshots.append(model.weight.detach().clone())
        averaged.update_parameters(model)
    np.testing.assert_allclose(averaged.module.weight.detach().numpy(), np.full((2, 3), 1.0))
    assert int(averaged.n_averaged) == 3 and averaged.module.weight is not model.weight
    x = ember.ones(4, 3, dtype=ember.float64)
    assert ember.allclose(averaged(x), averaged.module(x))


def test_ema_decay_and_argument_checks():
    for fn in (swa_utils.get_ema_multi_avg_fn, swa_utils.get_ema_avg_fn):
        with pytest.raises(ValueError, match=re.escape("Invalid decay value 1.5 provided. Please provide a value in "
                                                       "[0,1] range.")):
            fn(1.5)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
        swa_utils.AveragedModel(ember.nn.Linear(2, 2), avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())


def test_update_bn_without_batch_norm_is_a_no_op_and_restores_mode():
    model = ember.nn.Linear(2, 2)
    swa_utils.update_bn([ember.ones(1, 2)], model)
    bn_model = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.BatchNorm1d(2))
    bn_model.eval()
    swa_utils.update_bn([ember.ones(3, 2), ember.zeros(3, 2)], bn_model)
    assert not bn_model.training and bn_model[1].momentum == 0.1 and int(bn_model[1].num_batches_tracked) == 2


def test_swalr_errors_and_state_dict_round_trip():
    opt = SGD([param()], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
        swa_utils.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=-1)
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear")
    sd = sched.state_dict()
    assert "anneal_func" not in sd and sd["_anneal_strategy"] == "linear"
    other = swa_utils.SWALR(SGD([param()], lr=0.1), swa_lr=0.05)
    other.load_state_dict(sd)
    assert other.anneal_func(0.3) == 0.3
