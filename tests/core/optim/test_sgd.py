"""optim/sgd.py: SGD against torch's trajectories, state_dicts and argument errors."""

import re

import pytest

import ember

from .helpers import cases_of, check_resume_from_torch, check_round_trip, check_structure, check_trajectory, param


def _raises(cls, kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        cls([param()], **kwargs)

CASES = cases_of("SGD")

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


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "Invalid learning rate: -0.1"),
    ({"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ({"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ({"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ({"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum requires a momentum and zero dampening"),
])
def test_bad_arguments_raise_torch_errors(kwargs, message):
    _raises(ember.optim.SGD, kwargs, message)


def test_plain_sgd_keeps_no_state_and_momentum_keeps_a_buffer():
    p, q = param(), param()
    plain = ember.optim.SGD([p], lr=0.5)
    plain.step()
    assert len(plain.state) == 0 and ember.equal(p.detach(), ember.full((3,), -0.5, dtype=ember.float64))
    heavy = ember.optim.SGD([q], lr=0.5, momentum=0.9)
    heavy.step()
    heavy.step()
    assert list(heavy.state[q]) == ["momentum_buffer"]
    assert ember.allclose(heavy.state[q]["momentum_buffer"], ember.full((3,), 1.9, dtype=ember.float64))
    assert ember.allclose(q.detach(), ember.full((3,), -0.5 - 0.95, dtype=ember.float64))


def test_step_returns_the_closure_loss_computed_with_grad():
    p = param()
    opt = ember.optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum() + p.sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == 0.0 and ember.allclose(p.detach(), ember.full((3,), -0.1, dtype=ember.float64))
