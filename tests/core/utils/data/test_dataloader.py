"""DataLoader: torch's argument checks, batching, samplers, and the multi-process iterator's life cycle
(shutdown when dropped, on KeyboardInterrupt and at exit; persistent workers; prefetching; order; timeout)."""

import gc
import json
import multiprocessing
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler,
                              TensorDataset, _shm, get_worker_info)

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "samplers.json").read_text())


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Slow(Range):
    def __init__(self, n, delay, slow_index=None):
        super().__init__(n)
        self.delay, self.slow_index = delay, slow_index

    def __getitem__(self, i):
        if self.slow_index is None or i == self.slow_index:
            time.sleep(self.delay)
        return i


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def my_segments():
    prefix = f"{_shm.PREFIX}{os.getpid():x}."
    return [n for n in _shm._names() if n.startswith(prefix)]


def values(loader):
    return [b.tolist() for b in loader]


# ---------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("kwargs,err,msg", [
    (dict(num_workers=-1), ValueError, "num_workers option should be non-negative; use num_workers=0 to disable "
                                       "multiprocessing."),
    (dict(timeout=-1), ValueError, "timeout option should be non-negative"),
    (dict(prefetch_factor=2), ValueError, "prefetch_factor option could only be specified in multiprocessing.let "
                                          "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                                          "to None."),
    (dict(num_workers=1, prefetch_factor=-1), ValueError, "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), ValueError, "persistent_workers option needs num_workers > 0"),
    (dict(sampler=[0, 1], shuffle=True), ValueError, "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), ValueError, "batch_sampler option is mutually exclusive with "
                                                          "batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], shuffle=True), ValueError, "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), ValueError, "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), ValueError, "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), ValueError, "batch_size=None option disables auto-batching and is "
                                                        "mutually exclusive with drop_last"),
    (dict(multiprocessing_context="fork"), ValueError, "multiprocessing_context can only be used with multi-process "
                                                       "loading \\(num_workers > 0\\), but got num_workers=0"),
    (dict(num_workers=1, multiprocessing_context="nope"), ValueError, "multiprocessing_context option should "
                                                                      "specify a valid start method in"),
    (dict(num_workers=1, multiprocessing_context=3), TypeError, "multiprocessing_context option should be a valid "
                                                                "context object or a string specifying the start "
                                                                "method, but got multiprocessing_context=3"),
])
def test_argument_checks(kwargs, err, msg):
    with pytest.raises(err, match=msg.replace("(", "\\(").replace(")", "\\)") if "\\" not in msg else msg):
        DataLoader(Range(4), **kwargs)


@pytest.mark.parametrize("kwargs,msg", [
    (dict(shuffle=True), "DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                         "shuffle=True"),
    (dict(sampler=[0]), "DataLoader with IterableDataset: expected unspecified sampler option, but got "
                        "sampler=\\[0\\]"),
    (dict(batch_sampler=[[0]]), "DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                "got batch_sampler=\\[\\[0\\]\\]"),
])
def test_iterable_dataset_argument_checks(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        DataLoader(Stream(3), **kwargs)


def test_attributes_are_frozen_after_init():
    loader = DataLoader(Range(4), batch_size=2)
    for attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.num_workers = 0  # others may change, as in torch


def test_defaults_and_attributes():
    loader = DataLoader(Range(5))
    assert loader.batch_size == 1 and loader.num_workers == 0 and loader.prefetch_factor is None
    assert isinstance(loader.sampler, SequentialSampler) and isinstance(loader.batch_sampler, BatchSampler)
    assert DataLoader(Range(5), num_workers=1).prefetch_factor == 2
    assert isinstance(DataLoader(Range(5), shuffle=True).sampler, RandomSampler)
    ctx = DataLoader(Range(5), num_workers=1, multiprocessing_context="spawn").multiprocessing_context
    assert isinstance(ctx, multiprocessing.context.BaseContext) and ctx.get_start_method() == "spawn"


def test_too_many_workers_warns():
    n = len(os.sched_getaffinity(0)) + 1
    with pytest.warns(UserWarning, match=f"This DataLoader will create {n} worker processes in total"):
        DataLoader(Range(4), num_workers=n)


# ---------------------------------------------------------------------------- single process
@pytest.mark.parametrize("case", FIXTURE["loader"], ids=lambda c: f"bs{c['batch_size']}-{c['drop_last']}")
def test_batches_match_torch(case):
    ds = TensorDataset(ember.arange(10) * 10, ember.arange(10).double() / 4)
    got = [[a.tolist(), b.tolist(), str(a.dtype).replace("ember", "torch"), str(b.dtype).replace("ember", "torch")]
           for a, b in DataLoader(ds, batch_size=case["batch_size"], drop_last=case["drop_last"])]
    assert got == case["batches"]


def test_len():
    assert len(DataLoader(Range(10), batch_size=3)) == 4
    assert len(DataLoader(Range(10), batch_size=3, drop_last=True)) == 3
    assert len(DataLoader(Range(10), batch_size=None)) == 10
    assert len(DataLoader(Range(10), batch_sampler=[[0, 1], [2]])) == 2
    assert len(DataLoader(Stream(10), batch_size=4)) == 3
    assert len(DataLoader(Stream(10), batch_size=4, drop_last=True)) == 2


def test_batch_size_none_converts_samples():
    class Arrays(Range):
        def __getitem__(self, i):
            return np.full(2, i)

    out = list(DataLoader(Arrays(3), batch_size=None))
    assert all(isinstance(x, ember.Tensor) for x in out) and out[2].tolist() == [2, 2]


def test_custom_sampler_batch_sampler_and_collate_fn():
    assert values(DataLoader(Range(6), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])) == [[5, 4], [3, 2], [1, 0]]
    assert values(DataLoader(Range(6), batch_sampler=[[0, 5], [2]])) == [[0, 5], [2]]
    assert list(DataLoader(Range(4), batch_size=2, collate_fn=sum)) == [1, 5]


def test_shuffle_with_generator_reproduces():
    a = values(DataLoader(Range(20), batch_size=5, shuffle=True, generator=ember.Generator().manual_seed(0)))
    b = values(DataLoader(Range(20), batch_size=5, shuffle=True, generator=ember.Generator().manual_seed(0)))
    assert a == b and sorted(x for batch in a for x in batch) == list(range(20)) and a != values(
        DataLoader(Range(20), batch_size=5))


def test_iterable_dataset_in_process_and_len_overrun_warning():
    assert values(DataLoader(Stream(5), batch_size=2)) == [[0, 1], [2, 3], [4]]

    class Liar(Stream):
        def __len__(self):
            return 2

    loader = DataLoader(Liar(4), batch_size=None)
    assert len(loader) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(loader)
    msgs = [str(w.message) for w in caught]
    assert len(msgs) == 2 and "was reported to be 2(when accessing len(dataloader)), but 3 samples have been " \
                              "fetched" in msgs[0]


# ---------------------------------------------------------------------------- worker processes
@pytest.mark.timeout(60)
def test_same_batches_for_the_same_generator_seed_with_0_and_2_workers():
    ds = TensorDataset(ember.arange(100).reshape(50, 2), ember.arange(50).double())

    def run(workers):
        g = ember.Generator().manual_seed(7)
        return [(a.tolist(), b.tolist()) for a, b in DataLoader(ds, batch_size=8, shuffle=True, generator=g,
                                                                 num_workers=workers)]

    zero, two = run(0), run(2)
    assert zero == two
    assert sorted(x for a, _ in zero for row in a for x in row) == list(range(100))


@pytest.mark.timeout(60)
def test_workers_give_the_same_data_as_the_main_process():
    ds = TensorDataset(ember.from_numpy(np.random.default_rng(0).standard_normal((300, 3, 8, 8)).astype(np.float32)),
                       ember.arange(300))
    ref = [(a.numpy().copy(), b.tolist()) for a, b in DataLoader(ds, batch_size=64)]
    got = [(a.numpy().copy(), b.tolist()) for a, b in DataLoader(ds, batch_size=64, num_workers=2)]
    assert len(ref) == len(got) == 5
    for (ra, rb), (ga, gb) in zip(ref, got):
        np.testing.assert_array_equal(ra, ga)
        assert rb == gb


@pytest.mark.timeout(60)
def test_batches_from_workers_are_shared_memory_and_independent():
    ds = TensorDataset(ember.zeros(64, 32, 32))
    batches = [b for (b,) in DataLoader(ds, batch_size=16, num_workers=2)]
    assert all(b.shape == (16, 32, 32) for b in batches)
    assert type(batches[0].numpy().base).__name__.startswith("c_char_Array")  # a view of the mapped segment
    for k, b in enumerate(batches):
        b.add_(k)  # writable, and no two batches share memory
    assert [b.mean().item() for b in batches] == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.timeout(60)
def test_mixed_batch_contents_cross_the_process_boundary():
    class Mixed(Range):
        def __getitem__(self, i):
            return {"img": np.full((40, 40), i, np.float64), "name": f"s{i}", "pt": (i, 0.5)}

    def keep_arrays(batch):
        return {"imgs": np.stack([b["img"] for b in batch]), "names": [b["name"] for b in batch]}

    out = list(DataLoader(Mixed(6), batch_size=3, num_workers=2))
    assert out[1]["name"] == ["s3", "s4", "s5"] and out[1]["img"].shape == (3, 40, 40)
    assert out[0]["pt"][0].tolist() == [0, 1, 2] and out[0]["pt"][1].dtype is ember.float64
    raw = list(DataLoader(Mixed(6), batch_size=3, num_workers=2, collate_fn=keep_arrays))
    assert isinstance(raw[1]["imgs"], np.ndarray) and raw[1]["imgs"][:, 0, 0].tolist() == [3, 4, 5]


@pytest.mark.timeout(60)
def test_no_shared_memory_left_after_iteration():
    ds = TensorDataset(ember.zeros(200, 3, 16, 16))
    for _ in DataLoader(ds, batch_size=32, num_workers=2):
        pass
    held = next(iter(DataLoader(ds, batch_size=32, num_workers=2)))  # dropped iterator, batch still held
    gc.collect()
    assert my_segments() == []
    assert held[0].shape == (32, 3, 16, 16) and held[0].sum().item() == 0  # the held batch stays valid


@pytest.mark.timeout(60)
def test_dropped_iterator_leaves_no_live_worker():
    it = iter(DataLoader(Slow(100, 0.01), batch_size=2, num_workers=2))
    next(it)
    pids = [w.pid for w in it._workers.processes]
    assert all(alive(p) for p in pids)
    del it
    gc.collect()
    assert not any(alive(p) for p in pids)
    assert not any(c.pid in pids for c in multiprocessing.active_children())
    assert my_segments() == []


@pytest.mark.timeout(60)
def test_a_forked_child_dropping_its_copy_leaves_the_parents_workers_alone():
    it = iter(DataLoader(Range(10), batch_size=2, num_workers=2))
    assert next(it).tolist() == [0, 1]
    pid = os.fork()
    if pid == 0:  # the child drops its copy of the iterator, as a worker of another loader might
        try:
            del it
            gc.collect()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert values(it) == [[2, 3], [4, 5], [6, 7], [8, 9]]


@pytest.mark.timeout(60)
def test_workers_exit_at_the_end_of_an_epoch():
    it = iter(DataLoader(Range(6), batch_size=2, num_workers=2))
    pids = [w.pid for w in it._workers.processes]
    assert values(it) == [[0, 1], [2, 3], [4, 5]]
    assert not any(alive(p) for p in pids)


@pytest.mark.timeout(60)
def test_keyboard_interrupt_shuts_workers_down():
    it = iter(DataLoader(Slow(10, 0.6), batch_size=1, num_workers=2))
    pids = [w.pid for w in it._workers.processes]
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            next(it)
    finally:
        timer.cancel()
    assert not any(alive(p) for p in pids)


EXIT_SCRIPT = textwrap.dedent("""
    import os, sys, time
    import ember
    from ember.utils.data import DataLoader, Dataset

    class Slow(Dataset):
        def __len__(self):
            return 1000

        def __getitem__(self, i):
            time.sleep(0.01)
            return ember.zeros(64, 64)

    loaders = [DataLoader(Slow(), batch_size=4, num_workers=2, persistent_workers=p) for p in (False, True)]
    iters = [iter(l) for l in loaders]
    batches = [next(i) for i in iters]
    print(os.getpid(), " ".join(str(w.pid) for i in iters for w in i._workers.processes), flush=True)
    {exit}
""")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["pass", "raise SystemExit(3)"])
def test_interpreter_exit_stops_workers_and_frees_shared_memory(how):
    proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT.format(exit=how)], capture_output=True, text=True,
                          timeout=50)
    assert proc.returncode in (0, 3), proc.stderr
    main_pid, *pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) == 4
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert [n for n in _shm._names() if n.startswith(f"{_shm.PREFIX}{main_pid:x}.")] == []


@pytest.mark.timeout(60)
def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(Range(10), batch_size=3, num_workers=2, persistent_workers=True)
    first = values(loader)
    it = loader._iterator
    pids = [w.pid for w in it._workers.processes]
    assert all(alive(p) for p in pids)
    second = values(loader)
    assert loader._iterator is it and [w.pid for w in it._workers.processes] == pids
    assert first == second == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    # an epoch left half-way: the next one starts from the beginning with the same workers
    partial = iter(loader)
    next(partial)
    assert values(loader) == first
    del loader, it, partial
    gc.collect()
    assert not any(alive(p) for p in pids)


@pytest.mark.timeout(60)
def test_persistent_workers_with_an_iterable_dataset():
    loader = DataLoader(Stream(7), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(3):
        assert sorted(x for b in values(loader) for x in b) == list(range(7))


@pytest.mark.timeout(60)
def test_prefetch_factor_bounds_the_work_in_flight():
    counter = multiprocessing.get_context().Value("i", 0)

    class Counting(Range):
        def __getitem__(self, i):
            with counter.get_lock():
                counter.value += 1
            return i

    it = iter(DataLoader(Counting(100), batch_size=1, num_workers=2, prefetch_factor=3))
    next(it)
    time.sleep(0.3)
    # one batch consumed, so at most 2 workers x 3 in flight + the one taken
    assert counter.value == 7
    del it


@pytest.mark.timeout(60)
def test_in_order_false_yields_batches_as_they_arrive():
    ds = Slow(8, 0.5, slow_index=0)
    assert values(DataLoader(ds, batch_size=1, num_workers=2))[0] == [0]
    out = values(DataLoader(ds, batch_size=1, num_workers=2, in_order=False))
    assert out[0] != [0] and sorted(x for b in out for x in b) == list(range(8))


@pytest.mark.timeout(60)
def test_timeout_raises_torchs_error():
    it = iter(DataLoader(Slow(4, 3.0), batch_size=1, num_workers=1, timeout=0.3))
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(it)  # the item takes 3 s: only the timeout can end this wait
    for _ in range(200):  # the iterator stays usable, as in torch: the batch arrives later
        try:
            batch = next(it)
            break
        except RuntimeError as e:
            assert "timed out" in str(e)
    assert batch.tolist() == [0]


@pytest.mark.timeout(90)
def test_spawn_context():
    ds = TensorDataset(ember.arange(8), ember.arange(8) * 2)
    out = [(a.tolist(), b.tolist()) for a, b in DataLoader(ds, batch_size=4, num_workers=1,
                                                            multiprocessing_context="spawn")]
    assert out == [([0, 1, 2, 3], [0, 2, 4, 6]), ([4, 5, 6, 7], [8, 10, 12, 14])]


def test_iterator_cannot_be_pickled():
    import pickle

    with pytest.raises(NotImplementedError, match="cannot be pickled"):
        pickle.dumps(iter(DataLoader(Range(2))))


def test_import_paths():
    import ember.utils.data as data

    assert ember.utils.data is data and data.DataLoader is DataLoader
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from ember.utils.data import get_worker_info as gwi  # noqa: F401
