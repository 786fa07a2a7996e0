"""optim/adam.py: Adam and AdamW against torch's trajectories, state_dicts and argument errors."""

import pytest

import ember

from .helpers import cases_of, check_resume_from_torch, check_round_trip, check_structure, check_trajectory, param

CASES = cases_of("Adam", "AdamW")

@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_trajectory_matches_torch(name, foreach):
    check_trajectory(name, foreach)


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_resumes_from_torch_state_dict(name, foreach):
    check_resume_from_torch(name, foreach)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_round_trip(name):
    check_round_trip(name, True)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_structure_matches_torch(name):
    check_structure(name)


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "Invalid learning rate: -0.1"),
    ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ({"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ({"betas": (0.9, 0)}, "betas must be either both floats or both Tensors"),
    ({"lr": ember.tensor([0.1, 0.2])}, "Tensor lr must be 1-element"),
])
@pytest.mark.parametrize("cls", [ember.optim.Adam, ember.optim.AdamW])
def test_bad_arguments_raise_torch_errors(cls, kwargs, message):
    with pytest.raises(ValueError, match="^" + __import__("re").escape(message) + "$"):
        cls([param()], **kwargs)


def test_fused_and_foreach_together_is_an_error():
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        ember.optim.Adam([param()], fused=True, foreach=True)


def test_adamw_decays_weights_by_default():
    opt = ember.optim.AdamW([param()])
    assert opt.defaults["weight_decay"] == 1e-2 and opt.param_groups[0]["decoupled_weight_decay"] is True
    p = param()
    p.data.fill_(1.0)
    p.grad.zero_()
    ember.optim.AdamW([p], lr=0.1, weight_decay=0.5).step()
    assert ember.allclose(p.detach(), ember.full((3,), 0.95, dtype=ember.float64))  # zero grad: only the decay


def test_tensor_betas_follow_float_betas():
    a, b = param(), param()
    ember.optim.Adam([a], betas=(0.8, 0.99)).step()
    f64 = ember.float64
    ember.optim.Adam([b], betas=(ember.tensor(0.8, dtype=f64), ember.tensor(0.99, dtype=f64))).step()
    assert ember.equal(a.detach(), b.detach())


def test_parameters_without_grad_are_skipped():
    p, q = param(), param(grad=False)
    opt = ember.optim.Adam([p, q])
    opt.step()
    assert q not in opt.state and len(opt.state[p]) == 3
    assert ember.equal(q.detach(), ember.zeros(3, dtype=ember.float64))
