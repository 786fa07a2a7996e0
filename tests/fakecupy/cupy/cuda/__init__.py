"""Fake cupy.cuda: `Device` context, `runtime` queries, pinned memory as ordinary host bytes."""

from __future__ import annotations

from . import _state, runtime  # noqa: F401


class Device:
    def __init__(self, device=None):
        self.id = _state.current if device is None else int(device)
        if not 0 <= self.id < _state.COUNT:
            raise runtime.CUDARuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {self.id}")
        self._prev = []

    def __enter__(self):
        self._prev.append(_state.current)
        _state.current = self.id
        return self

    def __exit__(self, *exc):
        _state.current = self._prev.pop()

    def use(self):
        _state.current = self.id

    def synchronize(self):
        pass

    @property
    def compute_capability(self):
        return "80"

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)


class Stream:
    null = None

    def __init__(self, *args, **kwargs):
        pass

    def synchronize(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def get_current_stream():
    return Stream()


class PinnedMemoryPointer(bytearray):
    """Host bytes standing in for page-locked memory (the buffer protocol is what callers use)."""


def alloc_pinned_memory(size):
    return PinnedMemoryPointer(size)


def is_available():
    return True
