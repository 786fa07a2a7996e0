"""The legacy API and dtype objects behave as torch's: Tensor(2, 3), FloatTensor & co, Variable, Size,
dtype attributes and promote_types (expected values checked against torch 2.13)."""

import pickle

import numpy as np
import pytest

import ember


# ---------------------------------------------------------------------------- ember.Tensor(...)
def test_tensor_constructor_forms():
    t = ember.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype is ember.float32
    assert ember.Tensor([1, 2]).dtype is ember.float32 and ember.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert ember.Tensor([[1, 2]]).shape == (1, 2)
    assert ember.Tensor((1, 2)).tolist() == [1.0, 2.0]
    assert ember.Tensor().shape == (0,) and ember.Tensor(0).shape == (0,)
    assert ember.Tensor(ember.Size([2, 3])).shape == (2, 3)  # a Size is a shape, not data
    assert ember.Tensor(np.array([1.0, 2.0], dtype=np.float32)).tolist() == [1.0, 2.0]
    assert ember.Tensor(2, 3, device="cpu").shape == (2, 3)
    src = ember.tensor([1, 2])
    assert ember.Tensor(src).tolist() == [1, 2]  # a tensor passes through (torch keeps its dtype)


def test_tensor_constructor_follows_the_default_dtype():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.Tensor(2).dtype is ember.float64 and ember.Tensor([1]).dtype is ember.float64
        assert ember.FloatTensor(2).dtype is ember.float32  # the typed constructors don't move
    finally:
        ember.set_default_dtype(ember.float32)


def test_tensor_constructor_errors():
    with pytest.raises(RuntimeError, match="Trying to create tensor with negative dimension -1: \\[-1\\]"):
        ember.Tensor(-1)
    with pytest.raises(TypeError, match="new\\(\\): data must be a sequence \\(got float\\)"):
        ember.Tensor(2.5)
    with pytest.raises(TypeError, match="new\\(\\): invalid data type 'str'"):
        ember.Tensor("a")
    with pytest.raises(TypeError, match="new\\(\\) received an invalid combination of arguments"):
        ember.Tensor([2.5], requires_grad=True)


# ---------------------------------------------------------------------------- typed legacy constructors
@pytest.mark.parametrize("cls, dtype", [
    (ember.FloatTensor, ember.float32), (ember.DoubleTensor, ember.float64), (ember.HalfTensor, ember.float16),
    (ember.BFloat16Tensor, ember.bfloat16), (ember.LongTensor, ember.int64), (ember.IntTensor, ember.int32),
    (ember.ShortTensor, ember.int16), (ember.CharTensor, ember.int8), (ember.ByteTensor, ember.uint8),
    (ember.BoolTensor, ember.bool),
])
def test_typed_constructors_and_isinstance(cls, dtype):
    data = cls([1, 0])
    assert data.dtype is dtype and data.tolist() == ember.tensor([1, 0], dtype=dtype).tolist()
    sized = cls(2, 3)
    assert sized.shape == (2, 3) and sized.dtype is dtype
    assert cls().shape == (0,) and cls(ember.Size([4])).shape == (4,)
    assert isinstance(data, cls) and isinstance(data, ember.Tensor)
    assert cls.dtype is dtype
    others = [c for c in (ember.FloatTensor, ember.LongTensor, ember.BoolTensor) if c is not cls]
    assert not any(isinstance(data, c) for c in others)
    assert not isinstance(1, cls)


def test_typed_constructor_values_and_errors():
    assert ember.LongTensor([1.7, 2]).tolist() == [1, 2]
    assert ember.LongTensor(np.array([1, 2])).tolist() == [1, 2]
    assert ember.FloatTensor(ember.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]
    with pytest.raises(TypeError):
        ember.FloatTensor(ember.tensor([1, 2]))  # torch refuses a tensor of another dtype


def test_legacy_type_names_round_trip_through_type():
    x = ember.FloatTensor(2)
    assert x.type() == "torch.FloatTensor"
    assert ember.zeros(2).type(ember.LongTensor).dtype is ember.int64
    assert ember.zeros(2).type(ember.DoubleTensor).dtype is ember.float64
    assert ember.zeros(2).type("torch.LongTensor").dtype is ember.int64


def test_variable_is_the_tensor():
    x = ember.zeros(2)
    v = ember.autograd.Variable(x)
    assert isinstance(v, ember.Tensor) and v.tolist() == [0.0, 0.0]
    w = ember.autograd.Variable(ember.zeros(2), requires_grad=True)
    assert w.requires_grad and w.is_leaf


# ---------------------------------------------------------------------------- ember.Size
def test_size_repr_numel_and_tuple_behaviour():
    s = ember.Size([2, 3])
    assert repr(s) == "ember.Size([2, 3])" and str(s) == "ember.Size([2, 3])"
    assert s.numel() == 6 and ember.Size([]).numel() == 1 and ember.Size([2, 0]).numel() == 0
    assert ember.Size((2, 3)) == s == (2, 3) and s != [2, 3]
    assert ember.Size() == () and isinstance(s, tuple) and hash(s) == hash((2, 3))
    assert s[0] == 2 and s.count(2) == 1 and s.index(3) == 1
    assert ember.zeros(2, 3).shape == s and ember.zeros(2, 3).size() == s


@pytest.mark.parametrize("expr, expected", [
    (lambda s: s[1:], [3]), (lambda s: s + (4,), [2, 3, 4]), (lambda s: (4,) + s, [4, 2, 3]),
    (lambda s: s * 2, [2, 3, 2, 3]), (lambda s: 2 * s, [2, 3, 2, 3]),
])
def test_size_operations_return_sizes(expr, expected):
    out = expr(ember.Size([2, 3]))
    assert isinstance(out, ember.Size) and list(out) == expected


def test_size_elements_must_be_ints():
    assert list(ember.Size([np.int64(2), ember.tensor(3)])) == [2, 3]
    with pytest.raises(TypeError, match="Size\\(\\) takes an iterable of 'int' \\(item 0 is 'float'\\)"):
        ember.Size([2.5])
    with pytest.raises(TypeError, match="item 1 is 'str'"):
        ember.Size([1, "a"])
    with pytest.raises(TypeError, match="can only concatenate tuple \\(not list\\)"):
        ember.Size([2]) + [4]


def test_size_pickles():
    s = pickle.loads(pickle.dumps(ember.Size([2, 3])))
    assert isinstance(s, ember.Size) and s == (2, 3)


# ---------------------------------------------------------------------------- dtype objects
@pytest.mark.parametrize("dtype, name, floating, itemsize, signed", [
    (ember.float32, "float32", True, 4, True), (ember.float64, "float64", True, 8, True),
    (ember.float16, "float16", True, 2, True), (ember.bfloat16, "bfloat16", True, 2, True),
    (ember.int64, "int64", False, 8, True), (ember.int32, "int32", False, 4, True),
    (ember.int16, "int16", False, 2, True), (ember.int8, "int8", False, 1, True),
    (ember.uint8, "uint8", False, 1, False), (ember.bool, "bool", False, 1, False),
])
def test_dtype_attributes(dtype, name, floating, itemsize, signed):
    assert repr(dtype) == str(dtype) == f"ember.{name}"
    assert dtype.is_floating_point is floating and dtype.itemsize == itemsize and dtype.is_signed is signed
    assert dtype.is_complex is False and isinstance(dtype, ember.dtype)
    assert pickle.loads(pickle.dumps(dtype)) is dtype


def test_dtype_aliases():
    assert ember.float is ember.float32 and ember.double is ember.float64 and ember.half is ember.float16
    assert ember.long is ember.int64 and ember.int is ember.int32 and ember.short is ember.int16
    assert ember.float32 == ember.float


@pytest.mark.parametrize("a, b, expected", [
    (ember.int32, ember.float32, ember.float32), (ember.uint8, ember.int8, ember.int16),
    (ember.uint8, ember.int16, ember.int16), (ember.bool, ember.uint8, ember.uint8),
    (ember.float16, ember.bfloat16, ember.float32), (ember.int64, ember.float16, ember.float16),
    (ember.bool, ember.bool, ember.bool), (ember.int8, ember.int16, ember.int16),
    (ember.float64, ember.float16, ember.float64), (ember.bfloat16, ember.int64, ember.bfloat16),
    (ember.uint8, ember.uint8, ember.uint8), (ember.bool, ember.float32, ember.float32),
    (ember.int32, ember.int64, ember.int64), (ember.uint8, ember.int64, ember.int64),
])
def test_promote_types_matches_torch(a, b, expected):
    assert ember.promote_types(a, b) is expected
    assert ember.promote_types(b, a) is expected


def test_default_dtype_is_settable_to_floats_only():
    assert ember.get_default_dtype() is ember.float32
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        ember.set_default_dtype(ember.int64)
    assert ember.get_default_dtype() is ember.float32


def test_module_level_predicates():
    assert ember.is_tensor(ember.tensor(1)) and not ember.is_tensor([1])
    assert ember.is_floating_point(ember.tensor([1.0])) and not ember.tensor([1, 2]).is_floating_point()
    assert ember.numel(ember.zeros(2, 3)) == 6
