"""Custom autograd.Function: ctx, needs_input_grad, mark_non_differentiable, multiple outputs, setup_context."""

import numpy as np
import pytest

import ember
from ember import autograd
from ember.autograd import gradcheck, gradgradcheck


class Cube(autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x ** 3 * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2 * ctx.scale, None


def test_custom_function_forward_backward_and_gradchecks():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([0.5, -1.0, 2.0]) ** 2)
    assert gradcheck(lambda t: Cube.apply(t, 2.0), (x.detach().requires_grad_(),))
    # the backward is written in ember ops, so it is differentiable too
    assert gradgradcheck(lambda t: Cube.apply(t, 2.0), (x.detach().requires_grad_(),))


def test_needs_input_grad_and_skipped_inputs():
    seen = {}

    class Mul(autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            seen["needs"] = ctx.needs_input_grad
            a, b = ctx.saved_tensors
            return (g * b if ctx.needs_input_grad[0] else None), (g * a if ctx.needs_input_grad[1] else None)

    a = ember.tensor([2.0], requires_grad=True)
    b = ember.tensor([3.0])
    Mul.apply(a, b).sum().backward()
    assert seen["needs"] == (True, False)
    assert float(a.grad) == 3.0


def test_multiple_outputs_and_non_differentiable():
    class SortOut(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = ember.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = ember.zeros_like(g)
            out[idx] = g
            return out

    x = ember.tensor([3.0, 1.0, 2.0], requires_grad=True)
    vals, idx = SortOut.apply(x)
    assert not idx.requires_grad and vals.requires_grad
    (vals * ember.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [100.0, 1.0, 10.0])


def test_unused_output_gradient_is_materialized_as_zeros():
    class Two(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            assert g2 is not None and float(g2.abs().sum()) == 0.0
            return g1 * 2 + g2 * 3

    x = ember.tensor([1.0], requires_grad=True)
    a, _b = Two.apply(x)
    a.sum().backward()
    assert float(x.grad) == 2.0


def test_setup_context_style():
    class Square(autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor([3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    assert float(x.grad) == 6.0


def test_saved_tensor_modified_in_place_is_detected():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = Cube.apply(y, 1.0)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_wrong_number_of_gradients():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x).sum().backward()


def test_function_without_grad_inputs_records_nothing():
    y = Cube.apply(ember.tensor([1.0]), 1.0)
    assert y.grad_fn is None and not y.requires_grad
