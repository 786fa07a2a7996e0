"""Samplers: index streams against torch fixtures where no RNG is involved, distribution and reproducibility
properties where ember's RNG stream differs from torch's."""

import collections
import json
import pathlib

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                              WeightedRandomSampler)

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "samplers.json").read_text())


def gen(seed):
    return ember.Generator().manual_seed(seed)


def test_sequential():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5
    assert isinstance(s, Sampler)


@pytest.mark.parametrize("case", FIXTURE["batch"], ids=lambda c: f"n{c['n']}-bs{c['batch_size']}-{c['drop_last']}")
def test_batch_sampler_matches_torch(case):
    s = BatchSampler(SequentialSampler(range(case["n"])), case["batch_size"], case["drop_last"])
    assert list(s) == case["batches"]
    assert len(s) == case["len"]


def test_batch_sampler_over_any_iterable():
    assert list(BatchSampler([5, 3, 1, 4], 3, False)) == [[5, 3, 1], [4]]


@pytest.mark.parametrize("bs", [0, -1, 1.5, True, "2"])
def test_batch_sampler_bad_batch_size(bs):
    with pytest.raises(ValueError, match=f"batch_size should be a positive integer value, but got batch_size={bs}"):
        BatchSampler(range(3), bs, False)


def test_batch_sampler_bad_drop_last():
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(3), 2, 1)


def test_random_sampler_is_a_permutation_and_reproducible():
    a = list(RandomSampler(range(50), generator=gen(3)))
    b = list(RandomSampler(range(50), generator=gen(3)))
    c = list(RandomSampler(range(50), generator=gen(4)))
    assert sorted(a) == list(range(50))
    assert a == b and a != c
    assert a != list(range(50))


def test_random_sampler_reshuffles_each_pass():
    s = RandomSampler(range(30), generator=gen(0))
    assert list(s) != list(s)


def test_random_sampler_without_generator_follows_manual_seed():
    ember.manual_seed(7)
    a = list(RandomSampler(range(40)))
    ember.manual_seed(7)
    b = list(RandomSampler(range(40)))
    assert a == b and sorted(a) == list(range(40))


def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations():
    s = RandomSampler(range(10), num_samples=25, generator=gen(1))
    out = list(s)
    assert len(out) == len(s) == 25
    assert sorted(out[:10]) == list(range(10)) and sorted(out[10:20]) == list(range(10))
    assert len(set(out[20:])) == 5  # the tail is the start of a third permutation: no repeats


def test_random_sampler_num_samples_smaller_than_dataset():
    out = list(RandomSampler(range(10), num_samples=4, generator=gen(2)))
    assert len(out) == 4 and len(set(out)) == 4


def test_random_sampler_with_replacement():
    s = RandomSampler(range(7), replacement=True, num_samples=7000, generator=gen(5))
    out = list(s)
    assert len(out) == len(s) == 7000
    assert all(0 <= i < 7 for i in out)
    counts = np.bincount(out, minlength=7)
    assert np.all(np.abs(counts - 1000) < 150)  # ~5 sigma for a binomial(7000, 1/7)
    assert out == list(RandomSampler(range(7), replacement=True, num_samples=7000, generator=gen(5)))


def test_random_sampler_replacement_default_num_samples_and_small_tails():
    assert len(list(RandomSampler(range(40), replacement=True, generator=gen(0)))) == 40
    assert len(list(RandomSampler(range(3), replacement=True, num_samples=33, generator=gen(0)))) == 33


def test_random_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler():
    idx = [3, 9, 12, 40, 41]
    s = SubsetRandomSampler(idx, generator=gen(0))
    out = list(s)
    assert sorted(out) == idx and len(s) == 5
    assert out == list(SubsetRandomSampler(idx, generator=gen(0)))
    orders = {tuple(SubsetRandomSampler(idx, generator=gen(k))) for k in range(10)}
    assert len(orders) > 1


def test_weighted_random_sampler_frequencies_follow_weights():
    w = [0.1, 0.0, 0.4, 0.5]
    out = list(WeightedRandomSampler(w, 10000, generator=gen(0)))
    counts = np.bincount(out, minlength=4)
    assert counts[1] == 0  # zero weight: never drawn
    np.testing.assert_allclose(counts / 10000, [0.1, 0.0, 0.4, 0.5], atol=0.03)


def test_weighted_random_sampler_unnormalised_weights_and_tensor_input():
    out = list(WeightedRandomSampler(ember.tensor([2.0, 6.0]), 4000, generator=gen(1)))
    assert abs(out.count(1) / 4000 - 0.75) < 0.04


def test_weighted_random_sampler_without_replacement():
    s = WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False, generator=gen(0))
    out = list(s)
    assert len(out) == len(s) == 5 and len(set(out)) == 5
    # heavy weights come first more often than light ones over many draws
    firsts = collections.Counter(list(WeightedRandomSampler([10.0, 1.0], 1, replacement=False,
                                                            generator=gen(k)))[0] for k in range(200))
    assert firsts[0] > 150


def test_weighted_random_sampler_reproducible_with_generator():
    w = [1.0, 2.0, 3.0]
    assert list(WeightedRandomSampler(w, 50, generator=gen(9))) == list(WeightedRandomSampler(w, 50, generator=gen(9)))


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(2, 1\)"):
        WeightedRandomSampler([[1.0], [2.0]], 1)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        list(WeightedRandomSampler([1.0, 1.0], 3, replacement=False))


def test_weights_are_float64():
    assert WeightedRandomSampler([1, 2], 1).weights.dtype is ember.float64


def test_sampler_base_iter_not_implemented():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
