"""Datasets: TensorDataset, StackDataset, ConcatDataset (and +), ChainDataset, Subset, random_split."""

import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, StackDataset, Subset,
                              TensorDataset, random_split)
from ember.utils.data.dataset import GatheredSamples


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class Count(IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def test_dataset_base():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__."):
        Dataset()[0]


def test_tensor_dataset_items_are_views_of_rows():
    x = ember.arange(12).reshape(4, 3)
    y = ember.tensor([0.5, 1.5, 2.5, 3.5])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 2.5
    a.add_(100)  # a view, as in torch
    assert x[2].tolist() == [106, 107, 108]
    assert ds.tensors[0] is x


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_tensor_dataset_getitems_equals_getitem():
    x = ember.arange(30).reshape(10, 3).float()
    y = ember.arange(10)
    ds = TensorDataset(x, y)
    idx = [7, 0, 3, 3, -1]
    got = ds.__getitems__(idx)
    assert isinstance(got, list) and isinstance(got, GatheredSamples)
    want = [ds[i] for i in idx]
    for (ga, gb), (wa, wb) in zip(got, want):
        assert ga.tolist() == wa.tolist() and gb.item() == wb.item()
        assert ga.dtype is wa.dtype and gb.dtype is wb.dtype and gb.shape == wb.shape
    assert got.intact()
    assert [c.tolist() for c in got.columns] == [x[idx].tolist(), y[idx].tolist()]


def test_tensor_dataset_getitems_out_of_range():
    ds = TensorDataset(ember.zeros(3, 2))
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        ds.__getitems__([0, 3])
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 0 with size 3"):
        ds.__getitems__([-4])


def test_tensor_dataset_getitems_with_grad_falls_back_to_views():
    w = ember.ones(3, 2, requires_grad=True)
    ds = TensorDataset(w)
    got = ds.__getitems__([0, 2])
    assert not isinstance(got, GatheredSamples)
    assert got[0][0].requires_grad


def test_gathered_samples_notice_edits():
    ds = TensorDataset(ember.arange(6))
    got = ds.__getitems__([0, 1, 2])
    assert got.intact()
    got[0] = (ember.tensor(9),)
    assert not got.intact()
    got = ds.__getitems__([0, 1, 2])
    got.reverse()
    assert not got.intact()


def test_stack_dataset_tuple_and_dict():
    a, b = Squares(4), TensorDataset(ember.arange(4))
    t = StackDataset(a, b)
    assert len(t) == 4
    assert t[3][0] == 9 and t[3][1][0].item() == 3
    d = StackDataset(sq=a, ts=b)
    assert d[2]["sq"] == 4 and d[2]["ts"][0].item() == 2


def test_stack_dataset_getitems_uses_nested_getitems():
    a, b = Squares(5), TensorDataset(ember.arange(5) * 10)
    t = StackDataset(a, b).__getitems__([4, 1])
    assert [s[0] for s in t] == [16, 1] and [s[1][0].item() for s in t] == [40, 10]
    d = StackDataset(x=a, y=b).__getitems__([2])
    assert d[0]["x"] == 4 and d[0]["y"][0].item() == 20


def test_stack_dataset_nested_getitems_size_mismatch():
    class Short(Squares):
        def __getitems__(self, idx):
            return [0]

    with pytest.raises(ValueError, match="Nested dataset's output size mismatch. Expected 2, got 1"):
        StackDataset(Short(3), Squares(3)).__getitems__([0, 1])


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(2), Squares(3))
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a=Squares(2), b=Squares(3))
    with pytest.raises(ValueError, match="but both types are given"):
        StackDataset(Squares(2), b=Squares(2))


def test_concat_dataset_and_add():
    c = ConcatDataset([Squares(3), Squares(2), Squares(4)])
    assert len(c) == 9 and c.cumulative_sizes == [3, 5, 9]
    assert [c[i] for i in range(9)] == [0, 1, 4, 0, 1, 0, 1, 4, 9]
    assert c[-1] == 9 and c[-9] == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        c[-10]
    with pytest.raises(IndexError):
        c[9]
    s = Squares(2) + Squares(3)
    assert isinstance(s, ConcatDataset) and [s[i] for i in range(5)] == [0, 1, 0, 1, 4]


def test_concat_dataset_errors():
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Squares(2), Count(0, 2)])


def test_chain_dataset_and_add():
    c = ChainDataset([Count(0, 3), Count(10, 12)])
    assert list(c) == [0, 1, 2, 10, 11] and len(c) == 5
    s = Count(0, 2) + Count(5, 6)
    assert isinstance(s, ChainDataset) and list(s) == [0, 1, 5]
    bad = ChainDataset([Count(0, 1), Squares(2)])
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(bad)
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(bad)


def test_subset():
    s = Subset(Squares(10), [9, 2, 5])
    assert len(s) == 3 and [s[i] for i in range(3)] == [81, 4, 25]
    assert s.__getitems__([2, 0]) == [25, 81]
    t = Subset(TensorDataset(ember.arange(10)), [4, 6])
    got = t.__getitems__([1, 0])
    assert isinstance(got, GatheredSamples) and [g[0].item() for g in got] == [6, 4]
    lst = Subset(np.arange(10) * 2, [1, 3])
    assert list(lst[[0, 1]]) == [2, 6]  # a list index is mapped through indices


def test_subset_subclass_must_override_getitems():
    class Bad(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError, match="Bad overrides __getitem__ but not __getitems__"):
        Bad(Squares(3), [0])

    class Good(Bad):
        def __getitems__(self, idx):
            return [self[i] for i in idx]

    assert Good(Squares(3), [0, 1]).__getitems__([0, 1]) == [0, 0]


def test_random_split_lengths():
    parts = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(42))
    assert [len(p) for p in parts] == [3, 7]
    items = sorted(x for p in parts for x in (p[i] for i in range(len(p))))
    assert items == list(range(10))
    again = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(42))
    assert [list(p.indices) for p in parts] == [list(p.indices) for p in again]
    other = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(43))
    assert [list(p.indices) for p in parts] != [list(p.indices) for p in other]


def test_random_split_fractions_round_robin_remainder():
    parts = random_split(range(30), [0.3, 0.3, 0.4], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [9, 9, 12]
    parts = random_split(range(11), [0.5, 0.5], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [6, 5]  # floor(5.5) each, the remainder goes to the first split
    parts = random_split(range(10), [0.34, 0.33, 0.33], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [4, 3, 3]
    assert sorted(i for p in parts for i in p.indices) == list(range(10))


def test_random_split_default_generator_follows_manual_seed():
    ember.manual_seed(11)
    a = [list(p.indices) for p in random_split(range(8), [4, 4])]
    ember.manual_seed(11)
    b = [list(p.indices) for p in random_split(range(8), [4, 4])]
    assert a == b


def test_random_split_zero_length_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts = random_split(range(2), [0.1, 0.9])  # floors 0 and 1, the remainder goes to split 0: no warning
    assert [len(p) for p in parts] == [1, 1]
    with pytest.warns(UserWarning, match="Length of split at index 0 is 0"):
        parts = random_split(range(1), [0.0, 1.0])
    assert [len(p) for p in parts] == [0, 1]


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.5, -0.5, 1.0])


def test_split_subsets_in_a_dataloader():
    ds = TensorDataset(ember.arange(20).reshape(10, 2), ember.arange(10))
    train, val = random_split(ds, [0.8, 0.2], generator=ember.Generator().manual_seed(0))
    xs, ys = zip(*DataLoader(train, batch_size=3))
    assert [len(y) for y in ys] == [3, 3, 2]
    flat = [int(v) for y in ys for v in y]
    assert flat == list(train.indices)
    assert [row.tolist() for x in xs for row in x] == [[2 * i, 2 * i + 1] for i in flat]
    assert sorted(flat + [int(v) for (_, y) in DataLoader(val, batch_size=5) for v in y]) == list(range(10))
