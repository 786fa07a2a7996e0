"""nn/parameter.py: Parameter, Buffer, UninitializedParameter."""

import copy
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn


def test_parameter_defaults_and_repr():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    assert isinstance(p, ember.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    frozen = nn.Parameter(ember.tensor([1.0, 2.0]), requires_grad=False)
    assert repr(frozen) == "Parameter containing:\ntensor([1., 2.])"
    assert nn.Parameter().shape == (0,)


def test_parameter_shares_memory_and_ops_return_tensors():
    t = ember.zeros(3)
    p = nn.Parameter(t)
    t[0] = 5.0
    assert p[0].item() == 5.0
    out = p * 2
    assert type(out) is ember.Tensor and out.grad_fn is not None
    assert type(p.detach()) is ember.Tensor


def test_parameter_rejects_non_tensor():
    with pytest.raises(TypeError):
        nn.Parameter([1.0, 2.0])


def test_parameter_deepcopy_and_pickle():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    p.grad = ember.ones(2)
    p.tag = "kept"
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.requires_grad and q.grad is None  # torch drops .grad here too
    q.data[0] = 9.0
    assert p[0].item() == 1.0  # a real copy
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.requires_grad and r.tag == "kept"
    np.testing.assert_array_equal(r.detach().numpy(), [1.0, 2.0])
    frozen = pickle.loads(pickle.dumps(nn.Parameter(ember.ones(1), requires_grad=False)))
    assert not frozen.requires_grad


def test_parameter_in_deepcopied_module_stays_shared():
    lin = nn.Linear(2, 2)
    lin.tied = lin.weight
    clone = copy.deepcopy(lin)
    assert clone.tied is clone.weight and clone.weight is not lin.weight


def test_buffer_marks_plain_tensor():
    b = nn.Buffer(ember.ones(2))
    assert type(b) is ember.Tensor and isinstance(b, nn.Buffer) and b.persistent
    assert not isinstance(ember.ones(2), nn.Buffer)
    nb = nn.Buffer(ember.ones(2), persistent=False)
    assert not nb.persistent


def test_uninitialized_parameter():
    p = nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>"
    assert nn.parameter.is_lazy(p)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        _ = p.shape
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.requires_grad
    assert not nn.parameter.is_lazy(p)
    q = copy.deepcopy(nn.UninitializedParameter(dtype=ember.float64))
    assert isinstance(q, nn.UninitializedParameter) and q.dtype == ember.float64
