"""Replays the torch recordings of fixtures/make_nn_basic.py on ember: same module expression, torch's
state_dict loaded (keys must match), then outputs and gradients compared per mode."""

from __future__ import annotations

import json
import pathlib
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
_META = None
_ARRAYS = None

# (rtol, atol) per dtype: float32 as the issue asks (rtol 1e-4), float64 tight
TOL = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12)}


def meta() -> dict:
    global _META
    if _META is None:
        _META = json.loads((FIXTURES / "nn_basic.json").read_text())
    return _META


def arrays():
    global _ARRAYS
    if _ARRAYS is None:
        with np.load(FIXTURES / "nn_basic.npz") as z:
            _ARRAYS = {k: z[k] for k in z.files}
    return _ARRAYS


def env() -> dict:
    return {"torch": ember, "nn": nn, "F": F, "OrderedDict": OrderedDict}


def cases_named(*prefixes: str):
    """pytest params for the recorded cases whose name starts with one of the prefixes."""
    return [pytest.param(c["name"], id=c["name"]) for c in meta()["cases"]
            if any(c["name"] == p or c["name"].startswith(p + "_") for p in prefixes)]


def _case(name):
    for c in meta()["cases"]:
        if c["name"] == name:
            return c
    raise KeyError(name)


def _flat(out):
    if isinstance(out, ember.Tensor):
        return [out]
    res = []
    for o in out:
        res.extend(_flat(o))
    return res


def _close(got, want, dtype, what, rtol=None, atol=None):
    r, a = TOL[dtype]
    got = got.detach().numpy() if isinstance(got, ember.Tensor) else np.asarray(got)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != torch {want.shape}"
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=what)
    else:
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != torch {want.dtype}"
        np.testing.assert_allclose(got, want, rtol=rtol or r, atol=atol or a, err_msg=what)


def run_case(name: str) -> None:
    """Build, load torch's state_dict, run every recorded mode; compare outputs and all gradients."""
    c = _case(name)
    a = arrays()
    dtype = c["dtype"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = eval(c["expr"], env())
    if c["kind"] == "module":
        if dtype == "float64":
            obj = obj.double()
        keys = list(obj.state_dict().keys())
        assert keys == c["keys"], f"{name}: state_dict keys {keys} != torch {c['keys']}"
        sd = OrderedDict((k, ember.tensor(a[f"{name}/sd/{k}"])) for k in c["keys"])
        result = obj.load_state_dict(sd)
        assert result.missing_keys == [] and result.unexpected_keys == []
        assert [n for n, _ in obj.named_parameters()] == c["params"]
    inputs = [a[f"{name}/in{i}"] for i in range(len(c["inputs"]))]
    for mode in c["modes"]:
        if c["kind"] == "module":
            obj.train(mode == "train")
        leaves = [ember.tensor(x.copy(), requires_grad=bool(g) and x.dtype.kind == "f")
                  for x, g in zip(inputs, c["grad"])]
        args = [t * 1 if c["inplace"] and t.requires_grad else t for t in leaves]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = _flat(obj(*args))
        assert len(outs) == c["n_out"][mode], f"{name}: {len(outs)} outputs, torch gave {c['n_out'][mode]}"
        total = None
        for j, o in enumerate(outs):
            _close(o, a[f"{name}/{mode}/out{j}"], dtype, f"{name} ({mode}) output {j}", c["rtol"], c["atol"])
            cot = a.get(f"{name}/{mode}/cot{j}")
            if cot is not None:
                assert o.requires_grad, f"{name}: output {j} should require grad"
                term = (o * ember.tensor(cot)).sum()
                total = term if total is None else total + term
        if total is None:
            continue
        total.backward()
        for i, t in enumerate(leaves):
            want = a.get(f"{name}/{mode}/gin{i}")
            if want is None:
                assert t.grad is None or not np.any(t.grad.numpy()), f"{name}: input {i} got an unexpected gradient"
            else:
                assert t.grad is not None, f"{name} ({mode}): no gradient for input {i}"
                _close(t.grad, want, dtype, f"{name} ({mode}) grad of input {i}", c["rtol"], c["atol"])
        if c["kind"] == "module":
            for pname, p in obj.named_parameters():
                want = a.get(f"{name}/{mode}/gparam/{pname}")
                if want is None:
                    assert p.grad is None, f"{name}: parameter {pname} got a gradient torch did not"
                else:
                    assert p.grad is not None, f"{name} ({mode}): no gradient for parameter {pname}"
                    _close(p.grad, want, dtype, f"{name} ({mode}) grad of {pname}", c["rtol"], c["atol"])
            obj.zero_grad()
            for k, v in obj.state_dict().items():
                _close(v, a[f"{name}/{mode}/sd_after/{k}"], dtype, f"{name} ({mode}) state {k} after forward")
