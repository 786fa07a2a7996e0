"""Tensor hooks: register_hook on leaves and non-leaves, retain_grad, post-accumulate hooks, removal."""

import numpy as np

import ember


def test_hook_on_non_leaf_can_replace_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    handle = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    handle.remove()
    x.grad = None
    y = x * 2
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_hook_on_leaf_sees_gradient_before_accumulation():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.clone()))
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0].numpy(), [3.0, 3.0])


def test_post_accumulate_grad_hook():
    x = ember.tensor([1.0], requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda p: calls.append(float(p.grad)))
    (x * 4).sum().backward()
    assert calls == [4.0]


def test_retain_grad_sees_hooked_gradient():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 5)
    (y * 3).sum().backward()
    assert float(y.grad) == 15.0
    assert float(x.grad) == 30.0
