"""nn/modules/container.py: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn

from .parity import cases_named, env, meta, run_case


@pytest.mark.parametrize("name", cases_named("sequential"))
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("expr", list(meta()["keys"]))
def test_state_dict_keys_match_torch(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(expr, env())
    assert list(m.state_dict().keys()) == meta()["keys"][expr]


def _layers(n):
    return [nn.Linear(1, 1) for _ in range(n)]


def test_sequential_indexing_and_slicing():
    a, b, c = _layers(3)
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and len(seq) == 3
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c] and list(sub._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    seq[1] = nn.ReLU()
    assert isinstance(seq[1], nn.ReLU)
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[1] is c
    named = nn.Sequential(OrderedDict([("first", a), ("second", b)]))
    assert named.first is a and named[1] is b and named[-1] is b


def test_sequential_mutation():
    a, b, c, d = _layers(4)
    seq = nn.Sequential(a)
    assert seq.append(b) is seq and list(seq) == [a, b]
    seq.insert(0, c)
    assert list(seq) == [c, a, b]
    seq.insert(-1, d)
    assert list(seq) == [c, a, d, b]
    assert seq.pop(1) is a and list(seq) == [c, d, b]
    seq.extend([a])
    assert list(seq) == [c, d, b, a]
    both = nn.Sequential(a) + nn.Sequential(b, c)
    assert list(both) == [a, b, c]
    seq2 = nn.Sequential(a)
    seq2 += nn.Sequential(b)
    assert list(seq2) == [a, b]
    assert list(nn.Sequential(a, b) * 2) == [a, b, a, b]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
        nn.Sequential(a) + [b]
    with pytest.raises(IndexError, match="Index out of range: 9"):
        seq.insert(9, a)


def test_sequential_forward_runs_in_order():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = ember.randn(4, 2)
    expected = seq[2](seq[1](seq[0](x)))
    np.testing.assert_array_equal(seq(x).detach().numpy(), expected.detach().numpy())


def test_module_list():
    a, b, c = _layers(3)
    ml = nn.ModuleList([a, b])
    ml.append(c)
    assert len(ml) == 3 and ml[-1] is c and list(ml) == [a, b, c]
    assert isinstance(ml[:2], nn.ModuleList) and list(ml[:2]) == [a, b]
    ml.insert(1, nn.ReLU())
    assert isinstance(ml[1], nn.ReLU) and ml[2] is b
    del ml[1]
    assert list(ml) == [a, b, c] and list(ml._modules) == ["0", "1", "2"]
    ml += [nn.Tanh()]
    assert len(ml) == 4
    ml[0] = nn.Sigmoid()
    assert isinstance(ml[0], nn.Sigmoid)
    assert ml.pop(0) is not None and len(ml) == 3
    assert len(list((ml + nn.ModuleList([a])).parameters())) == len(list(ml.parameters())) + 2
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(3)
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        ml(ember.ones(1))


def test_module_dict():
    a, b = _layers(2)
    md = nn.ModuleDict({"a": a})
    md["b"] = b
    md.update([("c", nn.ReLU())])
    assert list(md.keys()) == ["a", "b", "c"] and md["a"] is a and "b" in md and len(md) == 3
    assert list(md) == ["a", "b", "c"] and list(md.values())[1] is b
    assert md.pop("b") is b and "b" not in md
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    md.clear()
    assert len(md) == 0
    with pytest.raises(ValueError, match="has length 1; 2 is required"):
        md.update([("x",)])


def test_parameter_list():
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(ember.ones(1))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    pl[0] = ember.full((2,), 5.0)
    assert isinstance(pl[0], nn.Parameter) and pl[0][0].item() == 5.0
    assert isinstance(pl[1:], nn.ParameterList) and len(pl[1:]) == 2
    assert pl[-1].shape == (1,)
    pl.extend([ember.ones(4)])
    assert len(list(pl.parameters())) == 4
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        pl.extend(ember.ones(2))
    assert repr(nn.ParameterList([nn.Parameter(ember.ones(2, 3))])) == \
        "ParameterList(  (0): Parameter containing: [ember.float32 of size 2x3])"


def test_parameter_dict():
    pd = nn.ParameterDict({"w": ember.ones(2), "b": nn.Parameter(ember.zeros(1))})
    assert list(pd.keys()) == ["b", "w"]  # torch sorts a plain dict's keys
    pd["z"] = ember.ones(3)
    assert isinstance(pd["z"], nn.Parameter) and "z" in pd and len(pd) == 3
    assert [n for n, _ in pd.named_parameters()] == ["b", "w", "z"]
    assert pd.get("missing") is None and pd.setdefault("q", ember.ones(1)).shape == (1,)
    assert pd.pop("q").shape == (1,) and "q" not in pd
    ordered = nn.ParameterDict(OrderedDict([("y", ember.ones(1)), ("x", ember.ones(1))]))
    assert list(ordered) == ["y", "x"]
    merged = ordered | {"a": ember.ones(1)}
    assert list(merged) == ["y", "x", "a"]
    k, v = merged.popitem()
    assert k == "a" and isinstance(v, nn.Parameter) and "a" not in merged
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key"):
        pd[1] = ember.ones(1)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pd(ember.ones(1))
    pd.clear()
    assert len(pd) == 0 and not list(pd.parameters())
