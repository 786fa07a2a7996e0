"""Fake cupy.cuda.runtime."""

from . import _state

memoryTypeHost = 1
memoryTypeDevice = 2


class CUDARuntimeError(RuntimeError):
    pass


def getDeviceCount():
    return _state.COUNT


def getDevice():
    return _state.current


def setDevice(i):
    if not 0 <= int(i) < _state.COUNT:
        raise CUDARuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {i}")
    _state.current = int(i)


def deviceSynchronize():
    pass


def getDeviceProperties(i):
    if not 0 <= int(i) < _state.COUNT:
        raise CUDARuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {i}")
    return {"name": b"Fake CuPy Device (CPU)", "major": 8, "minor": 0, "totalGlobalMem": 1 << 34,
            "multiProcessorCount": 1}


class _Attrs:
    type = memoryTypeHost
    device = -1


def pointerGetAttributes(ptr):
    """Every pointer the fake hands out is host memory: this cannot check page-locking."""
    return _Attrs()
