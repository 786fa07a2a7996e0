"""In-place ops, views and the version counter: torch's errors instead of wrong gradients."""

import numpy as np
import pytest

import ember


def leaf(values):
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


def test_inplace_on_leaf_requiring_grad_is_refused():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)  # allowed without grad recording (optimizer updates)
    assert float(x) == 2.0


def test_modified_saved_tensor_raises_torch_error():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y * y  # saves y
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*is at version 1; expected version 0"):
        z.sum().backward()


def test_inplace_changes_graph_of_the_tensor():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.mul_(3)  # y = 6x
    y.add_(x)  # y = 7x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0, 7.0])
    assert y.grad_fn.name() == "AddBackward0"


def test_inplace_on_view_updates_base_gradient():
    x = leaf([1.0, 2.0, 3.0])
    base = x * 1
    v = base[1:]
    v.mul_(10)
    base.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 10.0, 10.0])
    np.testing.assert_allclose(base.detach().numpy(), [1.0, 20.0, 30.0])


def test_setitem_routes_gradients_to_value_and_destination():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf([5.0])
    y = x * 2
    y[0] = v * 3
    (y * ember.tensor([1.0, 2.0, 4.0], dtype=ember.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 4.0, 8.0])
    np.testing.assert_allclose(v.grad.numpy(), [3.0])


def test_setitem_into_zeros_buffer_builds_graph():
    w = leaf([1.0, 2.0])
    out = ember.zeros(2, 2, dtype=ember.float64)
    out[0] = w
    out[1] = w * w
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0 + 2.0, 1.0 + 4.0])


def test_views_share_memory_and_version():
    x = ember.zeros(2, 3)
    v = x.view(6)
    t = x.t()
    v[0] = 1.0
    assert float(x[0, 0]) == 1.0 and float(t[0, 0]) == 1.0
    assert x._version == v._version == t._version == 1


def test_view_made_under_no_grad_cannot_be_modified_with_grad():
    x = leaf([1.0, 2.0])
    y = x * 1
    with ember.no_grad():
        v = y[:1]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        v.mul_(leaf([2.0]))


def test_inplace_result_dtype_must_fit():
    x = ember.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x.add_(0.5)


def test_from_numpy_shares_memory_with_inplace_ops():
    a = np.zeros(3, dtype=np.float32)
    t = ember.from_numpy(a)
    t.add_(1)
    np.testing.assert_array_equal(a, [1, 1, 1])
    a[0] = 5
    assert float(t[0]) == 5.0
