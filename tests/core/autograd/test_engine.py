"""The backward engine: accumulation, retain_graph, create_graph, autograd.grad, deep graphs, pruning."""

import numpy as np
import pytest

import ember
from ember import autograd


def leaf(values, dtype=ember.float64):
    return ember.tensor(values, dtype=dtype, requires_grad=True)


def test_backward_accumulates_into_leaf_grad():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 7.0, 9.0])


def test_grad_of_shared_subexpression_sums_all_paths():
    x = leaf([2.0])
    y = x * x
    z = y + y * x  # x^2 + x^3
    z.backward(ember.ones(1, dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2 * 2 + 3 * 4])


def test_non_leaf_has_no_grad_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y
    y.retain_grad()
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [4.0, 8.0])
    assert y.retains_grad and not y.is_leaf and x.is_leaf
    w = x * 3
    (w * 1).sum().backward()
    assert w.grad is None


def test_backward_twice_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))


def test_backward_on_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(ember.tensor([1.0, 10.0], dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_gradient_shape_mismatch_is_reported():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"Mismatch in shape"):
        (x * 2).backward(ember.ones(3, dtype=ember.float64))


def test_long_chain_does_not_recurse():
    x = leaf([1.0])
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10000], rtol=1e-9)


def test_broadcast_gradients_are_summed_to_input_shape():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.arange(4.0))
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 1), 6.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 3.0))


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    a = ember.tensor([1.0, 2.0], dtype=ember.float32, requires_grad=True)
    b = ember.tensor([3.0, 4.0], dtype=ember.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype is ember.float32 and b.grad.dtype is ember.float64
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0])


def test_autograd_grad_returns_without_accumulating():
    x = leaf([1.0, 2.0])
    y = (x ** 3).sum()
    (g,) = autograd.grad(y, x)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    assert x.grad is None


def test_autograd_grad_of_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_allclose(gh.numpy(), [4.0, 8.0])
    np.testing.assert_allclose(gx.numpy(), [8.0, 16.0])


def test_autograd_grad_unused_input():
    x, z = leaf([1.0]), leaf([2.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None and float(gx) == 2.0
    gx, gz = autograd.grad(y, [x, z], materialize_grads=True)
    assert float(gz) == 0.0


def test_autograd_grad_input_not_requiring_grad():
    x = ember.ones(2)
    y = leaf([1.0, 1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * y).sum(), x)


def test_create_graph_gives_second_derivatives():
    x = leaf([0.5, 1.5])
    y = (x ** 3).sum()
    (g,) = autograd.grad(y, x, create_graph=True)  # 3x^2
    assert g.requires_grad
    (gg,) = autograd.grad(g.sum(), x)  # 6x
    np.testing.assert_allclose(gg.numpy(), [3.0, 9.0])


def test_backward_create_graph_then_differentiate_grad():
    x = leaf([2.0])
    y = (x.sin() * x).sum()
    y.backward(create_graph=True)
    g = x.grad  # sin x + x cos x
    assert g.requires_grad
    x.grad = None
    g.sum().backward()  # 2 cos x - x sin x
    np.testing.assert_allclose(x.grad.numpy(), [2 * np.cos(2.0) - 2 * np.sin(2.0)])


def test_third_order_derivative():
    x = leaf([0.7])
    y = x.exp() * x
    for _ in range(3):
        (y,) = autograd.grad(y.sum(), x, create_graph=True)
    # d^3/dx^3 (x e^x) = (x + 3) e^x
    np.testing.assert_allclose(y.detach().numpy(), [(0.7 + 3) * np.exp(0.7)])


def test_backward_inputs_restricts_accumulation():
    x, z = leaf([1.0]), leaf([2.0])
    (x * z).sum().backward(inputs=[x])
    assert float(x.grad) == 2.0 and z.grad is None


def test_grad_of_graph_branch_not_leading_to_inputs_is_skipped():
    calls = []

    class Spy(autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g

    x, z = leaf([1.0]), leaf([2.0])
    y = x * 2 + Spy.apply(z)
    autograd.grad(y.sum(), x)
    assert calls == []


def test_detach_cuts_graph_and_shares_memory():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x * 1
    yd = y.detach()
    yd[0] = 5.0
    assert float(y[0]) == 5.0


def test_requires_grad_only_for_floating_point():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad_()


def test_requires_grad_flag_of_non_leaf_cannot_be_unset():
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False


def test_numpy_on_grad_tensor_raises():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        leaf([1.0]).numpy()


def test_grad_fn_names_and_next_functions():
    x = leaf([1.0])
    y = x * 2 + 1
    assert y.grad_fn.name() == "AddBackward0"
    (mul_edge, _), = [e for e in y.grad_fn.next_functions if e[0] is not None]
    assert mul_edge.name() == "MulBackward0"
    assert mul_edge.next_functions[0][0].name() == "AccumulateGrad"
    assert "grad_fn=<AddBackward0>" in repr(y)


def test_graph_is_freed_after_backward():
    import gc
    import weakref

    x = leaf(np.ones(3))
    y = x.exp()
    ref = weakref.ref(y)
    z = y.sum()
    del y
    z.backward()
    gc.collect()
    assert ref() is None


def test_leaf_grad_never_aliases_a_tensor_someone_else_holds():
    held = ember.ones(3, dtype=ember.float64)

    class Const(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return held

    x = leaf([1.0, 2.0, 3.0])
    Const.apply(x).sum().backward()
    x.grad.add_(5)
    assert held.tolist() == [1.0, 1.0, 1.0]
    a, b = leaf([1.0]), leaf([1.0])
    (a + b).sum().backward()  # one gradient object reaches both leaves
    a.grad.add_(1)
    assert float(b.grad) == 1.0


def test_gradient_from_a_hook_is_not_aliased():
    kept = []
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: kept.append(g * 1) or kept[-1])
    (x * 2).sum().backward()
    x.grad.add_(1)
    assert kept[0].tolist() == [2.0, 2.0]


def test_gradient_argument_of_another_dtype_is_cast():
    x = ember.tensor([1.0, 2.0], dtype=ember.float32, requires_grad=True)
    (x + x).backward(ember.tensor([1.0, 1.0], dtype=ember.float64))
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [2.0, 2.0]


def test_leaf_reached_by_a_passed_through_gradient_and_another_path():
    # add hands its incoming gradient on unchanged to the leaf and to the other branch: no aliasing allowed
    a = leaf([1.0, 2.0])
    e = leaf([3.0, 5.0])
    g = ember.tensor([1.0, -2.0], dtype=ember.float64)
    (a + 0.3 * (e - a)).backward(g)
    np.testing.assert_allclose(a.grad.numpy(), [0.7, -1.4])
    np.testing.assert_allclose(e.grad.numpy(), [0.3, -0.6])
