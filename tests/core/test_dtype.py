"""dtype objects, promote_types, the default dtype, finfo/iinfo."""

import numpy as np
import pytest

import ember


def test_dtype_objects():
    assert repr(ember.float32) == "ember.float32"
    assert ember.float is ember.float32 and ember.double is ember.float64 and ember.long is ember.int64
    assert ember.half is ember.float16 and ember.int is ember.int32 and ember.short is ember.int16
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert ember.bfloat16.itemsize == 2 and ember.int64.itemsize == 8
    assert ember.tensor([1.0], dtype=float).dtype is ember.float64  # python float means float64 as a dtype
    assert ember.tensor([1], dtype=int).dtype is ember.int64


@pytest.mark.parametrize("a, b, out", [
    (ember.uint8, ember.int8, ember.int16), (ember.int32, ember.float16, ember.float16),
    (ember.float16, ember.bfloat16, ember.float32), (ember.bool, ember.uint8, ember.uint8),
    (ember.int64, ember.float32, ember.float32), (ember.float32, ember.float64, ember.float64),
])
def test_promote_types(a, b, out):
    assert ember.promote_types(a, b) is out and ember.promote_types(b, a) is out


def test_default_dtype_changes_python_float_promotion():
    ember.set_default_dtype(ember.float64)
    try:
        assert (ember.tensor([1, 2]) * 0.5).dtype is ember.float64
        assert ember.zeros(1).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert (ember.tensor([1, 2]) * 0.5).dtype is ember.float32
    with pytest.raises(TypeError, match="floating-point"):
        ember.set_default_dtype(ember.int64)


def test_finfo_and_iinfo():
    fi = ember.finfo(ember.float32)
    assert fi.eps == float(np.finfo(np.float32).eps) and fi.bits == 32 and fi.max == float(np.finfo(np.float32).max)
    assert ember.finfo(ember.bfloat16).eps == 2.0 ** -7
    assert ember.finfo().dtype == "float32"
    ii = ember.iinfo(ember.int8)
    assert (ii.min, ii.max, ii.bits) == (-128, 127, 8)
    with pytest.raises(TypeError):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.float32)
