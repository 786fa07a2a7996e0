"""Replays the torch recordings of fixtures/make_nn_seq.py (recurrent, attention and transformer layers) on
ember: same module expression, torch's state_dict loaded (keys must match), then every output and every
input and parameter gradient compared per mode."""

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
TOL = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12)}
_CACHE = {}


def meta() -> dict:
    if "meta" not in _CACHE:
        _CACHE["meta"] = json.loads((FIXTURES / "nn_seq.json").read_text())
    return _CACHE["meta"]


def arrays() -> dict:
    if "arrays" not in _CACHE:
        with np.load(FIXTURES / "nn_seq.npz") as z:
            _CACHE["arrays"] = {k: z[k] for k in z.files}
    return _CACHE["arrays"]


def env() -> dict:
    return {"torch": ember, "nn": nn, "F": F}


def cases_named(*prefixes: str):
    """pytest params for the recorded cases whose name starts with one of the prefixes."""
    return [pytest.param(c["name"], id=c["name"]) for c in meta()["cases"] if c["name"].startswith(prefixes)]


def flat_outputs(out) -> list:
    if out is None:
        return []
    if isinstance(out, ember.Tensor):
        return [out]
    if isinstance(out, nn.utils.rnn.PackedSequence):
        return [out.data]
    res = []
    for o in out:
        res.extend(flat_outputs(o))
    return res


def close(got, want, dtype, what):
    rtol, atol = TOL[dtype]
    got = got.detach().numpy() if isinstance(got, ember.Tensor) else np.asarray(got)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != torch {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != torch {want.dtype}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def build(c):
    """The case's module with torch's state_dict loaded (None for functional cases)."""
    a = arrays()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(c["expr"], env())
    if c["kind"] != "module":
        return None
    if c["dtype"] == "float64":
        m = m.double()
    keys = list(m.state_dict().keys())
    assert keys == c["keys"], f"{c['name']}: state_dict keys {keys} != torch {c['keys']}"
    result = m.load_state_dict(OrderedDict((k, ember.tensor(a[f"{c['name']}/sd/{k}"])) for k in keys))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert [n for n, _ in m.named_parameters()] == c["params"]
    return m


def run_case(name: str, create_graph: bool = False) -> None:
    """Outputs and gradients against torch; create_graph runs the differentiable (Tensor-op) backwards."""
    c = next(c for c in meta()["cases"] if c["name"] == name)
    a = arrays()
    dtype = c["dtype"]
    m = build(c)
    inputs = [a[f"{name}/in{i}"] for i in range(len(c["inputs"]))]
    for mode in c["modes"]:
        if m is not None:
            m.train(mode == "train")
            m.zero_grad()
        xs = [ember.tensor(x.copy(), requires_grad=bool(g)) for x, g in zip(inputs, c["grad"])]
        local = dict(env(), m=m, **{f"x{i}": x for i, x in enumerate(xs)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = flat_outputs(eval(c["call"], local))
        assert len(outs) == c["n_out"][mode], f"{name}: {len(outs)} outputs, torch gave {c['n_out'][mode]}"
        total = None
        for j, o in enumerate(outs):
            close(o, a[f"{name}/{mode}/out{j}"], dtype, f"{name} ({mode}) output {j}")
            cot = a.get(f"{name}/{mode}/cot{j}")
            if cot is not None:
                assert o.requires_grad, f"{name}: output {j} should require grad"
                term = (o * ember.tensor(cot)).sum()
                total = term if total is None else total + term
        params = list(m.named_parameters()) if m is not None else []
        leaves = [x for x in xs if x.requires_grad] + [p for _, p in params]
        grads = ember.autograd.grad(total, leaves, create_graph=create_graph, allow_unused=True)
        got = dict(zip(map(id, leaves), grads))
        for i, x in enumerate(xs):
            want = a.get(f"{name}/{mode}/gin{i}")
            if want is not None:
                assert got.get(id(x)) is not None, f"{name} ({mode}): no gradient for input {i}"
                close(got[id(x)], want, dtype, f"{name} ({mode}) grad of input {i}")
        for pname, p in params:
            want = a.get(f"{name}/{mode}/gparam/{pname}")
            if want is None:
                assert got[id(p)] is None or not np.any(got[id(p)].detach().numpy()), f"{name}: {pname} got a grad"
            else:
                assert got[id(p)] is not None, f"{name} ({mode}): no gradient for parameter {pname}"
                close(got[id(p)], want, dtype, f"{name} ({mode}) grad of {pname}")


def check_error(key: str) -> None:
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(expr, env())
    assert type(info.value).__name__ == etype, f"{key}: {type(info.value).__name__}: {info.value}"
    assert str(info.value) == message


def error_keys(*prefixes: str) -> list:
    return [k for k in meta()["errors"] if k.startswith(prefixes)]
