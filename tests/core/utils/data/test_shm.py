"""The shared-memory transport in one process: descriptors instead of pickled arrays, zero-copy mapping,
segment recycling, retiring and sweeping."""

import gc
import io
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.utils.data import _shm

pytestmark = pytest.mark.skipif(not _shm.AVAILABLE, reason="no POSIX shared memory")


def live_segments(prefix):
    return sorted(n for n in _shm._names() if n.startswith(prefix))


@pytest.fixture
def pair():
    tag = _shm.new_tag()
    writer = _shm.Writer(tag + "0.")
    reader = _shm.Reader(1)
    yield tag, writer, reader
    writer.close()
    reader.close()
    _shm.sweep(tag)


def test_large_arrays_travel_as_descriptors(pair):
    tag, writer, reader = pair
    big = ember.from_numpy(np.arange(256 * 3 * 32 * 32, dtype=np.uint8).reshape(256, 3, 32, 32))
    payload = _shm.dumps((0, [big, "label"]), writer)
    assert len(payload) < 1024 < big.nbytes  # the 786 kB array is not in the message
    idx, (got, label) = reader.loads(payload, 0)
    assert idx == 0 and label == "label"
    assert isinstance(got, ember.Tensor) and got.dtype is ember.uint8 and got.shape == (256, 3, 32, 32)
    np.testing.assert_array_equal(got.numpy(), big.numpy())


def test_received_tensor_maps_the_segment_without_copying(pair):
    tag, writer, reader = pair
    arr = writer.empty((64, 128), np.float32)  # what collate does inside a worker
    arr[...] = 1.0
    payload = _shm.dumps(ember.from_numpy(arr), writer)
    got = reader.loads(payload, 0)
    arr[0, 0] = 42.0  # the writer's mapping and the reader's tensor are the same memory
    assert got[0, 0].item() == 42.0
    assert got.numpy().flags.writeable


def test_small_arrays_and_objects_are_pickled(pair):
    tag, writer, reader = pair
    payload = _shm.dumps({"y": ember.arange(10), "a": np.ones(3), "s": ["x"]}, writer)
    got = reader.loads(payload, 0)
    assert got["y"].tolist() == list(range(10)) and got["s"] == ["x"]
    assert live_segments(tag) == []


def test_views_offsets_and_numpy_arrays(pair):
    tag, writer, reader = pair
    base = writer.empty((100, 200), np.float64)
    base[...] = np.arange(20000).reshape(100, 200)
    view = base[10:60:2, ::-3]  # a strided, reversed view into the segment
    payload = _shm.dumps([view, ember.from_numpy(base[5])], writer)
    got_view, got_row = reader.loads(payload, 0)
    assert isinstance(got_view, np.ndarray)
    np.testing.assert_array_equal(got_view, view)
    assert got_row.tolist() == base[5].tolist()


def test_requires_grad_tensors_are_pickled_with_their_flag(pair):
    tag, writer, reader = pair
    w = ember.zeros(100, 100, requires_grad=True)
    got = reader.loads(_shm.dumps(w, writer), 0)
    assert got.requires_grad and got.shape == (100, 100)


def test_segments_are_recycled_after_the_batch_is_collected(pair):
    tag, writer, reader = pair
    payload = _shm.dumps(ember.zeros(100, 100), writer)
    first = live_segments(tag)
    assert len(first) == 1
    got = reader.loads(payload, 0)
    assert reader.take_freed(0) == []  # still in use
    del got
    gc.collect()
    freed = reader.take_freed(0)
    assert freed == first
    writer.release(freed)
    reader.loads(_shm.dumps(ember.ones(100, 100), writer), 0)
    assert live_segments(tag) == first  # the same segment, written again


def test_unsent_segments_return_to_the_pool(pair):
    tag, writer, reader = pair
    writer.empty((100, 100), np.float64)  # allocated, then not part of the message
    _shm.dumps("nothing", writer)
    (name,) = live_segments(tag)
    writer.empty((100, 100), np.float64)
    _shm.dumps("nothing", writer)
    assert live_segments(tag) == [name]


def test_trimmed_segments_are_retired_and_dropped_by_the_reader(pair):
    tag, writer, reader = pair
    writer.keep = 1
    payloads = [_shm.dumps(ember.zeros(100, 100 * (i + 1)), writer) for i in range(3)]  # three sizes
    got = [reader.loads(p, 0) for p in payloads]
    names = live_segments(tag)
    assert len(names) == 3 and set(reader._maps) == set(names)
    del got
    gc.collect()
    writer.release(reader.take_freed(0))  # three free, keep one: two are unlinked
    assert len(live_segments(tag)) == 1
    reader.loads(_shm.dumps("tick", writer), 0)  # the next message tells the reader
    assert set(reader._maps) == set(live_segments(tag))


def test_empty_arrays_and_zero_size(pair):
    tag, writer, reader = pair
    got = reader.loads(_shm.dumps([ember.zeros(0, 5), np.zeros((0,))], writer), 0)
    assert got[0].shape == (0, 5) and got[1].shape == (0,)


def test_pickled_transport_without_a_writer():
    reader = _shm.Reader(1)
    assert reader.loads(_shm.dumps([ember.ones(100, 100)], None), 0)[0].sum().item() == 10000


def test_empty_outside_a_worker_is_ordinary_memory():
    assert _shm._writer is None
    a = _shm.empty((100, 100), np.float64)
    assert a.flags.owndata


def test_sweep_and_orphans():
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    orphan = f"{_shm.PREFIX}{dead_pid:x}.0.0.0"
    mine = _shm.new_tag() + "0.0"
    for name in (orphan, mine):
        _shm._create(name, 4096)
    try:
        _shm.sweep_orphans()
        names = _shm._names()
        assert orphan not in names and mine in names  # only segments of processes that are gone
        _shm.sweep(mine[:-3])
        assert mine not in _shm._names()
    finally:
        _shm.unlink(orphan)
        _shm.unlink(mine)


def test_message_layout(pair):
    tag, writer, reader = pair
    f = io.BytesIO(_shm.dumps(ember.zeros(100, 100), writer))
    assert pickle.load(f) == []  # the retired names lead the message
    with pytest.raises(pickle.UnpicklingError, match="persistent"):
        pickle.load(f)  # a plain unpickler cannot resolve the array: it is not in the bytes


def test_segment_names_fit_macos_limit():
    assert len(_shm.new_tag() + "ff.ffff") <= 31
    assert _shm.new_tag().startswith(f"{_shm.PREFIX}{os.getpid():x}.")


def test_free_pool_is_capped_in_bytes(pair):
    tag, writer, reader = pair
    writer.keep_bytes = 100_000
    got = [reader.loads(_shm.dumps(ember.zeros(100, 100), writer), 0) for _ in range(4)]  # 40 kB segments
    del got
    gc.collect()
    writer.release(reader.take_freed(0))
    assert len(live_segments(tag)) == 2  # 2 x 40 kB fit under 100 kB
