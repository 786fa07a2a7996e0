"""optim/nadam.py: NAdam against torch's trajectories, state_dicts and argument errors."""

import re

import pytest

import ember

from .helpers import cases_of, check_resume_from_torch, check_round_trip, check_structure, check_trajectory, param


def _raises(cls, kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        cls([param()], **kwargs)

CASES = cases_of("NAdam")

@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_trajectory_matches_torch(name, foreach):
    check_trajectory(name, foreach)


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_resumes_from_torch_state_dict(name, foreach):
    check_resume_from_torch(name, foreach)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_structure_matches_torch(name):
    check_structure(name)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_round_trip(name):
    # loading casts 'mu_product' (float32 in a fresh optimizer) to the params' float64, in torch too,
    # so the resumed run differs from the uninterrupted one in the last bits
    check_round_trip(name, True, atol=1e-15)


def test_mu_product_is_kept_in_float32_like_torch():
    p = param()
    opt = ember.optim.NAdam([p])
    opt.step()
    assert opt.state[p]["mu_product"].dtype == ember.float32 and opt.state[p]["step"].dtype == ember.float32


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "Invalid learning rate: -0.1"),
    ({"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
    ({"momentum_decay": -1.0}, "Invalid momentum_decay value: -1.0"),
])
def test_bad_arguments_raise_torch_errors(kwargs, message):
    _raises(ember.optim.NAdam, kwargs, message)
