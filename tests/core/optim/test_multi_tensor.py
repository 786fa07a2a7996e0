"""optim/_multi_tensor.py: the fused multi-tensor path gives exactly the simple path's numbers.

CPU: bit-for-bit, over the torch-fixture cases and over parameters spanning several cache blocks, strided
parameters, 0-dim ones and mixed dtypes. GPU (marked cuda): the CuPy kernels against the CPU simple path.
"""

import numpy as np
import pytest

import ember

from .helpers import run, specs

ALGORITHMS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"lr": 0.01, "betas": (0.2, 0.9)}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.01, "maximize": True, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.1, "alpha": 0.3}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.1, "maximize": True}),
]
IDS = [f"{c}-{i}" for i, (c, _) in enumerate(ALGORITHMS)]


@pytest.mark.parametrize("name", list(specs.OPTIM_CASES))
def test_fixture_cases_are_bitwise_equal(name):
    rows_simple, opt_simple, _ = run(name, False)
    rows_multi, opt_multi, _ = run(name, True)
    np.testing.assert_array_equal(rows_simple, rows_multi)
    for s_simple, s_multi in zip(opt_simple.state_dict()["state"].values(), opt_multi.state_dict()["state"].values()):
        for key in s_simple:
            np.testing.assert_array_equal(s_simple[key].numpy(), s_multi[key].numpy())


def _make_params(rng, dtype, device="cpu"):
    """Parameters of several cache blocks, a strided (transposed) one, a 0-dim one and an empty one."""
    big = ember.tensor(rng.standard_normal((400, 400)), dtype=dtype, device=device)
    strided = ember.tensor(rng.standard_normal((5, 7)), dtype=dtype, device=device).t()
    scalar = ember.tensor(rng.standard_normal(()), dtype=dtype, device=device)
    empty = ember.zeros(0, dtype=dtype, device=device)
    small = ember.tensor(rng.standard_normal((3, 4)), dtype=dtype, device=device)
    return [t.detach().requires_grad_(True) for t in (big, strided, scalar, empty, small)]


def _trajectory(cls_name, kwargs, dtype, foreach, device="cpu", steps=4):
    rng = np.random.default_rng(0)
    params = _make_params(rng, dtype, device)
    opt = getattr(ember.optim, cls_name)(params, foreach=foreach, **kwargs)
    for _ in range(steps):
        for p in params:
            p.grad = ember.tensor(rng.standard_normal(tuple(p.shape)), dtype=dtype, device=device)
        opt.step()
    return [p.detach().cpu().numpy().copy() for p in params], opt


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("cls_name, kwargs", ALGORITHMS, ids=IDS)
def test_multi_block_strided_and_scalar_params_are_bitwise_equal(cls_name, kwargs, dtype):
    simple, _ = _trajectory(cls_name, kwargs, dtype, foreach=False)
    multi, _ = _trajectory(cls_name, kwargs, dtype, foreach=True)
    for a, b in zip(simple, multi):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_mixed_dtypes_in_one_group():
    results = []
    for foreach in (False, True):
        a = ember.ones(70000, dtype=ember.float32, requires_grad=True)
        b = ember.ones(70000, dtype=ember.float64, requires_grad=True)
        opt = ember.optim.Adam([a, b], foreach=foreach)
        for _ in range(3):
            a.grad = ember.linspace(-1, 1, 70000, dtype=ember.float32)
            b.grad = ember.linspace(-1, 1, 70000, dtype=ember.float64)
            opt.step()
        results.append((a.detach().numpy().copy(), b.detach().numpy().copy()))
    for x, y in zip(*results):
        np.testing.assert_array_equal(x, y)
    assert results[0][0].dtype == np.float32


@pytest.mark.parametrize("cls_name, kwargs", ALGORITHMS, ids=IDS)
def test_step_bumps_versions_of_params_and_state(cls_name, kwargs):
    p = ember.ones(5, dtype=ember.float64, requires_grad=True)
    p.grad = ember.ones(5, dtype=ember.float64)
    opt = getattr(ember.optim, cls_name)([p], foreach=True, **kwargs)
    opt.step()
    versions = {k: v._version for k, v in opt.state[p].items() if isinstance(v, ember.Tensor) and v.numel() > 1}
    before = p._version
    opt.step()
    assert p._version > before
    assert all(opt.state[p][k]._version > v for k, v in versions.items())


def test_views_of_a_stepped_parameter_see_the_update():
    p = ember.zeros(6, dtype=ember.float64, requires_grad=True)
    view = p.detach()[2:4]
    p.grad = ember.ones(6, dtype=ember.float64)
    ember.optim.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(view.numpy(), [-0.5, -0.5])


# ------------------------------------------------------------------------------------------------ GPU (CuPy)
@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("cls_name, kwargs", ALGORITHMS, ids=IDS)
def test_gpu_fused_kernels_match_the_simple_path(cls_name, kwargs, dtype):
    cpu, _ = _trajectory(cls_name, kwargs, dtype, foreach=False)
    gpu, _ = _trajectory(cls_name, kwargs, dtype, foreach=True, device="cuda")
    tol = 1e-12 if dtype == ember.float64 else 1e-5  # the kernels may contract a * b + c into one FMA
    for a, b in zip(cpu, gpu):
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


@pytest.mark.cuda
@pytest.mark.parametrize("cls_name, kwargs", ALGORITHMS, ids=IDS)
def test_gpu_simple_path_matches_cpu(cls_name, kwargs):
    cpu, _ = _trajectory(cls_name, kwargs, ember.float64, foreach=False)
    gpu, opt = _trajectory(cls_name, kwargs, ember.float64, foreach=False, device="cuda")
    for a, b in zip(cpu, gpu):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
    p = opt.param_groups[0]["params"][0]
    assert all(v.device == p.device for v in opt.state[p].values() if isinstance(v, ember.Tensor) and v.dim())
