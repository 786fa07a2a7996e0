"""Fetchers: one sampler output -> collated data, for map-style and iterable datasets."""

import pytest

from ember.utils.data._collate import default_collate, default_convert
from ember.utils.data._fetch import DatasetKind, create_fetcher


class Squares:
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return i * i


class Batched(Squares):
    calls = 0

    def __getitems__(self, idx):
        Batched.calls += 1
        return [i * i for i in idx]


def test_map_fetcher_batches_and_single_items():
    f = create_fetcher(DatasetKind.Map, Squares(), True, default_collate, False)
    assert f.fetch([1, 3]).tolist() == [1, 9]
    f = create_fetcher(DatasetKind.Map, Squares(), False, default_convert, False)
    assert f.fetch(4) == 16


def test_map_fetcher_uses_getitems_once_per_batch():
    Batched.calls = 0
    f = create_fetcher(DatasetKind.Map, Batched(), True, list, False)
    assert f.fetch([2, 5, 1]) == [4, 25, 1]
    assert Batched.calls == 1


def test_iterable_fetcher_batches_until_the_stream_ends():
    f = create_fetcher(DatasetKind.Iterable, range(5), True, list, False)
    assert f.fetch([None] * 2) == [0, 1]
    assert f.fetch([None] * 2) == [2, 3]
    assert f.fetch([None] * 2) == [4]  # the short last batch
    with pytest.raises(StopIteration):
        f.fetch([None] * 2)


def test_iterable_fetcher_drop_last():
    f = create_fetcher(DatasetKind.Iterable, range(5), True, list, True)
    assert f.fetch([None] * 3) == [0, 1, 2]
    with pytest.raises(StopIteration):
        f.fetch([None] * 3)


def test_iterable_fetcher_without_batching():
    f = create_fetcher(DatasetKind.Iterable, iter(["a", "b"]), False, default_convert, False)
    assert [f.fetch(None), f.fetch(None)] == ["a", "b"]
    with pytest.raises(StopIteration):
        f.fetch(None)
