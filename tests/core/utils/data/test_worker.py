"""Worker processes: get_worker_info, seeding like torch, IterableDataset sharding, exception propagation, and a
killed worker reported as an error rather than a hang."""

import json
import os
import pathlib
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
from ember.utils.data._worker import ExceptionWrapper, WorkerInfo, _generate_state

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "samplers.json").read_text())


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class WhoAmI(Dataset):
    """Each sample: index, worker id, worker seed, and one draw from each RNG the worker seeds."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        wid, seed = (-1, -1) if info is None else (info.id, info.seed)
        return {"i": i, "worker": wid, "seed": seed, "py": random.random(), "np": float(np.random.rand()),
                "ember": ember.rand(1).item(), "n": -1 if info is None else info.num_workers}


def collect(loader):
    rows = []
    for b in loader:
        for k in range(len(b["i"])):
            rows.append({key: (v[k].item() if isinstance(v, ember.Tensor) else v[k]) for key, v in b.items()})
    return sorted(rows, key=lambda r: r["i"])


def test_get_worker_info_is_none_in_the_main_process():
    assert get_worker_info() is None
    assert all(r["worker"] == -1 for r in collect(DataLoader(WhoAmI(), batch_size=2)))


@pytest.mark.timeout(60)
def test_worker_info_inside_workers():
    rows = collect(DataLoader(WhoAmI(), batch_size=2, num_workers=2))
    assert {r["worker"] for r in rows} == {0, 1}
    assert all(r["n"] == 2 for r in rows)
    # batches go round-robin: batch k (samples 2k, 2k+1) is worker k % 2's
    assert [r["worker"] for r in rows] == [0, 0, 1, 1, 0, 0, 1, 1]
    seeds = {r["worker"]: r["seed"] for r in rows}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker id


def test_worker_info_is_frozen():
    info = WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    with pytest.raises(AttributeError):
        info.id = 2


@pytest.mark.timeout(60)
def test_per_worker_randomness_differs_and_reproduces_with_the_generator():
    def run(seed):
        g = ember.Generator().manual_seed(seed)
        return collect(DataLoader(WhoAmI(), batch_size=2, num_workers=2, generator=g))

    a, b, c = run(0), run(0), run(1)
    assert a == b  # same generator seed: same worker seeds, same random draws
    assert a != c
    w0 = [r for r in a if r["worker"] == 0]
    w1 = [r for r in a if r["worker"] == 1]
    for key in ("py", "np", "ember"):
        # the k-th draw of worker 0 differs from the k-th draw of worker 1, in every RNG
        assert all(x[key] != y[key] for x, y in zip(w0, w1)), key


@pytest.mark.timeout(60)
def test_base_seed_comes_from_the_default_generator_without_a_generator():
    ember.manual_seed(123)
    a = collect(DataLoader(WhoAmI(), batch_size=4, num_workers=2))
    ember.manual_seed(123)
    b = collect(DataLoader(WhoAmI(), batch_size=4, num_workers=2))
    assert a == b


@pytest.mark.timeout(60)
def test_new_base_seed_every_epoch():
    loader = DataLoader(WhoAmI(), batch_size=4, num_workers=2, generator=ember.Generator().manual_seed(0))
    first, second = collect(loader), collect(loader)
    assert first[0]["seed"] != second[0]["seed"]


@pytest.mark.parametrize("case", FIXTURE["numpy_seed"], ids=lambda c: f"{c['base_seed']}-{c['worker_id']}")
def test_numpy_seed_state_matches_torch(case):
    assert _generate_state(case["base_seed"], case["worker_id"]) == case["state"]


@pytest.mark.timeout(60)
def test_numpy_stream_is_seeded_from_torchs_state():
    class NumpyDraw(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.random.randint(0, 2**31), get_worker_info().seed - get_worker_info().id

    rows = [tuple(int(x) for x in b) for b in DataLoader(NumpyDraw(), batch_size=None, num_workers=2)]
    for worker_id, (draw, base_seed) in enumerate(rows):
        np.random.seed(_generate_state(base_seed, worker_id))
        assert np.random.randint(0, 2**31) == draw


@pytest.mark.timeout(60)
def test_worker_init_fn_runs_in_each_worker_after_seeding():
    class InitSeen(Dataset):
        tag = None

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return get_worker_info().dataset.tag

    def init(worker_id):
        info = get_worker_info()
        assert info.id == worker_id
        info.dataset.tag = f"init{worker_id}:{info.seed - worker_id}"

    out = list(DataLoader(InitSeen(), batch_size=None, num_workers=2, worker_init_fn=init))
    assert out[0].startswith("init0:") and out[1].startswith("init1:")
    assert out[0].split(":")[1] == out[1].split(":")[1]  # one base seed


class Shard(IterableDataset):
    """range(n), each worker reading every num_workers-th item from its id."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


@pytest.mark.timeout(60)
def test_iterable_dataset_with_two_workers_yields_each_item_once():
    out = [int(x) for b in DataLoader(Shard(23), batch_size=4, num_workers=2) for x in b]
    assert sorted(out) == list(range(23))
    out = [int(x) for x in DataLoader(Shard(9), batch_size=None, num_workers=2)]
    assert sorted(out) == list(range(9))


@pytest.mark.timeout(60)
def test_iterable_dataset_drop_last_per_worker():
    batches = list(DataLoader(Shard(10), batch_size=4, num_workers=2, drop_last=True))
    # worker 0 has 0,2,4,6,8 and worker 1 has 1,3,5,7,9: one full batch each
    assert sorted(b.tolist() for b in batches) == [[0, 2, 4, 6], [1, 3, 5, 7]]


@pytest.mark.timeout(60)
def test_unsharded_iterable_dataset_duplicates_like_torch():
    class Plain(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    out = sorted(int(x) for x in DataLoader(Plain(), batch_size=None, num_workers=2))
    assert out == [0, 0, 1, 1, 2, 2]


class FailsAt(Dataset):
    def __init__(self, bad, exc=ValueError):
        self.bad, self.exc = bad, exc

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == self.bad:
            raise self.exc(f"bad index {i}")
        return i


@pytest.mark.timeout(60)
def test_worker_exception_is_reraised_with_worker_id_and_traceback():
    loader = DataLoader(FailsAt(3), batch_size=1, num_workers=2)  # batch 3 goes to worker 1
    it = iter(loader)
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError) as e:
        next(it)
    msg = str(e.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback (most recent call "
                          "last):")
    assert "bad index 3" in msg and "__getitem__" in msg and "raise self.exc" in msg
    assert [int(x) for x in it] == [4, 5]  # the loader goes on after the error, as torch


@pytest.mark.timeout(60)
def test_worker_key_error_keeps_its_message_readable():
    with pytest.raises(KeyError) as e:
        list(DataLoader(FailsAt(0, KeyError), num_workers=1))
    assert "Caught KeyError in DataLoader worker process 0." in str(e.value)
    assert "\n" in str(e.value)  # not repr-escaped


@pytest.mark.timeout(60)
def test_worker_exception_needing_arguments_becomes_runtime_error():
    class Needs(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    class Raises(Range):
        def __getitem__(self, i):
            raise Needs(1, 2)

    with pytest.raises(RuntimeError, match="Caught Needs in DataLoader worker process 0"):
        next(iter(DataLoader(Raises(2), num_workers=1)))


@pytest.mark.timeout(60)
def test_worker_init_fn_exception_is_reported():
    def init(worker_id):
        raise ValueError("init failed")

    with pytest.raises(ValueError, match="(?s)Caught ValueError in DataLoader worker process 0.*init failed"):
        list(DataLoader(Range(4), num_workers=1, worker_init_fn=init))


@pytest.mark.timeout(60)
def test_unpicklable_batch_is_reported():
    class Lambda(Range):
        def __getitem__(self, i):
            return lambda: i

    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(DataLoader(Lambda(2), batch_size=None, num_workers=1))


def test_exception_wrapper_outside_workers():
    try:
        raise IndexError("out")
    except IndexError:
        w = ExceptionWrapper(where="in test")
    with pytest.raises(IndexError, match="(?s)Caught IndexError in test.\nOriginal Traceback.*IndexError: out"):
        w.reraise()


class Slow(Dataset):
    def __init__(self, n, delay):
        self.n, self.delay = n, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_worker_raises_instead_of_hanging(sig):
    it = iter(DataLoader(Slow(200, 0.02), batch_size=2, num_workers=2))
    next(it)
    victim = it._workers.processes[1]
    os.kill(victim.pid, sig)
    t0 = time.monotonic()
    name = signal.strsignal(sig)
    with pytest.raises(RuntimeError, match=rf"DataLoader worker 1 \(pid {victim.pid}\) is killed by signal: {name}"):
        for _ in it:
            pass
    assert time.monotonic() - t0 < 5
    with pytest.raises(RuntimeError, match="is killed by signal"):
        next(it)  # the iterator stays failed
    assert not any(_alive(w.pid) for w in it._workers.processes)  # the survivor was shut down too


@pytest.mark.timeout(60)
def test_killed_worker_detected_within_timeout_while_waiting():
    it = iter(DataLoader(Slow(4, 30), batch_size=1, num_workers=1, timeout=20))
    pid = it._workers.processes[0].pid
    os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=rf"DataLoader worker 0 \(pid {pid}\) is killed by signal: Killed"):
        next(it)
    assert time.monotonic() - t0 < 5


@pytest.mark.timeout(60)
def test_worker_exiting_on_its_own_is_reported():
    class Exits(Range):
        def __getitem__(self, i):
            os._exit(3)

    with pytest.raises(RuntimeError, match=r"DataLoader worker 0 \(pid \d+\) exited unexpectedly with exit code 3"):
        list(DataLoader(Exits(2), num_workers=1))


def test_workers_run_blas_on_one_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    class BlasThreads(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            infos = threadpoolctl.threadpool_info()
            return max((info["num_threads"] for info in infos if info["user_api"] == "blas"), default=1)

    loader = DataLoader(BlasThreads(), batch_size=None, num_workers=1)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # the parent may use two; workers one
        assert [int(n) for n in loader] == [1, 1]
