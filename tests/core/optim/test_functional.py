"""optim/_functional.py: the array helpers both update paths share."""

import numpy as np
import pytest

import ember
from ember.optim._functional import advance_step, arrays, lerp_, step_state, use_multi_tensor


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.49, 0.5, 0.7, 1.0])
def test_lerp_uses_torchs_two_formulas(weight):
    a = np.array([0.3, -1.7, 2.5])
    end = np.array([1.1, 0.2, -4.0])
    expected = a + weight * (end - a) if weight < 0.5 else end - (end - a) * (1 - weight)
    lerp_(a, end, weight)
    np.testing.assert_array_equal(a, expected)
    if weight == 1.0:
        np.testing.assert_array_equal(a, end)  # exact at the far end too


def test_lerp_weight_rounds_in_the_arrays_dtype():
    a = np.zeros(3, np.float32)
    lerp_(a, np.ones(3, np.float32), 0.1)
    assert a.dtype == np.float32 and a[0] == np.float32(0.1)


def test_zero_dim_arrays_become_writable_one_element_views():
    t = ember.tensor(2.0, dtype=ember.float64)
    (a,) = arrays(t)
    a += 1.0
    assert a.shape == (1,) and float(t) == 3.0


def test_step_counter_is_a_float32_cpu_scalar_and_advances_in_place():
    step = step_state()
    assert step.dtype == ember.float32 and step.dim() == 0 and step.device.type == "cpu"
    v = step._version
    assert advance_step(step) == 1.0 and advance_step(step) == 2.0 and float(step) == 2.0 and step._version == v + 2


@pytest.mark.parametrize("group, multi", [
    ({"foreach": None}, True), ({"foreach": True}, True), ({"foreach": False}, False),
    ({"foreach": False, "fused": True}, True), ({}, True),
])
def test_which_path_a_group_takes(group, multi):
    assert use_multi_tensor(group) is multi
