"""FileLock: exclusive across threads and processes, released when its holder dies."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

import emberdata


def test_exclusive_between_threads(tmp_path):
    path = tmp_path / "f.lock"
    with emberdata.FileLock(path) as held:
        assert held.is_locked
        with pytest.raises(TimeoutError, match="f.lock"):
            emberdata.FileLock(path, timeout=0.1).acquire()
    lock = emberdata.FileLock(path, timeout=0.1).acquire()
    assert lock.is_locked
    lock.release()
    assert not lock.is_locked


def test_waiter_proceeds_after_release(tmp_path):
    path = tmp_path / "f.lock"
    order = []
    first = emberdata.FileLock(path).acquire()

    def wait():
        with emberdata.FileLock(path):
            order.append("waiter")

    worker = threading.Thread(target=wait)
    worker.start()
    worker.join(0.2)
    assert worker.is_alive()
    order.append("holder")
    first.release()
    worker.join(5)
    assert order == ["holder", "waiter"]


def test_exclusive_across_processes_and_freed_when_holder_dies(tmp_path):
    path = tmp_path / "f.lock"
    code = (
        "import sys, emberdata; lock = emberdata.FileLock(sys.argv[1]).acquire(); "
        "print('locked', flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"locked"
        with pytest.raises(TimeoutError):
            emberdata.FileLock(path, timeout=0.2).acquire()
    finally:
        proc.kill()
        proc.wait(10)
    with emberdata.FileLock(path, timeout=5):  # the kernel dropped the dead holder's lock
        pass


def test_double_acquire_on_one_object_is_an_error(tmp_path):
    lock = emberdata.FileLock(tmp_path / "f.lock").acquire()
    try:
        with pytest.raises(RuntimeError, match="already held"):
            lock.acquire()
    finally:
        lock.release()
