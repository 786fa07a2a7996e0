"""Conversions behave as torch's: .to() overloads, dtype shortcuts, .type(), python and NumPy conversions,
copy_, new_* factories, clone/fill_/zero_, .data and detach (checked against torch 2.13)."""

import numpy as np
import pytest

import ember


# ---------------------------------------------------------------------------- .to
def test_to_dtype_casts_like_torch():
    x = ember.tensor([1.5, -2.5, 0.0])
    assert x.to(ember.int64).tolist() == [1, -2, 0]
    assert x.to(ember.int32).dtype is ember.int32
    assert x.to(ember.bool).tolist() == [True, True, False]
    assert x.to(ember.float64).dtype is ember.float64
    assert x.to(float).dtype is ember.float64  # python float means float64
    assert x.to(int).dtype is ember.int64 and x.to(bool).dtype is ember.bool


def test_to_overloads():
    x = ember.tensor([1.5])
    assert x.to("cpu", ember.float64).dtype is ember.float64
    assert x.to("cpu", dtype=ember.float64).dtype is ember.float64
    assert x.to(device="cpu", dtype=ember.float64, copy=True).dtype is ember.float64
    assert x.to(ember.device("cpu")) is x
    assert x.to(ember.tensor([1], dtype=ember.int32)).dtype is ember.int32
    assert x.to(tensor=ember.tensor([1], dtype=ember.int32)).dtype is ember.int32
    assert x.to(ember.float64, True, True).dtype is ember.float64  # non_blocking, copy positionally
    assert x.to(ember.float64, copy=True, non_blocking=True).dtype is ember.float64
    assert x.to(None) is x and x.to() is x and x.to(dtype=None) is x


def test_to_returns_self_unless_something_changes_or_copy():
    x = ember.tensor([1.5])
    assert x.to(ember.float32) is x and x.to("cpu") is x and x.to(x) is x
    c = x.to(ember.float32, copy=True)
    assert c is not x
    c[0] = 9.0
    assert x.item() == 1.5


@pytest.mark.parametrize("args, kwargs", [
    (("cpu", "cuda"), {}), ((ember.float64, ember.int32), {}), ((ember.float64, "cpu"), {}),
    (("cpu", ember.tensor([1.0])), {}), ((), {"foo": 1}), ((), {"other": ember.zeros(1)}),
])
def test_to_bad_argument_combinations_are_type_errors(args, kwargs):
    with pytest.raises(TypeError, match=r"to\(\) received an invalid combination of arguments"):
        ember.tensor([1.5]).to(*args, **kwargs)


def test_to_is_differentiable_for_float_targets_only():
    x = ember.tensor([1.5, 2.0], requires_grad=True)
    y = x.to(ember.float64)
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [3.0, 4.0]
    assert x.to(ember.float32).grad_fn is None  # no-op returns x itself
    assert not x.to(ember.int64).requires_grad
    assert x.double().grad_fn.name() == "ToCopyBackward0" and x.half().grad_fn.name() == "ToCopyBackward0"


@pytest.mark.parametrize("method, dtype", [
    ("float", ember.float32), ("double", ember.float64), ("half", ember.float16), ("bfloat16", ember.bfloat16),
    ("long", ember.int64), ("int", ember.int32), ("short", ember.int16), ("char", ember.int8),
    ("byte", ember.uint8), ("bool", ember.bool),
])
def test_dtype_shortcut_methods(method, dtype):
    out = getattr(ember.tensor([1.5, 0.0]), method)()
    assert out.dtype is dtype
    assert out.tolist() == ember.tensor([1.5, 0.0]).to(dtype).tolist()


# ---------------------------------------------------------------------------- .type / type_as
@pytest.mark.parametrize("t, name", [
    (ember.tensor([1.5]), "torch.FloatTensor"), (ember.tensor([1]), "torch.LongTensor"),
    (ember.tensor([True]), "torch.BoolTensor"), (ember.tensor([1.5], dtype=ember.float16), "torch.HalfTensor"),
    (ember.tensor([1.5], dtype=ember.bfloat16), "torch.BFloat16Tensor"),
    (ember.tensor([1], dtype=ember.uint8), "torch.ByteTensor"),
    (ember.tensor([1], dtype=ember.int8), "torch.CharTensor"),
    (ember.tensor([1.0], dtype=ember.float64), "torch.DoubleTensor"),
])
def test_type_names_are_torchs(t, name):
    assert t.type() == name


def test_type_casts():
    x = ember.tensor([1.5])
    assert x.type(ember.float64).dtype is ember.float64
    assert x.type("torch.DoubleTensor").dtype is ember.float64
    assert x.type("torch.IntTensor").dtype is ember.int32
    assert x.type(ember.LongTensor).dtype is ember.int64
    assert x.type(dtype=ember.int64).dtype is ember.int64
    assert x.type(ember.float32) is x and x.type("torch.FloatTensor") is x
    assert x.type(ember.Tensor) is x
    for bad in ("foo", "torch.float64", int):
        with pytest.raises(ValueError, match="invalid type"):
            x.type(bad)


def test_type_as():
    assert ember.tensor([1.5]).type_as(ember.tensor([1])).tolist() == [1]
    assert ember.tensor([1.5]).type_as(ember.tensor([1.0], dtype=ember.float64)).dtype is ember.float64


# ---------------------------------------------------------------------------- python and NumPy conversions
def test_item_and_tolist():
    assert ember.tensor([2.5]).item() == 2.5 and isinstance(ember.tensor([2.5]).item(), float)
    assert ember.tensor([[2]]).item() == 2 and isinstance(ember.tensor([[2]]).item(), int)
    assert ember.tensor(True).item() is True
    assert ember.tensor(0.1).item() == float(np.float32(0.1))
    assert ember.tensor([2.5], dtype=ember.bfloat16).item() == 2.5
    assert type(ember.tensor(2, dtype=ember.uint8).item()) is int
    assert ember.tensor([1.5], requires_grad=True).item() == 1.5
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        ember.tensor([1, 2]).item()
    with pytest.raises(RuntimeError, match="a Tensor with 0 elements cannot be converted to Scalar"):
        ember.tensor([]).item()
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ember.tensor(2.5).tolist() == 2.5
    assert ember.tensor([1.5], dtype=ember.bfloat16).tolist() == [1.5]
    assert ember.tensor([True, False]).tolist() == [True, False]
    assert ember.tensor([1.5], requires_grad=True).tolist() == [1.5]


def test_numpy_shares_memory_and_refuses_grad_tensors():
    x = ember.tensor([1.0, 2.0])
    a = x.numpy()
    a[0] = 5.0
    assert x.tolist() == [5.0, 2.0]
    with pytest.raises(RuntimeError) as info:
        ember.tensor([1.5], requires_grad=True).numpy()
    assert str(info.value) == "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    np.testing.assert_array_equal(ember.tensor([1.5], requires_grad=True).numpy(force=True), [1.5])


def test_array_protocol():
    x = ember.tensor([1.5, 2.0])
    a = np.asarray(x)
    assert a.dtype == np.float32 and np.shares_memory(a, x.numpy())
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(ember.tensor([1, 2])).tolist() == [1, 2]
    assert np.asarray(ember.tensor(3)).shape == ()
    c = np.array(x, copy=True)
    c[0] = 0.0
    assert x.tolist() == [1.5, 2.0]
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        np.asarray(ember.tensor([1.5], requires_grad=True))


def test_numpy_ufuncs_and_scalars_give_tensors():
    t = ember.tensor([1.0, 2.0])
    s = np.sin(t)
    assert isinstance(s, ember.Tensor)
    np.testing.assert_allclose(s.numpy(), np.sin([1.0, 2.0]), rtol=1e-6)
    g = np.greater(t, 1)
    assert isinstance(g, ember.Tensor) and g.dtype is ember.uint8 and g.tolist() == [0, 1]  # torch's uint8
    for r in (np.float64(2) * t, t * np.float64(2), np.int64(1) + t, np.float32(2) * t):
        assert isinstance(r, ember.Tensor) and r.dtype is ember.float32
    assert (np.float64(2.0) * ember.tensor([1.0, 2.0], requires_grad=True)).grad_fn is not None
    assert ember.Tensor.__array_priority__ == 1000


def test_python_number_conversions():
    assert int(ember.tensor(2.7)) == 2 and int(ember.tensor(-2.7)) == -2 and int(ember.tensor([2.7])) == 2
    assert float(ember.tensor(2)) == 2.0 and float(ember.tensor([[2]])) == 2.0
    assert complex(ember.tensor(2.0)) == 2 + 0j
    for conv in (int, float):
        for bad in (ember.tensor([2.7, 3]), ember.tensor([])):
            with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
                conv(bad)


def test_bool_rules():
    assert bool(ember.tensor([1.0])) is True and bool(ember.tensor([0.0])) is False
    assert bool(ember.tensor(float("nan"))) is True
    with pytest.raises(RuntimeError) as info:
        bool(ember.tensor([1, 2]))
    assert str(info.value) == "Boolean value of Tensor with more than one value is ambiguous"
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(ember.tensor([]))


def test_index_rules():
    seq = [1, 2, 3]
    assert seq[ember.tensor(1)] == 2 and seq[ember.tensor([1])] == 2 and seq[ember.tensor(True)] == 2
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        seq[ember.tensor(1.0)]
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        seq[ember.tensor([0, 1])]


def test_len_and_iter():
    x = ember.arange(6).reshape(3, 2)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, ember.Tensor) for r in rows) and rows[1].tolist() == [2, 3]
    assert [v.item() for v in ember.tensor([1, 2])] == [1, 2]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(3))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1))


# ---------------------------------------------------------------------------- copy_
def test_copy_broadcasts_and_casts():
    x = ember.zeros(2, 3)
    v = x._version
    assert x.copy_(ember.tensor([1, 2, 3])) is x
    assert x.tolist() == [[1, 2, 3], [1, 2, 3]] and x.dtype is ember.float32 and x._version == v + 1
    x.copy_(ember.tensor([1.5, 2.5, 3.5], dtype=ember.float64))
    assert x.tolist()[0] == [1.5, 2.5, 3.5]
    i = ember.zeros(2, 3, dtype=ember.int64)
    assert i.copy_(ember.tensor([1.7, -2.7, 3.5])).tolist()[1] == [1, -2, 3]
    assert ember.zeros(3).copy_(ember.tensor([True, False, True])).tolist() == [1.0, 0.0, 1.0]
    assert ember.zeros(3).copy_(5).tolist() == [5.0, 5.0, 5.0]
    assert ember.zeros(3).copy_(ember.tensor(5)).tolist() == [5.0, 5.0, 5.0]


def test_copy_into_a_view_writes_the_base():
    base = ember.zeros(2, 3)
    base[1].copy_(ember.tensor([4.0, 5.0, 6.0]))
    assert base.tolist() == [[0, 0, 0], [4, 5, 6]]


def test_copy_gradient_flows_to_src_only():
    x = ember.zeros(2, 3)
    s = ember.ones(3, requires_grad=True)
    x.copy_(s)
    assert x.grad_fn.name() == "CopyBackwards"
    (x * ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert s.grad.tolist() == [5.0, 7.0, 9.0]  # summed back over the broadcast dim
    s64 = ember.ones(3, dtype=ember.float64, requires_grad=True)
    y = ember.zeros(2, 3)
    y.copy_(s64)
    (y * 2).sum().backward()
    assert s64.grad.dtype is ember.float64 and s64.grad.tolist() == [4.0, 4.0, 4.0]
    # the overwritten value gets no gradient
    a = ember.ones(3, requires_grad=True)
    b = a * 3
    b.copy_(ember.full((3,), 2.0, requires_grad=True))
    b.sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0]
    # an integer destination can't carry a gradient
    z = ember.zeros(3, dtype=ember.int64).copy_(ember.tensor([1.5, 2.5, 3.5], requires_grad=True))
    assert not z.requires_grad and z.tolist() == [1, 2, 3]


@pytest.mark.parametrize("dst_shape, src_shape, msg", [
    ((2, 3), (2,), "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
    ((2, 3), (3, 2, 3), "output with shape [2, 3] doesn't match the broadcast shape [3, 2, 3]"),
])
def test_copy_shape_errors_like_torch(dst_shape, src_shape, msg):
    with pytest.raises(RuntimeError) as info:
        ember.zeros(*dst_shape).copy_(ember.zeros(*src_shape))
    assert str(info.value) == msg


def test_copy_rejects_partial_overlap_and_lists():
    x = ember.zeros(2, 3)
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        x.copy_(x[0])
    y = ember.arange(4.0)
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        y[1:].copy_(y[:3])
    assert y.copy_(y) is y  # full overlap is a no-op
    y[0::2].copy_(y[1::2])  # interleaved views never touch the same element
    assert y.tolist() == [1.0, 1.0, 3.0, 3.0]
    with pytest.raises(TypeError, match=r"copy_\(\): argument 'other' \(position 1\) must be Tensor, not list"):
        ember.zeros(3).copy_([1, 2, 3])


# ---------------------------------------------------------------------------- new_* / clone / fill_ / zero_
def test_new_factories_take_dtype_and_device_of_self():
    i = ember.tensor([1, 2])
    f = ember.tensor([1.0, 2.0], dtype=ember.float64)
    assert i.new_zeros(2, 3).dtype is ember.int64 and i.new_zeros((2, 3)).shape == (2, 3)
    assert i.new_zeros([2, 3], dtype=ember.float64).dtype is ember.float64
    assert f.new_zeros(size=(2,)).tolist() == [0.0, 0.0] and f.new_zeros(2).dtype is ember.float64
    assert f.new_ones(2).tolist() == [1.0, 1.0] and f.new_ones(()).shape == ()
    assert i.new_full((2,), 3.5).tolist() == [3, 3]
    assert f.new_full((2,), 3).dtype is ember.float64
    assert f.new_full(size=(2,), fill_value=1.0).tolist() == [1.0, 1.0]
    assert f.new_empty(2).shape == (2,) and f.new_empty((2, 1)).dtype is ember.float64
    assert f.new_empty(2, 3, dtype=ember.int64).dtype is ember.int64
    assert f.new_tensor([1, 2]).dtype is ember.float64
    assert i.new_tensor([1.5, 2]).tolist() == [1, 2]
    assert i.new_tensor([1.5, 2], dtype=ember.float32).dtype is ember.float32
    assert f.new_tensor(3).shape == ()
    with pytest.warns(UserWarning, match="sourceTensor.detach"):
        assert f.new_tensor(ember.tensor([1, 2])).dtype is ember.float64
    r = f.new_ones(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf
    assert not ember.tensor([1.0], requires_grad=True).new_zeros(2).requires_grad
    with pytest.raises(TypeError, match=r"new_full\(\): argument 'size' \(position 1\) must be tuple of ints, not int"):
        f.new_full(2, 3)
    with pytest.raises(TypeError, match="new_ones\\(\\) missing 1 required positional arguments"):
        f.new_ones()


def test_clone_copies_and_keeps_the_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    a = ember.tensor([1.0, 2.0])
    b = a.clone(memory_format=ember.preserve_format)
    b[0] = 5.0
    assert a.tolist() == [1.0, 2.0]
    assert repr(ember.contiguous_format) == "ember.contiguous_format"


def test_fill_and_zero():
    x = ember.tensor([1.0, 2.0])
    v = x._version
    assert x.fill_(3) is x and x.tolist() == [3.0, 3.0] and x._version == v + 1
    assert ember.tensor([1, 2]).fill_(3.7).tolist() == [3, 3]
    assert ember.tensor([1.0, 2.0]).fill_(ember.tensor(3)).tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor"):
        ember.tensor([1.0, 2.0]).fill_(ember.tensor([3.0]))
    assert ember.tensor([1.0, 2.0]).zero_().tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        ember.tensor([1.0, 2.0], requires_grad=True).zero_()


# ---------------------------------------------------------------------------- .data / detach
def test_data_reads_share_memory_outside_the_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf
    d.zero_()
    assert x.tolist() == [0.0, 0.0] and x.requires_grad
    assert x._version == 0  # .data has its own version counter (torch)


def test_data_assignment():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.data = ember.tensor([5.0, 6.0, 7.0])
    assert x.tolist() == [5.0, 6.0, 7.0] and x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError, match="data set to a tensor that requires gradients must be floating point"):
        x.data = ember.tensor([5, 6])
    with pytest.raises(TypeError):
        x.data = [1.0]
    plain = ember.tensor([1.0])
    plain.data = ember.tensor([5, 6])  # fine when no gradient is required
    assert plain.dtype is ember.int64


def test_detach_shares_memory_and_version():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad
    d[0] = 9.0
    assert x.tolist() == [9.0, 2.0]
    assert x._version == 1  # detach shares the version counter (torch)
    y = x * 2
    yd = y.detach()
    yd.zero_()
    assert y.tolist() == [0.0, 0.0]
