"""optim/adagrad.py: Adagrad against torch's trajectories, state_dicts and argument errors."""

import re

import pytest

import ember

from .helpers import cases_of, check_resume_from_torch, check_round_trip, check_structure, check_trajectory, param


def _raises(cls, kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        cls([param()], **kwargs)

CASES = cases_of("Adagrad")

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
    check_round_trip(name, True)


def test_state_exists_from_construction_like_torch():
    p, q = param(), param(grad=False)
    opt = ember.optim.Adagrad([p, q], initial_accumulator_value=0.5)
    assert ember.equal(opt.state[q]["sum"], ember.full((3,), 0.5, dtype=ember.float64))
    assert float(opt.state[q]["step"]) == 0.0
    late = param()
    opt.add_param_group({"params": [late]})
    opt.step()
    assert ember.equal(opt.state[late]["sum"], ember.full((3,), 1.5, dtype=ember.float64))


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "Invalid learning rate: -0.1"),
    ({"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ({"initial_accumulator_value": -0.1}, "Invalid initial_accumulator_value value: -0.1"),
    ({"eps": -0.1}, "Invalid epsilon value: -0.1"),
])
def test_bad_arguments_raise_torch_errors(kwargs, message):
    _raises(ember.optim.Adagrad, kwargs, message)
