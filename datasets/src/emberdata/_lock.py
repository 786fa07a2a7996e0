"""A small cross-process file lock: ``fcntl.flock`` on ``<file>.lock`` (``msvcrt`` on Windows).

The lock file is left in place after release: deleting it would let a waiter hold a lock on an
unlinked inode while a newcomer locks a fresh file, and both would proceed.
"""

from __future__ import annotations

import os
import time

try:  # POSIX
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None
    import msvcrt as _msvcrt

__all__ = ["FileLock"]


class FileLock:
    """Exclusive lock on ``path`` shared by threads and processes; use as a context manager."""

    def __init__(self, path: str | os.PathLike, timeout: float | None = None, poll_interval: float = 0.05) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        """Whether this object currently holds the lock."""
        return self._fd is not None

    def _try_lock(self, fd: int) -> bool:
        try:
            if _fcntl is not None:
                _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                _msvcrt.locking(fd, _msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def acquire(self) -> FileLock:
        """Block until the lock is held (or raise ``TimeoutError`` after ``timeout`` seconds)."""
        if self._fd is not None:
            raise RuntimeError(f"lock {self.path} is already held by this object")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if _fcntl is not None and self.timeout is None:
                _fcntl.flock(fd, _fcntl.LOCK_EX)  # plain blocking wait, no polling
            else:
                deadline = None if self.timeout is None else time.monotonic() + self.timeout
                while not self._try_lock(fd):
                    if deadline is not None and time.monotonic() >= deadline:
                        raise TimeoutError(f"could not lock {self.path} within {self.timeout} s")
                    time.sleep(self.poll_interval)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (no-op if not held)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if _fcntl is not None:
                _fcntl.flock(fd, _fcntl.LOCK_UN)
            else:  # pragma: no cover - Windows
                os.lseek(fd, 0, os.SEEK_SET)
                _msvcrt.locking(fd, _msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"FileLock({self.path!r}, locked={self.is_locked})"
