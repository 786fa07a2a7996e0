"""DataLoader: batches from a dataset through a sampler, loaded in this process or in worker processes.

With num_workers > 0 each worker has its own index queue and result pipe. The main process waits on all result
pipes and all worker sentinels at once, so a worker that dies (a signal, the OOM killer) is reported as soon as
it is gone rather than after a timeout. Batches cross the process boundary through shared memory (`_shm`).
Workers are shut down when the epoch ends (unless persistent), when the iterator is collected, on
KeyboardInterrupt inside `next()`, and at interpreter exit (weakref.finalize runs at exit).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
import time
import warnings
import weakref
from multiprocessing import connection
from typing import Generic, TypeVar

from ... import _dtype
from ..._creation import empty
from . import _collate, _shm
from ._fetch import DatasetKind, create_fetcher
from ._pin_memory import pin_memory as _pin_memory
from ._worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper, IterableDatasetStopIteration, ResumeIteration,
                      worker_loop)
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

T_co = TypeVar("T_co", covariant=True)
SHUTDOWN_GRACE = 2.0  # seconds workers get to exit on their own before they are terminated

_DatasetKind = DatasetKind


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: None forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


def _accelerator_available() -> bool:
    from ... import cuda

    return cuda.is_available()


class DataLoader(Generic[T_co]):
    """Iterate over a dataset in batches, optionally shuffled, with worker processes; torch's arguments and checks."""

    __initialized = False

    def __init__(self, dataset: Dataset[T_co], batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = _collate.default_collate if self._auto_collation else _collate.default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None  # len(dataset) as reported by len(loader), to warn on overrun
        self._iterator = None
        self.check_worker_number_rationality()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context) -> None:
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError("multiprocessing_context option should specify a valid start method in "
                                         f"{valid_start_methods!r}, but got "
                                         f"multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
                if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
                    raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                    f"specifying the start method, but got "
                                    f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val) -> None:
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                           "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == DatasetKind.Iterable:
            # an estimate: the dataset's length in batches, trusting that workers shard without duplicates
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warn when more workers are asked for than this process may run on CPUs."""
        if not self.num_workers:
            return
        cpuset_checked = hasattr(os, "sched_getaffinity")
        try:
            max_num_worker_suggest = len(os.sched_getaffinity(0)) if cpuset_checked else os.cpu_count()
        except OSError:
            max_num_worker_suggest = os.cpu_count()
        if max_num_worker_suggest is None or self.num_workers > max_num_worker_suggest:
            suggested = (f"Our suggested max number of worker in current system is {max_num_worker_suggest}"
                         f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, which is smaller "
                         "than what this DataLoader is going to create."
                         if max_num_worker_suggest is not None else
                         "DataLoader is not able to compute a suggested max number of worker in current system.")
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {suggested} "
                          "Please be aware that excessive worker creation might get DataLoader running slow or even "
                          "freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                          stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn("pin_memory_device is deprecated, the current accelerator will be used as the device,"
                          f"ignore pin_memory_device='{loader.pin_memory_device}'.", stacklevel=3)
        self._pin_memory = bool(loader.pin_memory) and _accelerator_available()
        if loader.pin_memory and not self._pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=3)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # drawn from the loader's generator before the sampler's first draw, as torch, so the sampler order for a
        # given generator seed is the same with and without workers
        self._base_seed = int(empty((), dtype=_dtype.int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._dataset_fetcher = create_fetcher(self._dataset_kind, self._dataset, self._auto_collation,
                                               self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        data = self._dataset_fetcher.fetch(index)  # may raise StopIteration
        if self._pin_memory:
            data = _pin_memory(data)
        return data


class _Workers:
    """One iterator's worker processes and their channels. shutdown() is idempotent and holds no reference to the
    iterator, so weakref.finalize can call it when the iterator is collected or the interpreter exits."""

    def __init__(self, ctx, loader, iterator: _BaseDataLoaderIter):
        self.owner_pid = os.getpid()
        self.tag = _shm.new_tag()
        self.done_event = ctx.Event()
        self.index_queues, self.readers, self.processes = [], [], []
        self.closed = False
        try:
            for i in range(iterator._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()  # never block exit on undelivered indices
                reader, writer = ctx.Pipe(duplex=False)
                w = ctx.Process(target=worker_loop, daemon=True,
                                args=(iterator._dataset_kind, iterator._dataset, index_queue, writer,
                                      self.done_event, iterator._auto_collation, iterator._collate_fn,
                                      iterator._drop_last, iterator._base_seed, loader.worker_init_fn, i,
                                      iterator._num_workers, self.tag))
                w.start()
                writer.close()  # the worker holds the only write end: its death reads as EOF here
                self.index_queues.append(index_queue)
                self.readers.append(reader)
                self.processes.append(w)
        except BaseException:
            self.shutdown()
            raise

    def shutdown(self) -> None:
        # a forked child holds a copy of this object: only the process that started the workers may stop them
        if self.closed or os.getpid() != self.owner_pid:
            return
        self.closed = True
        try:
            self.done_event.set()
            for q in self.index_queues:
                try:
                    q.put(None)
                except Exception:
                    pass
            self._drain_until_exit(time.monotonic() + SHUTDOWN_GRACE)
            for w in self.processes:
                if w.is_alive():
                    w.terminate()
            for w in self.processes:
                w.join(timeout=MP_STATUS_CHECK_INTERVAL)
                if w.is_alive():
                    w.kill()
                    w.join(timeout=MP_STATUS_CHECK_INTERVAL)
        finally:
            for q in self.index_queues:
                q.cancel_join_thread()
                q.close()
            for r in self.readers:
                r.close()
            # segments of batches never received, or of a worker killed while writing one
            _shm.sweep(self.tag)

    def _drain_until_exit(self, deadline: float) -> None:
        """Read and drop results so no worker stays blocked on a full pipe while it is asked to exit."""
        readers = [r for r in self.readers if not r.closed]
        while True:
            alive = [w for w in self.processes if w.is_alive()]
            remaining = deadline - time.monotonic()
            if not alive or remaining <= 0:
                return
            ready = connection.wait(readers + [w.sentinel for w in alive], timeout=remaining)
            for r in ready:
                if r in readers:
                    try:
                        r.recv_bytes()  # dropped: the segments go with the sweep below
                    except (EOFError, OSError):
                        readers.remove(r)


def _death_message(worker_id: int, w) -> str:
    code = w.exitcode
    if code is not None and code < 0:
        try:
            name = signal.strsignal(-code) or f"signal {-code}"
        except ValueError:
            name = f"signal {-code}"
        msg = f"DataLoader worker {worker_id} (pid {w.pid}) is killed by signal: {name}."
        if -code == getattr(signal, "SIGKILL", None):
            msg += " It may have been killed by the OOM killer: check memory use (dmesg) or lower num_workers."
        return msg
    return f"DataLoader worker {worker_id} (pid {w.pid}) exited unexpectedly with exit code {code}."


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Hands out sampler indices to workers round-robin, keeps prefetch_factor tasks per worker in flight, and
    returns results in sampler order (or as they arrive with in_order=False)."""

    _shutdown = True  # until the workers exist

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise ValueError("prefetch_factor must be greater than 0 for multi-process loading")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        _shm.sweep_orphans()
        self._reader = _shm.Reader(self._num_workers)
        self._workers = _Workers(ctx, loader, self)
        self._finalizer = weakref.finalize(self, self._workers.shutdown)
        self._shutdown = False
        self._fatal: str | None = None
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send
        self._rcvd_idx = 0  # index of the next task to return (in order)
        self._task_info: dict = {}  # task index -> (worker_id,) while outstanding, (worker_id, data) when early
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._exiting = [False] * self._num_workers  # told to exit (None sent): its EOF is expected
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: finish what the last epoch left in flight, then restart the fetchers
            for q in self._workers.index_queues:
                q.put(ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, _ = self._get_data()
                if isinstance(return_idx, ResumeIteration):
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # ---------------------------------------------------------------------------- receiving
    def _raise_worker_died(self, worker_id: int):
        w = self._workers.processes[worker_id]
        w.join(timeout=MP_STATUS_CHECK_INTERVAL)  # EOF can come a moment before the exit status
        self._fatal = _death_message(worker_id, w)
        self._shutdown_workers()
        raise RuntimeError(self._fatal)

    def _get_data(self):
        """The next (task index, data) from any worker. Raises at once when a worker dies, and after `timeout`."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        workers = self._workers
        while True:
            watched = [i for i in range(self._num_workers) if not self._exiting[i]]
            readers = [workers.readers[i] for i in watched]
            sentinels = [workers.processes[i].sentinel for i in watched]
            wait_s = MP_STATUS_CHECK_INTERVAL if deadline is None else max(0.0, deadline - time.monotonic())
            ready = connection.wait(readers + sentinels, timeout=wait_s)
            # results first: a worker that sent its result and then died still delivers it
            for i, r in zip(watched, readers):
                if r in ready:
                    try:
                        payload = r.recv_bytes()
                    except (EOFError, OSError):
                        self._raise_worker_died(i)
                    return self._reader.loads(payload, i)
            for i, s in zip(watched, sentinels):
                if s in ready:
                    self._raise_worker_died(i)
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _next_data(self):
        if self._fatal is not None:
            raise RuntimeError(self._fatal)
        try:
            return self._next_task_data()
        except KeyboardInterrupt:
            self._shutdown_workers()
            raise

    def _next_task_data(self):
        while True:
            # skip tasks whose worker stopped (iterable exhausted) without a result
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:  # has data or is still active
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == DatasetKind.Iterable and isinstance(data, IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                # out of order: skip a worker that already holds its share, so a slow one does not pile up work
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        freed = self._reader.take_freed(worker_queue_idx)  # segments of collected batches, back to their worker
        self._workers.index_queues[worker_queue_idx].put((self._send_idx, index, freed))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        if self._pin_memory:
            data = _pin_memory(data)
        return data

    def _mark_worker_as_unavailable(self, worker_id: int) -> None:
        """Tell a worker whose iterable is exhausted to exit; its pipe's EOF is then expected."""
        self._workers.index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False
        self._exiting[worker_id] = True

    def _shutdown_workers(self) -> None:
        if not self._shutdown:
            self._shutdown = True
            self._finalizer()
            self._reader.close()

    def __del__(self):
        self._shutdown_workers()
