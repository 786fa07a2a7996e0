"""optim/lr_scheduler.py: every scheduler's lrs (and momenta) over 100 epochs against torch's, state_dict
round trips, the call-order warning and argument errors."""

import copy
import re
import warnings

import numpy as np
import pytest

import ember
from ember.optim import SGD, Adam, lr_scheduler

from .helpers import arrays, meta, param, specs

LR_ATOL = 1e-12
CASES = list(specs.SCHED_CASES)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("name", CASES)
def test_schedule_matches_torch(name):
    rows, _, _ = _quiet(specs.run_schedule, ember, name)
    np.testing.assert_allclose(rows, arrays()[f"sched/{name}"], rtol=0, atol=LR_ATOL)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_round_trip_mid_schedule(name):
    """Save after 40 epochs, rebuild optimizer and scheduler, load both, continue: the same lrs."""
    kind, spec, _ = specs.SCHED_CASES[name]
    _, opt, sched = _quiet(specs.run_schedule, ember, name, 0, 40)
    saved_sched = copy.deepcopy(sched.state_dict())
    saved_opt = copy.deepcopy(opt.state_dict())
    rest_a, _, _ = _quiet(specs.run_schedule, ember, name, 40, specs.EPOCHS, opt, sched)
    opt_b = specs.make_optimizer_for_schedule(ember, kind)
    sched_b = _quiet(specs.build_scheduler, ember, opt_b, spec)
    sched_b.load_state_dict(saved_sched)
    opt_b.load_state_dict(saved_opt)
    rest_b, _, _ = _quiet(specs.run_schedule, ember, name, 40, specs.EPOCHS, opt_b, sched_b)
    np.testing.assert_array_equal(rest_a, rest_b)
    np.testing.assert_allclose(rest_a, arrays()[f"sched/{name}"][41:], rtol=0, atol=LR_ATOL)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_keys_match_torch(name):
    kind, spec, _ = specs.SCHED_CASES[name]
    sched = _quiet(specs.build_scheduler, ember, specs.make_optimizer_for_schedule(ember, kind), spec)
    assert sorted(sched.state_dict()) == meta()["scheduler_state_keys"][name]


def test_get_last_lr_and_initial_lr():
    opt = SGD([{"params": [param()]}, {"params": [param()], "lr": 0.5}], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    assert sched.get_last_lr() == [0.1, 0.5] and sched.base_lrs == [0.1, 0.5]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.5]
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.05, 0.25] == [g["lr"] for g in opt.param_groups]


def test_tensor_lr_is_updated_in_place():
    lr = ember.tensor(0.1, dtype=ember.float64)
    opt = SGD([param()], lr=lr)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and float(lr) == 0.05
    last = sched.get_last_lr()[0]
    assert isinstance(last, ember.Tensor) and last is not lr  # a copy, as torch


ORDER_WARNING = re.escape("Detected call of `lr_scheduler.step()` before `optimizer.step()`.")


def test_warns_when_scheduler_steps_before_optimizer():
    opt = SGD([param()], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=ORDER_WARNING):
        sched.step()


def test_no_warning_in_the_right_order():
    opt = SGD([param()], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
        sched.step()


def test_warns_when_optimizer_step_was_replaced():
    opt = SGD([param()], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        sched.step()


def test_get_lr_outside_step_warns_and_epoch_argument_is_deprecated():
    opt = SGD([param()], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sched.step(4)
    assert sched.get_last_lr() == [pytest.approx(0.1 * 0.1**2)]


def test_resuming_needs_initial_lr():
    opt = SGD([param()], lr=0.1)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate**epoch

    opt = SGD([{"params": [param()]}, {"params": [param()]}], lr=0.1)
    sched = lr_scheduler.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None] and "optimizer" not in sd
    other = lr_scheduler.LambdaLR(SGD([{"params": [param()]}, {"params": [param()]}], lr=0.1),
                                  [Decay(0.9), lambda e: 1.0])
    other.load_state_dict(sd)
    assert other.lr_lambdas[0].rate == 0.5


def _opt(n_groups=1, cls=SGD, **kw):
    return cls([{"params": [param()]} for _ in range(n_groups)], lr=0.1, **kw)


@pytest.mark.parametrize("build, error, message", [
    (lambda: lr_scheduler.StepLR(object(), 3), TypeError, "object is not an Optimizer"),
    (lambda: lr_scheduler.LambdaLR(_opt(2), [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda: lr_scheduler.MultiplicativeLR(_opt(), 0.5), TypeError, "lr_lambda should be a function, but got float"),
    (lambda: lr_scheduler.ConstantLR(_opt(), factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda: lr_scheduler.LinearLR(_opt(), start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda: lr_scheduler.LinearLR(_opt(), end_factor=2), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda: lr_scheduler.CosineAnnealingWarmRestarts(_opt(), T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda: lr_scheduler.CosineAnnealingWarmRestarts(_opt(), T_0=5, T_mult=1.5), ValueError,
     "Expected integer T_mult >= 1, but got 1.5"),
    (lambda: lr_scheduler.ReduceLROnPlateau(_opt(), factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda: lr_scheduler.ReduceLROnPlateau(_opt(), mode="up"), ValueError, "mode up is unknown!"),
    (lambda: lr_scheduler.ReduceLROnPlateau(_opt(), threshold_mode="x"), ValueError, "threshold mode x is unknown!"),
    (lambda: lr_scheduler.ReduceLROnPlateau(_opt(2), min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda: lr_scheduler.CyclicLR(_opt(), 0.01, 0.1, mode="sine"), ValueError, "mode is invalid and scale_fn is None"),
    (lambda: lr_scheduler.CyclicLR(_opt(cls=ember.optim.Adagrad), 0.01, 0.1), ValueError,
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    (lambda: lr_scheduler.CyclicLR(_opt(2), [0.01], 0.1), ValueError,
     "base_lr must have the same length as optimizer.param_groups. base_lr has 1 values, param_groups has 2."),
    (lambda: lr_scheduler.OneCycleLR(_opt(), 0.1), ValueError,
     "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda: lr_scheduler.OneCycleLR(_opt(), 0.1, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda: lr_scheduler.OneCycleLR(_opt(), 0.1, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda: lr_scheduler.OneCycleLR(_opt(), 0.1, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda: lr_scheduler.SequentialLR(_opt(), [], []), ValueError,
     "SequentialLR expects at least one scheduler, but got no scheduler."),
    (lambda: lr_scheduler.ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."),
])
def test_bad_arguments(build, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        build()


def test_sequential_checks_milestones_and_optimizers():
    opt = _opt()
    a = lr_scheduler.ConstantLR(opt, factor=0.5)
    b = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        lr_scheduler.SequentialLR(opt, [a, b], milestones=[])
    other = lr_scheduler.ExponentialLR(_opt(), gamma=0.9)
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        lr_scheduler.SequentialLR(opt, [a, other], milestones=[3])
    plateau = lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.ChainedScheduler([a, plateau])


def test_onecycle_refuses_to_run_past_total_steps():
    opt = _opt(momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        sched.step()


def test_plateau_adapts_to_a_new_group_with_a_default_min_lr():
    opt = _opt()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=0.001)
    opt.add_param_group({"params": [param()], "lr": 0.2})
    sched.step(1.0)
    sched.step(1.0)
    assert [g["lr"] for g in opt.param_groups] == [pytest.approx(0.01), pytest.approx(0.02)]
    fixed = lr_scheduler.ReduceLROnPlateau(_opt(), patience=0, min_lr=[0.001])
    fixed.optimizer.add_param_group({"params": [param()]})
    fixed.step(1.0)
    with pytest.raises(RuntimeError, match="The number of param groups in the `optimizer` \\(2\\) differs"):
        fixed.step(1.0)


def test_cyclic_momentum_on_adam_moves_beta1():
    opt = _opt(cls=Adam)
    lr_scheduler.CyclicLR(opt, 0.001, 0.01, step_size_up=2, base_momentum=0.8, max_momentum=0.9)
    assert opt.param_groups[0]["betas"][0] == 0.9
    assert opt.param_groups[0]["max_momentum"] == 0.9 and opt.param_groups[0]["base_momentum"] == 0.8
