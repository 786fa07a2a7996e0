"""The safetensors format, read and written without the safetensors package.

A file is: 8 bytes little-endian header length N, N bytes of JSON header
({name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}), then the data.
Every header field is validated before any data is used: offsets must lie inside the file, match
the dtype and shape, and not overlap.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile

import numpy as np

from . import _dtype
from ._tensor import Tensor

_CODES = {
    "F64": _dtype.float64, "F32": _dtype.float32, "F16": _dtype.float16, "BF16": _dtype.bfloat16,
    "I64": _dtype.int64, "I32": _dtype.int32, "I16": _dtype.int16, "I8": _dtype.int8, "U8": _dtype.uint8,
    "BOOL": _dtype.bool_,
}
_NAMES = {v: k for k, v in _CODES.items()}
MAX_HEADER = 100 * 1024 * 1024


class SafetensorError(RuntimeError):
    pass


# ---------------------------------------------------------------------------- writing
def _layout(tensors: dict, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"tensors must be a dict of name -> Tensor, got {type(tensors).__name__}")
    header = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    arrays, offset = [], 0
    # largest alignment first keeps every tensor's data aligned to its itemsize, as safetensors does
    for name in sorted(tensors, key=lambda k: (-tensors[k].element_size(), k)):
        t = tensors[name]
        if not isinstance(t, Tensor):
            raise TypeError(f"tensor {name!r} is a {type(t).__name__}, not a Tensor")
        a = np.ascontiguousarray(t.detach().cpu()._data)
        header[name] = {"dtype": _NAMES[_dtype.from_numpy_dtype(a.dtype)], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        arrays.append(a)
        offset += a.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((-len(raw)) % 8)
    return raw, arrays


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    raw, arrays = _layout(tensors, metadata)
    return struct.pack("<Q", len(raw)) + raw + b"".join(a.reshape(-1).view(np.uint8).tobytes() for a in arrays)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a .safetensors file atomically (temporary file, fsync, rename)."""
    raw, arrays = _layout(tensors, metadata)
    path = os.fspath(filename)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for a in arrays:
                f.write(memoryview(a.reshape(-1).view(np.uint8)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------- reading
def _parse_header(head: bytes, total: int, source: str):
    if len(head) < 8:
        raise SafetensorError(f"{source}: file too small to be safetensors ({len(head)} bytes)")
    (n,) = struct.unpack("<Q", head[:8])
    if n > MAX_HEADER or 8 + n > total:
        raise SafetensorError(f"{source}: header length {n} is past the end of the file ({total} bytes)")
    return n


def _validate(header: dict, data_len: int, source: str):
    entries = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dt = _CODES[info["dtype"]]
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as e:
            raise SafetensorError(f"{source}: bad header entry for tensor {name!r}: {e!r}") from None
        if any(s < 0 for s in shape):
            raise SafetensorError(f"{source}: tensor {name!r} has a negative dimension {list(shape)}")
        if not 0 <= begin <= end <= data_len:
            raise SafetensorError(f"{source}: tensor {name!r} has data offsets [{begin}, {end}] outside the "
                                  f"{data_len} bytes of data")
        if end - begin != math.prod(shape) * dt.itemsize:
            raise SafetensorError(f"{source}: tensor {name!r} of shape {list(shape)} and dtype {info['dtype']} needs "
                                  f"{math.prod(shape) * dt.itemsize} bytes, its offsets span {end - begin}")
        entries.append((begin, end, name, dt, shape))
    entries.sort()
    for (_b0, e0, n0, *_), (b1, _e1, n1, *_) in zip(entries, entries[1:]):
        if b1 < e0:
            raise SafetensorError(f"{source}: tensors {n0!r} and {n1!r} overlap in the data")
    return entries


def _tensors_from(buffer, entries, device):
    from .ops._util import wrap

    out = {}
    for begin, _end, name, dt, shape in sorted(entries, key=lambda e: e[2]):
        a = np.frombuffer(buffer, dtype=dt.np, count=math.prod(shape), offset=begin).reshape(shape)
        t = wrap(a)
        out[name] = t if device in (None, "cpu") else t.to(device)
    return out


def load(data: bytes, device="cpu") -> dict:
    """Tensors from safetensors bytes."""
    n = _parse_header(data, len(data), "<bytes>")
    header = _read_json(data[8:8 + n], "<bytes>")
    body = bytearray(data[8 + n:])
    return _tensors_from(body, _validate(header, len(body), "<bytes>"), device)


def _read_json(raw: bytes, source: str) -> dict:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorError(f"{source}: header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorError(f"{source}: header is not a JSON object")
    return header


def load_file(filename, device="cpu") -> dict:
    """Tensors from a .safetensors file (writable arrays, read straight into place)."""
    path = os.fspath(filename)
    total = os.path.getsize(path)
    with open(path, "rb") as f:
        n = _parse_header(f.read(8), total, path)
        header = _read_json(f.read(n), path)
        entries = _validate(header, total - 8 - n, path)
        body = bytearray(total - 8 - n)
        if f.readinto(body) != len(body):
            raise SafetensorError(f"{path} is truncated")
    return _tensors_from(body, entries, device)


def load_metadata(filename) -> dict | None:
    path = os.fspath(filename)
    with open(path, "rb") as f:
        n = _parse_header(f.read(8), os.path.getsize(path), path)
        return _read_json(f.read(n), path).get("__metadata__")


class safe_open:
    """Lazy per-tensor access over a memory map: `with safe_open(path, framework="pt") as f: f.get_tensor(k)`."""

    def __init__(self, filename, framework: str = "pt", device="cpu"):
        self.path = os.fspath(filename)
        self.device = device
        total = os.path.getsize(self.path)
        with open(self.path, "rb") as f:
            n = _parse_header(f.read(8), total, self.path)
            self.header = _read_json(f.read(n), self.path)
        self._entries = {e[2]: e for e in _validate(self.header, total - 8 - n, self.path)}
        self._map = np.memmap(self.path, dtype=np.uint8, mode="c", offset=8 + n) if total > 8 + n else b""

    def keys(self):
        return sorted(self._entries)

    def metadata(self):
        return self.header.get("__metadata__")

    def get_tensor(self, name: str):
        if name not in self._entries:
            raise KeyError(f"{self.path} has no tensor named {name!r}")
        return _tensors_from(self._map, [self._entries[name]], self.device)[name]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._map = None
