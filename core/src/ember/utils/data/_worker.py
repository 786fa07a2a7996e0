"""The DataLoader worker process: seeding, get_worker_info, and the loop that fetches batches for the main
process and sends them back through shared memory."""

from __future__ import annotations

import os
import pickle
import queue
import random
import signal
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from . import _shm
from ._fetch import DatasetKind, create_fetcher

MP_STATUS_CHECK_INTERVAL = 1.0  # seconds between checks that the other side is still alive

_worker_info: WorkerInfo | None = None


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself: id (0..num_workers-1), num_workers, seed, and its copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info() -> WorkerInfo | None:
    """This worker's WorkerInfo inside a DataLoader worker process; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's iterable dataset copy is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Start a new epoch with persistent workers (also the worker's acknowledgement)."""


class KeyErrorMessage(str):
    """A str whose repr is itself, so KeyError shows a multi-line message readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where: str = "in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = exc_info[0].__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def __getstate__(self):
        state = dict(self.__dict__)
        try:
            pickle.dumps(self.exc_type)
        except Exception:  # a class the main process cannot import (local to a function): its name stays in the text
            state["exc_type"] = RuntimeError
        return state

    def reraise(self):
        """Raise the original exception type with torch's text: 'Caught X in DataLoader worker process N.'"""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # the type needs other constructor arguments: keep the text at least
            raise RuntimeError(msg) from None
        raise exception


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """torch's NumPy seed for a worker: SeedSequence-style hashing of (worker_id, base_seed), four 32-bit words,
    so NumPy streams of different workers and epochs are decorrelated even though base seeds differ by 1."""
    init_a, mult_a, init_b, mult_b = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    mix_mult_l, mix_mult_r, xshift, mask32 = 0xCA01F9DD, 0x4973F715, 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_a = init_a

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & mask32
        hash_const_a = (hash_const_a * mult_a) & mask32
        value = (value * hash_const_a) & mask32
        return (value ^ (value >> xshift)) & mask32

    def mix(x, y):
        result = ((mix_mult_l * x) & mask32) - ((mix_mult_r * y) & mask32)
        result &= mask32
        return (result ^ (result >> xshift)) & mask32

    for i in range(4):
        pool[i] = hash_(entropy[i])
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b = init_b
    state = []
    for i_dst in range(4):
        data_val = (pool[i_dst] ^ hash_const_b) & mask32
        hash_const_b = (hash_const_b * mult_b) & mask32
        data_val = (data_val * hash_const_b) & mask32
        state.append((data_val ^ (data_val >> xshift)) & mask32)
    return state


def _limit_threads() -> None:
    """One BLAS/OpenMP thread per worker, as torch's workers set_num_threads(1): N workers times M BLAS
    threads on M cores would only fight over them. threadpoolctl finds the BLAS NumPy actually loaded."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's random, ember's RNG (base_seed + worker_id, as torch) and NumPy's global RNG."""
    from ... import random as ember_random

    seed = base_seed + worker_id
    random.seed(seed)
    if ember_random._cuda_generators:
        # CUDA state copied by fork is unusable in the child: seed the CPU stream only
        ember_random.default_generator.manual_seed(seed)
    else:
        ember_random.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


class _ParentWatchdog:
    """Notices when the main process is gone (this worker was re-parented)."""

    def __init__(self):
        self.parent_pid = os.getppid()

    def is_alive(self) -> bool:
        return os.getppid() == self.parent_pid


def worker_loop(dataset_kind, dataset, index_queue, result_conn, done_event, auto_collation, collate_fn, drop_last,
                base_seed, init_fn, worker_id, num_workers, shm_tag):
    """Fetch (task index, sampler output, freed segment names) from index_queue and send (task index, data) on
    result_conn; None ends it."""
    global _worker_info
    # Ctrl-C reaches the whole process group; the main process shuts the workers down itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_threads()
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    writer = _shm.Writer(f"{shm_tag}{worker_id:x}.") if _shm.AVAILABLE else None
    _shm._writer = writer

    init_exception = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

    def send(message) -> bool:
        try:
            payload = _shm.dumps(message, writer)
        except Exception:
            payload = _shm.dumps((message[0], ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")),
                                 writer)
        try:
            result_conn.send_bytes(payload)
        except OSError:  # the main process closed its end: it is shutting down
            return False
        return True

    iteration_end = False
    watchdog = _ParentWatchdog()
    while watchdog.is_alive():
        try:
            r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
        except queue.Empty:
            continue
        if isinstance(r, ResumeIteration):
            iteration_end = False
            if init_exception is None:
                try:
                    fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            if not send((r, None)):
                break
            continue
        if r is None:
            break
        if done_event.is_set() or iteration_end:
            continue
        idx, index, freed = r
        if writer is not None and freed:
            writer.release(freed)
        if init_exception is not None:
            data, init_exception = init_exception, None
        else:
            try:
                data = fetcher.fetch(index)
            except StopIteration:
                if dataset_kind != DatasetKind.Iterable:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                else:
                    data = IterableDatasetStopIteration(worker_id)
                    iteration_end = True
            except Exception:
                data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        ok = send((idx, data))
        del data, idx, index, r  # drop this process's references to the batch
        if not ok:
            break
    result_conn.close()
    if writer is not None:
        writer.close()
