"""nn/modules/flatten.py: Flatten and Unflatten against torch."""

import pytest

import ember
import ember.nn as nn

from .parity import cases_named, run_case


@pytest.mark.parametrize("name", cases_named("flatten", "unflatten"))
def test_parity_with_torch(name):
    run_case(name)


def test_flatten_is_a_view_and_unflatten_checks_sizes():
    x = ember.randn(2, 3, 4)
    y = nn.Flatten()(x)
    assert y.shape == (2, 12) and y.data_ptr() == x.data_ptr()
    assert nn.Unflatten(-1, [3, 4])(y).shape == (2, 3, 4)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float"):
        nn.Unflatten(1, (2, 1.5))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, 6)
