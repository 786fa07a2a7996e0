"""DistributedSampler: torch's index streams without shuffling (fixtures), partition properties with shuffling."""

import json
import pathlib

import pytest

from ember.utils.data import DataLoader, DistributedSampler

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "samplers.json").read_text())


@pytest.mark.parametrize("case", FIXTURE["distributed"],
                         ids=lambda c: f"n{c['n']}-r{c['num_replicas']}-{c['rank']}-{c['drop_last']}")
def test_unshuffled_matches_torch(case):
    s = DistributedSampler(range(case["n"]), num_replicas=case["num_replicas"], rank=case["rank"], shuffle=False,
                           drop_last=case["drop_last"])
    assert list(s) == case["indices"]
    assert len(s) == case["len"]


def shards(n, replicas, **kw):
    return [list(DistributedSampler(range(n), num_replicas=replicas, rank=r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n,replicas", [(12, 3), (10, 4), (5, 7)])
def test_shuffled_shards_cover_the_dataset(n, replicas):
    parts = shards(n, replicas, seed=3)
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n))
    assert len({len(p) for p in parts}) == 1  # every replica gets the same count
    if n % replicas == 0:
        assert sorted(flat) == list(range(n))  # disjoint when it divides evenly
    else:
        assert len(flat) - n == (-n) % replicas  # exactly the padding is repeated


def test_shuffled_drop_last_is_disjoint_and_even():
    parts = shards(11, 3, seed=1, drop_last=True)
    flat = [i for p in parts for i in p]
    assert len(flat) == len(set(flat)) == 9
    assert all(len(p) == 3 for p in parts)


def test_same_seed_and_epoch_give_the_same_order_on_every_replica():
    a = DistributedSampler(range(20), num_replicas=2, rank=0, seed=5)
    b = DistributedSampler(range(20), num_replicas=2, rank=1, seed=5)
    merged = [x for pair in zip(list(a), list(b)) for x in pair]  # rank r holds positions r, r + 2, ...
    assert sorted(merged) == list(range(20))
    assert list(a) == list(DistributedSampler(range(20), num_replicas=2, rank=0, seed=5))


def test_set_epoch_and_seed_change_the_order():
    s = DistributedSampler(range(40), num_replicas=2, rank=0, seed=0)
    e0 = list(s)
    assert list(s) == e0  # the same epoch repeats
    s.set_epoch(1)
    assert s.epoch == 1 and list(s) != e0
    assert list(DistributedSampler(range(40), num_replicas=2, rank=0, seed=1)) != e0
    # seed + epoch is what seeds the shuffle, as in torch
    t = DistributedSampler(range(40), num_replicas=2, rank=0, seed=1)
    s.set_epoch(1)
    assert list(s) == list(t)


def test_invalid_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match=r"Invalid rank -1, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)


def test_without_process_group_needs_explicit_replicas():
    import importlib.util

    if importlib.util.find_spec("ember.distributed") is not None:
        pytest.skip("ember.distributed exists: defaults come from its process group")
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(4))


def test_in_a_dataloader():
    s = DistributedSampler(range(10), num_replicas=2, rank=1, shuffle=False)
    assert [b.tolist() for b in DataLoader(range(10), batch_size=2, sampler=s)] == [[1, 3], [5, 7], [9]]
