"""Shared checks of the optimizer tests against the torch fixtures (fixtures/optim.npz, optim.json)."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import pathlib

import numpy as np

import ember

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
PARAM_ATOL = 1e-10


def _load_specs():
    spec = importlib.util.spec_from_file_location("optim_specs", FIXTURES / "optim_specs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


specs = _load_specs()


@functools.cache
def arrays() -> dict:
    with np.load(FIXTURES / "optim.npz") as f:
        return {k: f[k] for k in f.files}


@functools.cache
def meta() -> dict:
    return json.loads((FIXTURES / "optim.json").read_text())


def cases_of(*class_names: str) -> list[str]:
    return [n for n, (cls, _, _) in specs.OPTIM_CASES.items() if cls in class_names]


def fresh_params():
    return [ember.tensor(v, requires_grad=True) for v in specs.initial_values()]


def grads():
    return specs.gradient_sequence()


def run(name, foreach, start=0, stop=None, opt=None, params=None):
    if params is None:
        params = fresh_params()
    if opt is None:
        opt = specs.build_optimizer(ember, name, params, foreach=foreach)
    rows = specs.run_steps(ember, opt, params, grads(), start, specs.STEPS if stop is None else stop)
    return rows, opt, params


def check_trajectory(name: str, foreach: bool) -> None:
    """50 steps from the recorded gradients follow torch's parameters within 1e-10."""
    rows, _, _ = run(name, foreach)
    np.testing.assert_allclose(rows, arrays()[f"traj/{name}"], rtol=0, atol=PARAM_ATOL)


def torch_state_dict(name: str) -> dict:
    """torch's state_dict after RESUME_AT steps, rebuilt with ember tensors (what torch.load would give)."""
    a = arrays()
    dtypes = meta()["resume_state_dtypes"][name]
    state = {}
    for k, keys in dtypes.items():
        state[int(k)] = {key: ember.tensor(a[f"resume/{name}/{k}/{key}"], dtype=getattr(ember, dt))
                         for key, dt in keys.items()}
    groups = [{k: _decode(v) for k, v in g.items()} for g in meta()["resume_groups"][name]]
    return {"state": state, "param_groups": groups}


def _decode(v):
    if isinstance(v, dict) and "tuple" in v:
        return tuple(v["tuple"])
    return specs.decode(ember, v)


def check_resume_from_torch(name: str, foreach: bool) -> None:
    """torch's mid-training state_dict loads into a fresh ember optimizer, which then continues like torch."""
    traj = arrays()[f"traj/{name}"]
    params = fresh_params()
    offset = 0
    for p in params:  # the parameters as torch had them after RESUME_AT steps
        n = p.numel()
        p.data.copy_(ember.tensor(traj[specs.RESUME_AT - 1, offset:offset + n].reshape(tuple(p.shape))))
        offset += n
    opt = specs.build_optimizer(ember, name, params, foreach=foreach)
    opt.load_state_dict(torch_state_dict(name))
    rows, _, _ = run(name, foreach, specs.RESUME_AT, opt=opt, params=params)
    np.testing.assert_allclose(rows, traj[specs.RESUME_AT:], rtol=0, atol=PARAM_ATOL)


def check_round_trip(name: str, foreach: bool, atol: float = 0.0) -> None:
    """Save mid-training, load into a fresh optimizer over copies of the params, continue: identical
    (atol > 0 only where torch itself changes precision on load)."""
    rows_a, opt, params = run(name, foreach, 0, specs.RESUME_AT)
    saved = copy.deepcopy(opt.state_dict())
    params_b = [p.detach().clone().requires_grad_(True) for p in params]
    rest_a, _, _ = run(name, foreach, specs.RESUME_AT, opt=opt, params=params)
    opt_b = specs.build_optimizer(ember, name, params_b, foreach=foreach)
    opt_b.load_state_dict(saved)
    rest_b, _, _ = run(name, foreach, specs.RESUME_AT, opt=opt_b, params=params_b)
    np.testing.assert_allclose(rest_a, rest_b, rtol=0, atol=atol)


def describe(v):
    """ember's counterpart of make_optim.describe."""
    if isinstance(v, ember.Tensor):
        return {"tensor": v.dtype.name if hasattr(v.dtype, "name") else str(v.dtype), "shape": list(v.shape)}
    if isinstance(v, dict):
        return {"dict": {str(k): describe(x) for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return {type(v).__name__: [describe(x) for x in v]}
    if v is None or isinstance(v, (bool, str)):
        return v
    return {type(v).__name__: v}


def _types_only(d):
    """A description with plain numbers reduced to their type (state values such as LBFGS's prev_loss)."""
    if isinstance(d, dict):
        if len(d) == 1 and next(iter(d)) in ("int", "float"):
            return next(iter(d))
        return {k: _types_only(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_types_only(v) for v in d]
    return d


def assert_same_structure(state_dict, expected) -> None:
    """state_dict's keys, state entries, dtypes, shapes and group options equal torch's (state numbers by type)."""
    actual = json.loads(json.dumps(describe(state_dict)))
    assert actual["dict"]["param_groups"] == expected["dict"]["param_groups"]
    assert _types_only(actual["dict"]["state"]) == _types_only(expected["dict"]["state"])


def check_structure(name: str) -> None:
    _, opt, _ = run(name, False)
    assert_same_structure(opt.state_dict(), meta()["structure"][name])


def param(shape=(3,), dtype=ember.float64, grad=True):
    """A leaf parameter with a gradient of ones."""
    p = ember.zeros(shape, dtype=dtype, requires_grad=True)
    if grad:
        p.grad = ember.ones(shape, dtype=dtype)
    return p
