"""optim/optimizer.py: parameter groups, zero_grad, step hooks, state_dict layout and loading, errors."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import ember
from ember.optim import SGD, Adam, Optimizer

from .helpers import param


def test_param_groups_get_the_defaults_and_keep_their_own_options():
    a, b = param(), param()
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert all(g["momentum"] == 0.9 for g in opt.param_groups)
    assert opt.param_groups[1]["params"][0] is b  # a lone tensor becomes a list


def test_add_param_group_and_its_errors():
    a, b = param(), param()
    opt = SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.2})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["momentum"] == 0
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([param()])
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {param()}})


def test_a_parameter_in_two_groups_is_an_error():
    a = param()
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
        SGD([{"params": [a]}, {"params": [a], "lr": 0.5}], lr=0.1)


@pytest.mark.parametrize("params, error, message", [
    ([], ValueError, "optimizer got an empty parameter list"),
    (ember.zeros(3, requires_grad=True), TypeError, "params argument given to the optimizer should be an iterable"),
    ([1.0], TypeError, "optimizer can only optimize Tensors, but one of the params is float"),
])
def test_bad_params(params, error, message):
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)


def test_non_leaf_tensors_cannot_be_optimized():
    a = param()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        SGD([a * 2], lr=0.1)


def test_duplicate_parameters_warn_like_torch():
    a = param()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        SGD([a, a], lr=0.1)


def test_named_parameters_are_recorded_and_must_be_consistent():
    a, b = param(), param()
    opt = SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
        opt.add_param_group({"params": [param()]})


def test_required_option_must_be_given():
    from ember.optim.optimizer import required

    class Needy(Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": required})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Needy([param()])
    assert Needy([{"params": [param()], "lr": 1.0}]).param_groups[0]["lr"] == 1.0


def test_differentiable_steps_are_refused_clearly():
    with pytest.raises(RuntimeError, match="differentiable=True is not supported"):
        Adam([param()], differentiable=True)


def test_zero_grad_drops_or_zeros_gradients():
    a, b = param(), param(grad=False)
    opt = SGD([a, b], lr=0.1)
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and ember.equal(grad, ember.zeros(3, dtype=ember.float64)) and b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_step_hooks_run_around_step_and_can_be_removed():
    a = param()
    opt = SGD([a], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", float(a.detach()[0]))))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", float(a.detach()[0]))))
    glob = ember.optim.register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append(("global", o is opt)))
    try:
        opt.step()
    finally:
        glob.remove()
    assert calls == [("global", True), ("pre", 0.0), ("post", -0.1)]
    pre.remove()
    post.remove()
    opt.step()
    assert len(calls) == 3


def test_pre_hook_may_replace_the_arguments():
    a = param()
    opt = SGD([a], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: seen.append(1) or 5.0}))
    assert opt.step() == 5.0 and seen == [1]
    opt.register_step_pre_hook(lambda o, args, kwargs: "nonsense")
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        opt.step()


def test_step_runs_without_recording_and_the_closure_with():
    a = param()
    opt = SGD([a], lr=0.1)
    modes = []

    def closure():
        modes.append(ember.is_grad_enabled())
        return 0.0

    with ember.enable_grad():
        opt.step(closure)
        assert ember.is_grad_enabled()
    assert modes == [True] and a.grad_fn is None and a.is_leaf


def test_step_bumps_the_parameter_version():
    a = param()
    opt = Adam([a])
    v = a._version
    opt.step()
    assert a._version > v


def test_state_dict_layout_is_torchs():
    a, b, c = param(), param(), param(grad=False)
    opt = Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}])
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert set(sd["state"]) == {0, 1}  # c had no gradient, so no state
    assert sd["param_groups"][0]["params"] == [0, 1] and sd["param_groups"][1]["params"] == [2]
    step = sd["state"][0]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype == ember.float32 and step.dim() == 0 and float(step) == 1
    assert sd["state"][0]["exp_avg"] is opt.state[a]["exp_avg"]  # live tensors, as torch


def test_step_is_float64_under_a_float64_default_dtype():
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        a = param()
        opt = Adam([a])
        opt.step()
        assert opt.state[a]["step"].dtype == ember.float64
    finally:
        ember.set_default_dtype(prev)


def test_load_state_dict_errors():
    a, b = param(), param()
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    two_groups = SGD([{"params": [param()]}, {"params": [param()]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups"):
        opt.load_state_dict(two_groups)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(SGD([param()], lr=0.1).state_dict())


def test_load_state_dict_casts_state_to_the_params_but_keeps_step():
    src = param(dtype=ember.float32)
    opt = Adam([src])
    opt.step()
    sd = opt.state_dict()
    dst = param(dtype=ember.float64)
    opt2 = Adam([dst], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.state[dst]["exp_avg"].dtype == ember.float64
    assert opt2.state[dst]["step"].dtype == ember.float32
    assert opt2.param_groups[0]["lr"] == 1e-3  # options come from the state_dict
    assert opt2.param_groups[0]["params"][0] is dst


def test_load_state_dict_takes_options_from_the_dict_and_upgrades_old_steps():
    a = param()
    opt = Adam([a])
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["step"] = 1  # a checkpoint from before steps were tensors
    del sd["param_groups"][0]["decoupled_weight_decay"]  # or before an option existed
    b = param()
    opt2 = Adam([b])
    opt2.load_state_dict(sd)
    assert isinstance(opt2.state[b]["step"], ember.Tensor) and float(opt2.state[b]["step"]) == 1.0
    assert opt2.param_groups[0]["decoupled_weight_decay"] is False
    opt2.step()
    assert float(opt2.state[b]["step"]) == 2.0


def test_state_dict_hooks():
    a = param()
    opt = SGD([a], lr=0.1)
    order = []
    opt.register_state_dict_pre_hook(lambda o: order.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1 and order == ["pre"]
    opt.register_load_state_dict_pre_hook(lambda o, sd: order.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: order.append("load_post"))
    opt.load_state_dict(SGD([param()], lr=0.3).state_dict())
    assert order == ["pre", "load_pre", "load_post"] and opt.param_groups[0]["lr"] == 0.3


def test_tensor_lr_and_its_validation():
    a, b = param(), param()
    SGD([a], lr=ember.tensor(0.5, dtype=ember.float64)).step()
    SGD([b], lr=0.5).step()
    assert ember.equal(a.detach(), b.detach())
    with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
        SGD([param()], lr=ember.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="^Invalid learning rate: -0.1$"):
        SGD([param()], lr=-0.1)


def test_repr_lists_group_options():
    text = repr(SGD([param()], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in text and "params" not in text


def test_optimizers_deepcopy_and_pickle():
    a = param()
    opt = Adam([a])
    opt.step()
    twin = copy.deepcopy(opt)
    assert float(twin.state[twin.param_groups[0]["params"][0]]["step"]) == 1.0
    restored = pickle.loads(pickle.dumps(opt))
    assert restored.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    restored.step()  # hooks dicts came back


def test_subclass_calling_super_step_runs_hooks_once():
    class Wrapped(SGD):
        def step(self, closure=None):
            return super().step(closure)

    a = param()
    opt = Wrapped([a], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda *args: calls.append(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert calls == [1]
    np.testing.assert_allclose(a.detach().numpy(), -0.1)
