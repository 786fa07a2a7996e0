"""Tensor factories behave as torch's: dtype inference, memory sharing, size forms, ranges, errors.

Expected dtypes, values and messages were checked against torch 2.13 (see the comments where torch is
surprising); numeric ranges are compared with NumPy.
"""

import warnings

import numpy as np
import pytest

import ember


def _np(dtype):
    """The NumPy dtype of an ember dtype named like NumPy's (float32, int64, bool, ...)."""
    return np.dtype(repr(dtype).split(".")[-1])


@pytest.fixture
def float64_default():
    ember.set_default_dtype(ember.float64)
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)


# ---------------------------------------------------------------------------- tensor(data): dtype inference
@pytest.mark.parametrize("data, dtype", [
    ([True, False], ember.bool),
    (True, ember.bool),
    ([1, 2], ember.int64),
    (3, ember.int64),
    ([1, 2.0], ember.float32),
    ([[1, 2], [3, 4.5]], ember.float32),
    ([True, 1], ember.int64),
    ([True, 1.5], ember.float32),
    (3.0, ember.float32),
    ([], ember.float32),
    ([[], []], ember.float32),
    (range(4), ember.int64),
    # NumPy scalars keep their dtype and promote with the rest (torch's promote_types over the leaves)
    (np.float64(2.5), ember.float64),
    (np.int32(2), ember.int32),
    ([np.float64(2.5), 1], ember.float64),
    ([np.float32(2.5), 1], ember.float32),
    ([np.int32(2), 1], ember.int64),
    ([np.int32(1)], ember.int32),
    ([np.float16(1), 1], ember.float16),
])
def test_tensor_infers_dtype_like_torch(data, dtype):
    t = ember.tensor(data)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.array(data, dtype=_np(dtype)))


def test_tensor_infers_default_dtype_for_floats_after_set_default_dtype(float64_default):
    assert ember.tensor([1, 2.5]).dtype is ember.float64
    assert ember.tensor(1.5).dtype is ember.float64
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor(np.float32(1.5)).dtype is ember.float32


@pytest.mark.parametrize("np_dtype", [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                                      np.uint8, np.bool_])
def test_tensor_keeps_numpy_dtype_and_copies(np_dtype):
    a = np.array([1, 0, 1], dtype=np_dtype)
    t = ember.tensor(a)
    assert _np(t.dtype) == np.dtype(np_dtype)
    a[0] = 0
    assert t.tolist()[0] == 1  # a copy, not a view


def test_tensor_from_list_of_zero_dim_tensors_promotes_their_dtypes():
    t = ember.tensor([ember.tensor(1.5), ember.tensor(2)])
    assert t.dtype is ember.float32 and t.tolist() == [1.5, 2.0]
    assert ember.tensor([ember.tensor(1, dtype=ember.int32), 2]).dtype is ember.int64
    t64 = ember.tensor([ember.tensor(1.5, dtype=ember.float64), ember.tensor(2.5, dtype=ember.float64)])
    assert t64.dtype is ember.float64
    assert ember.tensor([[ember.tensor(1.0)], [ember.tensor(2)]]).shape == (2, 1)


def test_tensor_from_list_of_arrays_stacks_them():
    t = ember.tensor([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)])
    assert t.dtype is ember.int32 and t.tolist() == [[1, 2], [3, 4]]


def test_tensor_of_multi_element_tensors_in_a_list_is_torchs_error():
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        ember.tensor([ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])])


def test_tensor_explicit_dtype_casts_like_torch():
    assert ember.tensor([1.7, -2.7], dtype=ember.int64).tolist() == [1, -2]  # truncation toward zero
    assert ember.tensor([1, 2], dtype=ember.float64).dtype is ember.float64
    assert ember.tensor([1.5, 0.0], dtype=ember.bool).tolist() == [True, False]
    assert ember.tensor([-1], dtype=ember.uint8).tolist() == [255]
    # a python float is a double: it reaches float64 without a float32 detour
    assert ember.tensor([16777217.0], dtype=ember.float64).item() == 16777217.0
    # python `float` as a dtype is float64 in torch, whatever the default dtype
    assert ember.tensor([1, 2], dtype=float).dtype is ember.float64
    assert ember.tensor([1, 2], dtype=int).dtype is ember.int64
    assert ember.tensor([1, 2], dtype=bool).dtype is ember.bool


def test_tensor_from_tensor_copies_and_warns_like_torch():
    src = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="sourceTensor.detach"):
        t = ember.tensor(src)
    assert not t.requires_grad and t.is_leaf
    t[0] = 5.0
    assert src.tolist() == [1.0, 2.0]
    with pytest.warns(UserWarning):
        assert ember.tensor(ember.tensor([1, 2]), dtype=ember.float32).dtype is ember.float32


@pytest.mark.parametrize("data, exc, msg", [
    ([1, "a"], TypeError, "new(): invalid data type 'str'"),
    ("abc", TypeError, "new(): invalid data type 'str'"),
    (None, RuntimeError, "Could not infer dtype of NoneType"),
    ([1, None], RuntimeError, "Could not infer dtype of NoneType"),
    ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    ([[1, 2], [3, 4, 5]], ValueError, "expected sequence of length 2 at dim 1 (got 3)"),
    (2**63, ValueError, "Overflow when unpacking long long"),
])
def test_tensor_bad_data_errors_like_torch(data, exc, msg):
    with pytest.raises(exc) as info:
        ember.tensor(data)
    assert str(info.value) == msg


def test_tensor_requires_grad_only_for_floats():
    t = ember.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        ember.tensor([1, 2], requires_grad=True)


# ---------------------------------------------------------------------------- as_tensor / asarray / from_numpy
def test_as_tensor_shares_memory_with_numpy_and_tensors():
    a = np.array([1.0, 2.0])
    t = ember.as_tensor(a)
    a[0] = 7.0
    assert t.dtype is ember.float64 and t.tolist() == [7.0, 2.0]
    assert ember.as_tensor(t) is t
    converted = ember.as_tensor(a, dtype=ember.float32)  # a dtype change must copy
    a[1] = 9.0
    assert converted.tolist() == [7.0, 2.0]
    assert ember.as_tensor([1, 2]).dtype is ember.int64
    assert ember.as_tensor(3.5).dtype is ember.float32


def test_asarray_copy_flag_and_requires_grad():
    a = np.arange(3.0)
    shared, copied = ember.asarray(a), ember.asarray(a, copy=True)
    a[0] = 5.0
    assert shared.tolist()[0] == 5.0 and copied.tolist()[0] == 0.0
    with pytest.raises(ValueError):
        ember.asarray(a, dtype=ember.float32, copy=False)
    t = ember.asarray([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    assert ember.asarray(np.array([1, 2], dtype=np.int16)).dtype is ember.int16


def test_from_numpy_shares_memory_both_ways():
    a = np.array([[1, 2], [3, 4]], dtype=np.int32)
    t = ember.from_numpy(a)
    a[0, 0] = 10
    t[1, 1] = 40
    assert t.tolist() == [[10, 2], [3, 40]]
    assert a[1, 1] == 40
    assert t.dtype is ember.int32
    col = ember.from_numpy(a[:, 0])  # strided arrays keep sharing
    a[1, 0] = -3
    assert col.tolist() == [10, -3]
    assert ember.from_numpy(np.array(2.0)).shape == ()


@pytest.mark.parametrize("array, name", [
    (np.array([1, 2], dtype=np.uint16), "numpy.uint16"),
    (np.array([1, 2], dtype=np.complex64), "numpy.complex64"),
    (np.array(["a"]), "numpy.str_"),
    (np.array([1, 2], dtype=object), "numpy.object_"),
])
def test_from_numpy_unsupported_dtype_is_torchs_type_error(array, name):
    with pytest.raises(TypeError) as info:
        ember.from_numpy(array)
    assert str(info.value) == (f"can't convert np.ndarray of type {name}. The only supported types are: float64, "
                               "float32, float16, bfloat16, int64, int32, int16, int8, uint8, and bool.")


def test_from_numpy_rejects_non_arrays_and_byte_swapped_arrays():
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got list\)"):
        ember.from_numpy([1, 2])
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got numpy.float64\)"):
        ember.from_numpy(np.float64(2.0))
    with pytest.raises(ValueError, match="byte order different from the native byte order"):
        ember.from_numpy(np.array([1, 2], dtype=">i4"))


# ---------------------------------------------------------------------------- zeros / ones / full / empty
@pytest.mark.parametrize("factory, value", [(ember.zeros, 0), (ember.ones, 1), (ember.empty, None)])
@pytest.mark.parametrize("size_args, size_kw", [
    ((2, 3), None), (((2, 3),), None), (([2, 3],), None), ((ember.Size([2, 3]),), None), ((), (2, 3)),
    ((np.int64(2), 3), None), ((ember.tensor(2), 3), None),
])
def test_constant_factories_accept_every_size_form(factory, value, size_args, size_kw):
    t = factory(*size_args) if size_kw is None else factory(size=size_kw)
    assert t.shape == ember.Size([2, 3]) and t.dtype is ember.float32
    if value is not None:
        assert (t.numpy() == value).all()


def test_constant_factories_dtype_device_requires_grad():
    assert ember.zeros(()).shape == () and ember.zeros([]).shape == () and ember.ones(0).shape == (0,)
    assert ember.zeros((2, 3), dtype=ember.int32).dtype is ember.int32
    assert ember.ones(2, dtype=ember.bool).tolist() == [True, True]
    assert ember.zeros(2, dtype=float).dtype is ember.float64
    assert ember.zeros(2, device="cpu").device == ember.device("cpu")
    t = ember.ones(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        ember.ones(2, dtype=ember.int64, requires_grad=True)


def test_constant_factories_follow_the_default_dtype(float64_default):
    for t in (ember.zeros(2), ember.ones(2), ember.empty(2), ember.full((2,), 1.5), ember.eye(2),
              ember.arange(1.0), ember.linspace(0, 1, 3), ember.rand(2), ember.randn(2)):
        assert t.dtype is ember.float64
    assert (ember.tensor([1, 2]) * 1.5).dtype is ember.float64
    assert (ember.tensor([1.0, 2.0], dtype=ember.float32) * 1.5).dtype is ember.float32


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: ember.zeros(-1), RuntimeError, "zeros: Dimension size must be non-negative."),
    (lambda: ember.ones(2, -3), RuntimeError, "Trying to create tensor with negative dimension -3: [2, -3]"),
    (lambda: ember.empty(-1), RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"),
    (lambda: ember.zeros(2.5), TypeError, "zeros(): argument 'size' (position 1) must be tuple of ints, not float"),
    (lambda: ember.zeros([2.0]), TypeError,
     "zeros(): argument 'size' (position 1) must be tuple of ints, but found element of type float at pos 0"),
    (lambda: ember.zeros(2, size=(3,)), TypeError, "zeros() got multiple values for argument 'size'"),
    (lambda: ember.full(3, 7), TypeError, "full(): argument 'size' (position 1) must be tuple of ints, not int"),
])
def test_factory_size_errors_like_torch(call, exc, msg):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == msg


@pytest.mark.parametrize("fill, dtype", [(1.5, ember.float32), (7, ember.int64), (True, ember.bool),
                                         (ember.tensor(3), ember.int64),
                                         (ember.tensor(3.5, dtype=ember.float64), ember.float32),
                                         (float("inf"), ember.float32), (2**40, ember.int64)])
def test_full_infers_dtype_from_fill_value(fill, dtype):
    t = ember.full((2, 2), fill)
    assert t.dtype is dtype
    expected = fill.item() if isinstance(fill, ember.Tensor) else fill
    assert (t.numpy() == expected).all()


def test_full_with_dtype_and_requires_grad():
    assert ember.full((2,), 7.9, dtype=ember.int64).tolist() == [7, 7]
    assert ember.full([2], 7, dtype=ember.float32).tolist() == [7.0, 7.0]
    t = ember.full((2,), 1.5, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    assert ember.full(size=(1,), fill_value=2).tolist() == [2]


def test_like_factories_take_shape_dtype_device_of_input():
    x = ember.tensor([[1, 2, 3]], dtype=ember.int32)
    for fn, value in ((ember.zeros_like, 0), (ember.ones_like, 1)):
        t = fn(x)
        assert t.shape == x.shape and t.dtype is ember.int32 and (t.numpy() == value).all()
    assert ember.empty_like(x).shape == (1, 3)
    assert ember.full_like(x, 2.7).tolist() == [[2, 2, 2]]  # fill cast to input's int dtype
    assert ember.full_like(ember.zeros(2), 2).dtype is ember.float32
    assert ember.ones_like(x, dtype=ember.float64).dtype is ember.float64
    r = ember.zeros_like(ember.ones(2, requires_grad=True))
    assert not r.requires_grad  # *_like never inherits requires_grad
    assert ember.zeros_like(ember.ones(2), requires_grad=True).requires_grad


# ---------------------------------------------------------------------------- arange / range / linspace / logspace
@pytest.mark.parametrize("args, dtype, expected", [
    ((5,), ember.int64, np.arange(5)),
    ((5.0,), ember.float32, np.arange(5.0)),
    ((1, 4), ember.int64, np.arange(1, 4)),
    ((10, 0, -3), ember.int64, np.array([10, 7, 4, 1])),
    ((10, 0, -2.5), ember.float32, np.array([10.0, 7.5, 5.0, 2.5])),
    ((1, 2.5, 0.5), ember.float32, np.array([1.0, 1.5, 2.0])),
    ((-1.0, 1.0, 0.25), ember.float32, np.arange(-1.0, 1.0, 0.25)),
    ((0, -3, -1), ember.int64, np.array([0, -1, -2])),
    ((1, 1), ember.int64, np.array([], dtype=np.int64)),
    ((0, 10, np.float32(1.5)), ember.float32, np.arange(0, 10, 1.5)),
    ((ember.tensor(3),), ember.int64, np.arange(3)),
    ((ember.tensor(3.0),), ember.float32, np.arange(3.0)),
])
def test_arange_values_and_dtype_inference(args, dtype, expected):
    t = ember.arange(*args)
    assert t.dtype is dtype
    np.testing.assert_allclose(t.numpy(), expected.astype(_np(dtype)), rtol=0, atol=1e-6)


def test_arange_float_steps_count_like_torch():
    assert ember.arange(0, 1, 0.1).shape == (10,)
    assert ember.arange(0, 0.9, 0.3).shape == (3,)
    assert ember.arange(0, 1.2, 0.4).shape == (3,)
    np.testing.assert_allclose(ember.arange(0, 1, 0.1).numpy(), np.arange(10) * 0.1, rtol=1e-6)


def test_arange_keywords_dtype_and_requires_grad():
    assert ember.arange(end=3).tolist() == [0, 1, 2]
    assert ember.arange(start=1, end=3).tolist() == [1, 2]
    assert ember.arange(5, dtype=ember.float32).dtype is ember.float32
    assert ember.arange(0, 5, 2, dtype=ember.float64).tolist() == [0.0, 2.0, 4.0]
    assert ember.arange(0.5, 3, dtype=ember.int64).tolist() == [0, 1, 2]
    t = ember.arange(5.0, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        ember.arange(5, requires_grad=True)


@pytest.mark.parametrize("args, msg", [
    ((0, 10, -1), "upper bound and lower bound inconsistent with step sign"),
    ((0, 10, 0), "step must be nonzero"),
    ((float("inf"),), "unsupported range: 0 -> inf"),
])
def test_arange_errors_like_torch(args, msg):
    with pytest.raises(RuntimeError) as info:
        ember.arange(*args)
    assert str(info.value) == msg


def test_deprecated_range_includes_end_and_warns():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        t = ember.range(0, 1, 0.5)
    assert t.dtype is ember.float32 and t.tolist() == [0.0, 0.5, 1.0]


def test_linspace_matches_torchs_symmetric_kernel():
    # torch counts the first half up from start and the second half down from end, so the ends are exact
    np.testing.assert_array_equal(ember.linspace(0, 1, 5).numpy(), np.array([0, 0.25, 0.5, 0.75, 1], np.float32))
    t = ember.linspace(-1, 1, 7, dtype=ember.float64)
    assert t.numpy()[3] == 5.551115123125783e-17  # torch's exact value (fused multiply-add from the end)
    assert t.numpy()[0] == -1.0 and t.numpy()[-1] == 1.0
    np.testing.assert_allclose(t.numpy(), np.linspace(-1, 1, 7), atol=1e-15)
    big = ember.linspace(-3.3, 7.1, 1000)
    np.testing.assert_allclose(big.numpy(), np.linspace(-3.3, 7.1, 1000), rtol=0, atol=1e-6)
    assert big.numpy()[-1] == np.float32(7.1)


def test_linspace_edge_cases():
    assert ember.linspace(0, 1, 1).tolist() == [0.0]
    assert ember.linspace(0, 1, 0).shape == (0,)
    assert ember.linspace(0, 10, 4, dtype=ember.int64).tolist() == [0, 3, 6, 10]
    assert ember.linspace(3, -3, 4).tolist() == [3.0, 1.0, -1.0, -3.0]
    assert ember.linspace(ember.tensor(0.0), ember.tensor(1.0), steps=3).tolist() == [0.0, 0.5, 1.0]
    assert ember.linspace(0, 1, 5, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ember.linspace(0, 1, -1)


def test_logspace():
    np.testing.assert_allclose(ember.logspace(0, 2, 3).numpy(), [1.0, 10.0, 100.0])
    np.testing.assert_allclose(ember.logspace(0, 3, 4, base=2).numpy(), [1.0, 2.0, 4.0, 8.0])
    assert ember.logspace(0, 2, 3, dtype=ember.int64).tolist() == [1, 10, 100]
    t = ember.logspace(-1, 1, 3, dtype=ember.float64)
    assert t.dtype is ember.float64
    np.testing.assert_allclose(t.numpy(), [0.1, 1.0, 10.0], rtol=1e-15)


# ---------------------------------------------------------------------------- eye / scalar_tensor
def test_eye():
    np.testing.assert_array_equal(ember.eye(2).numpy(), np.eye(2, dtype=np.float32))
    np.testing.assert_array_equal(ember.eye(2, 3).numpy(), np.eye(2, 3))
    assert ember.eye(3, 2, dtype=ember.int64).tolist() == [[1, 0], [0, 1], [0, 0]]
    assert ember.eye(n=2, m=1).shape == (2, 1)
    assert ember.eye(0).shape == (0, 0)
    assert ember.eye(2, dtype=ember.bool).dtype is ember.bool
    assert ember.eye(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        ember.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -1"):
        ember.eye(2, -1)
    with pytest.raises(TypeError, match=r"eye\(\): argument 'n' \(position 1\) must be int, not float"):
        ember.eye(2.5)


def test_scalar_tensor_is_default_float():
    assert ember.scalar_tensor(3).dtype is ember.float32 and ember.scalar_tensor(3).shape == ()
    assert ember.scalar_tensor(3, dtype=ember.int64).item() == 3


def test_out_argument_writes_into_the_given_tensor():
    out = ember.empty(3)
    assert ember.zeros(3, out=out) is out and out.tolist() == [0.0, 0.0, 0.0]
    assert ember.arange(3, out=out) is out and out.tolist() == [0.0, 1.0, 2.0]


def test_tensor_creation_of_large_python_lists_is_fast_enough():
    data = [float(i) for i in range(200_000)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = ember.tensor(data)
    assert t.shape == (200_000,) and t.dtype is ember.float32 and t[-1].item() == 199_999.0


@pytest.mark.cuda
def test_factories_on_cuda():
    for t in (ember.zeros(2, device="cuda"), ember.tensor([1.0, 2.0], device="cuda"), ember.arange(3, device="cuda"),
              ember.full((2,), 3, device="cuda"), ember.eye(2, device="cuda"), ember.linspace(0, 1, 3, device="cuda")):
        assert t.is_cuda
    x = ember.tensor([1.0, 2.0], device="cuda")
    assert ember.zeros_like(x).is_cuda and ember.tensor(x).is_cuda and ember.as_tensor(x) is x
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
