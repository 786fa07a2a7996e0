"""optim/lbfgs.py: L-BFGS (plain and strong-Wolfe) against torch's iterates, state_dict and errors."""

import copy

import numpy as np
import pytest

import ember

from .helpers import arrays, assert_same_structure, meta, param, specs

CASES = list(specs.LBFGS_CASES)


@pytest.mark.parametrize("name", CASES)
def test_iterates_and_losses_match_torch(name):
    traj, losses, _ = specs.run_lbfgs(ember, name)
    np.testing.assert_allclose(traj, arrays()[f"lbfgs/{name}/traj"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(losses, arrays()[f"lbfgs/{name}/loss"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_structure_matches_torch(name):
    _, _, opt = specs.run_lbfgs(ember, name)
    assert_same_structure(opt.state_dict(), meta()["structure"][name])


def test_state_dict_round_trip_continues_identically():
    _, _, opt = specs.run_lbfgs(ember, "lbfgs_wolfe_history")
    params = opt.param_groups[0]["params"]
    saved = copy.deepcopy(opt.state_dict())
    twins = [p.detach().clone().requires_grad_(True) for p in params]
    twin_opt = ember.optim.LBFGS(twins, **specs.LBFGS_CASES["lbfgs_wolfe_history"][0])
    twin_opt.load_state_dict(saved)
    for ps, o in ((params, opt), (twins, twin_opt)):
        def closure(ps=ps, o=o):
            o.zero_grad()
            loss, grad = specs.rosenbrock(specs.flat_params(ps))
            offset = 0
            for p in ps:
                p.grad = ember.tensor(grad[offset:offset + p.numel()].reshape(tuple(p.shape)))
                offset += p.numel()
            return ember.tensor(loss)
        o.step(closure)
    np.testing.assert_array_equal(specs.flat_params(params), specs.flat_params(twins))


def test_minimizes_a_function_through_ember_autograd():
    x = ember.tensor([-1.2, 1.0], dtype=ember.float64, requires_grad=True)
    opt = ember.optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=100, tolerance_change=1e-15,
                            tolerance_grad=1e-12)

    def closure():
        opt.zero_grad()
        loss = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=1e-6)


def test_one_group_only_and_known_line_search_only():
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": [param()]}, {"params": [param()]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        ember.optim.LBFGS([param()], lr=-1)
    p = param()
    opt = ember.optim.LBFGS([p], line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(lambda: (p * p).sum() + p.sum())


def test_already_optimal_returns_after_one_evaluation():
    p = param(grad=False)
    opt = ember.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        p.grad = ember.zeros(3, dtype=ember.float64)
        return ember.tensor(0.0)

    opt.step(closure)
    assert len(calls) == 1 and opt.state[p]["func_evals"] == 1 and "d" not in opt.state[p]
