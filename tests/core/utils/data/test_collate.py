"""default_collate / default_convert: types, nesting and torch's error texts."""

import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from ember.utils.data._collate import collate, default_collate_fn_map

Point = collections.namedtuple("Point", ["x", "y"])


def test_tensors_are_stacked():
    out = default_collate([ember.tensor([1, 2]), ember.tensor([3, 4]), ember.tensor([5, 6])])
    assert isinstance(out, ember.Tensor)
    assert out.tolist() == [[1, 2], [3, 4], [5, 6]] and out.dtype is ember.int64


def test_stacked_batch_owns_its_memory():
    rows = [ember.zeros(3) for _ in range(2)]
    out = default_collate(rows)
    out.add_(1)
    assert rows[0].tolist() == [0.0, 0.0, 0.0]


def test_tensors_of_unequal_size():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[3\] at entry 0 "
                                           r"and \[4\] at entry 1"):
        default_collate([ember.zeros(3), ember.zeros(4)])


def test_mixed_dtypes_promote_like_torch():
    out = default_collate([ember.tensor([1, 2]), ember.tensor([0.5, 1.5])])
    assert out.dtype is ember.float32 and out.tolist() == [[1.0, 2.0], [0.5, 1.5]]


def test_tensors_requiring_grad_keep_the_graph():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    out = default_collate([a, b])
    assert out.requires_grad
    (out * ember.tensor([[1.0, 1.0], [2.0, 2.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [2.0, 2.0]


def test_numpy_arrays_become_tensors():
    out = default_collate([np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)])
    assert isinstance(out, ember.Tensor) and out.dtype is ember.float32
    assert out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert default_collate([np.zeros(2), np.zeros(2)]).dtype is ember.float64


def test_numpy_arrays_of_mixed_dtype():
    out = default_collate([np.array([1, 2], np.int64), np.array([0.5, 1.0], np.float32)])
    assert out.dtype is ember.float32


def test_numpy_string_arrays_are_rejected():
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                        "lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_numpy_scalars_keep_their_dtype():
    assert default_collate([np.float32(1), np.float32(2)]).dtype is ember.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype is ember.int32
    assert default_collate([np.bool_(True), np.bool_(False)]).tolist() == [True, False]


def test_python_numbers():
    f = default_collate([1.5, 2.0])
    assert f.dtype is ember.float64 and f.tolist() == [1.5, 2.0]
    i = default_collate([1, 2, 3])
    assert i.dtype is ember.int64 and i.tolist() == [1, 2, 3]
    b = default_collate([True, False])
    assert b.dtype is ember.bool and b.tolist() == [True, False]


def test_strings_and_bytes_stay_lists():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"x", b"y"]) == [b"x", b"y"]


def test_dicts_are_collated_per_key():
    out = default_collate([{"A": 0, "B": 1.0}, {"A": 100, "B": 2.0}])
    assert list(out) == ["A", "B"]
    assert out["A"].tolist() == [0, 100] and out["B"].dtype is ember.float64


def test_dict_subclass_type_is_kept():
    out = default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert isinstance(out, collections.OrderedDict) and out["a"].tolist() == [1, 2]


def test_namedtuples_stay_namedtuples():
    out = default_collate([Point(0, 0.5), Point(1, 1.5)])
    assert isinstance(out, Point)
    assert out.x.tolist() == [0, 1] and out.y.tolist() == [0.5, 1.5]


def test_tuples_and_lists_become_lists_of_batches():
    out = default_collate([(0, 1), (2, 3)])
    assert isinstance(out, list) and [t.tolist() for t in out] == [[0, 2], [1, 3]]
    out = default_collate([[0, 1], [2, 3]])
    assert isinstance(out, list) and [t.tolist() for t in out] == [[0, 2], [1, 3]]
    assert default_collate([(1, "a"), (2, "b")])[1] == ("a", "b")  # strings come back as the zipped tuple


def test_nested_structures():
    batch = [{"img": ember.ones(2, 2), "meta": {"id": 1, "name": "a"}, "pts": [np.zeros(3), 1.0]} for _ in range(3)]
    out = default_collate(batch)
    assert out["img"].shape == (3, 2, 2)
    assert out["meta"]["id"].tolist() == [1, 1, 1] and out["meta"]["name"] == ["a", "a", "a"]
    assert out["pts"][0].shape == (3, 3) and out["pts"][1].dtype is ember.float64


def test_sequences_of_unequal_length():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])


def test_unsupported_type():
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                        "lists; found <class 'object'>"):
        default_collate([object(), object()])


def test_collate_with_a_custom_map():
    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return sum(b.v for b in batch)

    fn_map = {**default_collate_fn_map, Box: collate_box}
    out = collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=fn_map)
    assert out[0] == 4 and out[1].tolist() == [2, 4]


def test_default_convert():
    t = ember.tensor([1])
    assert default_convert(t) is t
    c = default_convert(np.array([0, 1]))
    assert isinstance(c, ember.Tensor) and c.tolist() == [0, 1]
    assert default_convert(np.float64(3.0)).dtype is ember.float64
    assert default_convert(0) == 0 and default_convert("s") == "s"
    p = default_convert(Point(np.array(0), np.array(1)))
    assert isinstance(p, Point) and p.x.item() == 0
    assert [x.tolist() for x in default_convert([np.array([0, 1]), np.array([2, 3])])] == [[0, 1], [2, 3]]
    assert default_convert((1, 2)) == [1, 2]  # tuples come back as lists, as torch
    d = default_convert({"a": np.ones(2)})
    assert isinstance(d["a"], ember.Tensor)
    s = np.array(["a"])
    assert default_convert(s) is s  # string arrays stay arrays
