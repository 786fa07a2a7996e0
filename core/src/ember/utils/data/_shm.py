"""Shared-memory transport for DataLoader batches.

A worker writes each large array of a batch into a POSIX shared-memory segment and pickles only a descriptor
`(kind, name, offset, shape, strides, dtype)` in its place; the main process maps the segment and wraps it as an
ember Tensor (or ndarray) without copying.

Segments are recycled: fresh shared pages cost a page fault and zeroing each (about 1 ms per MB on a VM),
far more than the data loading itself, so each worker keeps a small pool. The main process maps each segment
once and hands out every batch through a new ctypes view of that mapping; when the last array using a view is
collected, a weakref callback queues the segment's name, and the iterator returns it to its worker with the
next task. A worker trims its pool beyond `keep` segments (unlinking them and telling the main process to
drop its mapping in the next message).

Segments are named `edl<main pid>.<iterator>.<worker>.<n>` (hex; within macOS's 31-character limit) so an
iterator's shutdown can sweep all of its segments from /dev/shm (names only: arrays still in use keep their
mapping), and a new iterator can sweep what a killed main process left behind. `_posixshmem` + `mmap` are used
instead of `multiprocessing.shared_memory.SharedMemory` so that no resource-tracker message is sent per batch
and the mapping's lifetime is simply that of the arrays using it. Without POSIX shared memory (Windows)
batches are pickled whole.
"""

from __future__ import annotations

import collections
import ctypes
import io
import itertools
import math
import mmap
import os
import pickle
import weakref

import numpy as np

from ..._tensor import Tensor

try:
    import _posixshmem
except ImportError:  # pragma: no cover - Windows
    _posixshmem = None

AVAILABLE = _posixshmem is not None
MIN_BYTES = 1 << 15  # smaller arrays travel inside the pickle: a segment costs more than copying them
PREFIX = "edl"
_SHM_DIR = "/dev/shm"  # where Linux lists segments; elsewhere sweeping by name is skipped
_PAGE = mmap.PAGESIZE
_serial = itertools.count()

_writer: Writer | None = None  # set in a worker process: collate then stacks straight into shared memory


def new_tag() -> str:
    """A name prefix unique to one iterator of this process."""
    return f"{PREFIX}{os.getpid():x}.{next(_serial):x}."


def _create(name: str, nbytes: int) -> mmap.mmap:
    fd = _posixshmem.shm_open("/" + name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
    try:
        os.ftruncate(fd, nbytes)
        return mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)


def _attach(name: str) -> mmap.mmap:
    fd = _posixshmem.shm_open("/" + name, os.O_RDWR, mode=0o600)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def unlink(name: str) -> None:
    try:
        _posixshmem.shm_unlink("/" + name)
    except FileNotFoundError:
        pass


def _extent(arr: np.ndarray) -> tuple[int, int]:
    """[first byte, one past the last byte) that arr's elements occupy (strides may be negative)."""
    start = arr.__array_interface__["data"][0]
    lo = hi = start
    for n, s in zip(arr.shape, arr.strides):
        if n == 0:
            return start, start
        if s < 0:
            lo += s * (n - 1)
        else:
            hi += s * (n - 1)
    return lo, hi + arr.itemsize


class Writer:
    """A worker's pool of segments: hands out arrays in them and remembers those of the batch being packed."""

    def __init__(self, tag: str, keep: int = 4, keep_bytes: int = 256 << 20):
        self.tag = tag
        self.keep, self.keep_bytes = keep, keep_bytes
        self._count = itertools.count()
        self._blocks: list[tuple[int, int, str]] = []  # this batch: (start address, end address, name)
        self._free: dict[int, list] = {}  # segment size -> [(name, mmap)] ready for reuse
        self._busy: dict[str, tuple[int, mmap.mmap]] = {}  # name -> (size, mmap): written, not yet released
        self._retired: list[str] = []  # unlinked since the last message: the main process drops its mapping

    def empty(self, shape, dtype) -> np.ndarray:
        """An uninitialised array in a pooled (or new) segment."""
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        size = max(-(-nbytes // _PAGE), 1) * _PAGE
        pool = self._free.get(size)
        if pool:
            name, mm = pool.pop()
        else:
            name = f"{self.tag}{next(self._count):x}"
            mm = _create(name, size)
        self._busy[name] = (size, mm)
        arr = np.ndarray(shape, dtype, buffer=mm)
        start = arr.__array_interface__["data"][0]
        self._blocks.append((start, start + nbytes, name))
        return arr

    def locate(self, arr: np.ndarray):
        """(segment name, byte offset of arr's first element) when arr lies in a segment of this batch."""
        if not self._blocks:
            return None
        lo, hi = _extent(arr)
        for start, end, name in self._blocks:
            if start <= lo and hi <= end:
                return name, arr.__array_interface__["data"][0] - start
        return None

    def release(self, names) -> None:
        """The main process is done with these segments: back to the pool, trimmed to `keep` segments and
        `keep_bytes` (in steady state a segment comes back just before it is needed again, so few wait here)."""
        for name in names:
            item = self._busy.pop(name, None)
            if item is not None:
                self._free.setdefault(item[0], []).append((name, item[1]))
        n_free = sum(len(v) for v in self._free.values())
        free_bytes = sum(size * len(v) for size, v in self._free.items())
        while n_free > 1 and (n_free > self.keep or free_bytes > self.keep_bytes):
            size = max(self._free, key=lambda s: s * len(self._free[s]))  # the size class holding the most bytes
            name, _ = self._free[size].pop(0)
            if not self._free[size]:
                del self._free[size]
            unlink(name)
            self._retired.append(name)
            n_free -= 1
            free_bytes -= size

    def finish(self, sent: set) -> list[str]:
        """End of a batch: segments the message does not reference are free again. Returns the retired names."""
        self.release([name for _, _, name in self._blocks if name not in sent])
        self._blocks = []
        retired, self._retired = self._retired, []
        return retired

    def close(self) -> None:
        """Unlink every segment (arrays already mapped elsewhere keep their memory)."""
        for pool in self._free.values():
            for name, _ in pool:
                unlink(name)
        for name in self._busy:
            unlink(name)
        self._free, self._busy = {}, {}


class _Pickler(pickle.Pickler):
    def __init__(self, file, writer: Writer):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer = writer
        self.sent: set = set()

    def persistent_id(self, obj):
        cls = obj.__class__
        if cls is Tensor:
            arr, kind = obj._data, "t"
            if arr.__class__ is not np.ndarray or obj._requires_grad:
                return None
        elif cls is np.ndarray:
            arr, kind = obj, "a"
        else:
            return None
        if arr.dtype.hasobject:
            return None
        where = self.writer.locate(arr)
        if where is None:
            if arr.nbytes < MIN_BYTES:
                return None
            copy = self.writer.empty(arr.shape, arr.dtype)
            copy[...] = arr
            arr = copy
            where = self.writer.locate(arr)
        name, offset = where
        self.sent.add(name)
        return kind, name, offset, arr.shape, arr.strides, arr.dtype


def dumps(obj, writer: Writer | None) -> bytes:
    """Pickle obj, moving its large arrays into shared memory (all of it pickled when writer is None)."""
    if writer is None:
        return pickle.dumps([], protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f = io.BytesIO()
    p = _Pickler(f, writer)
    try:
        p.dump(obj)
    except BaseException:
        writer.finish(set())
        raise
    retired = writer.finish(p.sent)
    # the retired names lead the message, so the reader drops stale mappings before it maps anything new
    return pickle.dumps(retired, protocol=pickle.HIGHEST_PROTOCOL) + f.getbuffer()


class Reader:
    """The main process's side: a mapping per segment (made once), and per worker the names of segments whose
    batches have been collected, to be handed back with that worker's next task."""

    def __init__(self, num_workers: int):
        self._maps: dict[str, mmap.mmap] = {}
        self.freed = [collections.deque() for _ in range(num_workers)]

    def loads(self, payload, worker_id: int):
        """Unpickle a worker's message, mapping its shared-memory arrays."""
        f = io.BytesIO(payload)
        for name in pickle.load(f):
            self._maps.pop(name, None)
        return _Unpickler(f, self, self.freed[worker_id]).load()

    def mapping(self, name: str) -> mmap.mmap:
        mm = self._maps.get(name)
        if mm is None:
            try:
                mm = self._maps[name] = _attach(name)
            except FileNotFoundError:
                raise RuntimeError(f"DataLoader: the shared memory segment {name} of a batch is gone") from None
        return mm

    def take_freed(self, worker_id: int) -> list[str]:
        q = self.freed[worker_id]
        return [q.popleft() for _ in range(len(q))]

    def close(self) -> None:
        self._maps = {}  # arrays in use keep their own references to the mappings


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, reader: Reader, freed: collections.deque):
        super().__init__(file)
        self._reader = reader
        self._freed = freed
        self._views: dict = {}

    def persistent_load(self, pid):
        kind, name, offset, shape, strides, dtype = pid
        view = self._views.get(name)
        if view is None:
            mm = self._reader.mapping(name)
            # a fresh buffer object per batch: its death (no array uses it any more) frees the segment
            view = self._views[name] = (ctypes.c_char * len(mm)).from_buffer(mm)
            weakref.finalize(view, self._freed.append, name).atexit = False
        arr = np.ndarray(shape, dtype, buffer=view, offset=offset, strides=strides)
        return Tensor._make(arr) if kind == "t" else arr


def empty(shape, dtype) -> np.ndarray:
    """An uninitialised array: in shared memory inside a worker when it is large, else ordinary memory."""
    if _writer is not None:
        dtype = np.dtype(dtype)
        if math.prod(shape) * dtype.itemsize >= MIN_BYTES and not dtype.hasobject:
            return _writer.empty(shape, dtype)
    return np.empty(shape, dtype)


def _names():
    try:
        return os.listdir(_SHM_DIR)
    except OSError:
        return []


def sweep(tag: str) -> None:
    """Unlink every segment whose name starts with tag."""
    for name in _names():
        if name.startswith(tag):
            unlink(name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans() -> None:
    """Unlink segments left by DataLoader processes that no longer run (a main process killed mid-epoch)."""
    for name in _names():
        if not name.startswith(PREFIX):
            continue
        try:
            pid = int(name[len(PREFIX):].split(".", 1)[0], 16)
        except ValueError:
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            unlink(name)
