"""no_grad / enable_grad / set_grad_enabled / inference_mode, as context managers and decorators."""

import ember


def x_leaf():
    return ember.tensor([1.0], requires_grad=True)


def test_no_grad_context_and_decorator():
    x = x_leaf()
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = x * 2
    assert ember.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @ember.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad

    @ember.no_grad
    def g(t):
        return t * 2

    assert not g(x).requires_grad


def test_enable_grad_inside_no_grad():
    x = x_leaf()
    with ember.no_grad():
        with ember.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_function_and_context():
    x = x_leaf()
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_inference_mode():
    x = x_leaf()
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    assert not ember.is_inference_mode_enabled()
    with ember.inference_mode(False):
        assert (x * 2).requires_grad

    @ember.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_grad_mode_restored_after_exception():
    try:
        with ember.no_grad():
            raise ValueError
    except ValueError:
        pass
    assert ember.is_grad_enabled()
