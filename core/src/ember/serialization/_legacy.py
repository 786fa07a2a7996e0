"""torch's formats before the zip checkpoint: the pre-1.6 pickle stream and the older tar archive."""

from __future__ import annotations

import io
import struct
import tarfile

import numpy as np

from ._storage import Storage, StorageType
from ._unpickler import UnpicklingError, unpickler_class

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def _load_plain(f, source):
    """A pickle of python data only (no persistent ids), through the restricted unpickler."""
    def no_pid(pid):
        raise UnpicklingError(f"{source}: unexpected persistent id {pid!r} in a metadata record")

    return unpickler_class(True)(f, no_pid, source).load()


def _read_exact(f, n, source, what):
    data = f.read(n)
    if len(data) != n:
        raise UnpicklingError(f"{source} is truncated (while reading {what})")
    return data


def load_legacy_stream(f, weights_only: bool, source: str, restore):
    """Pre-1.6 format: magic, protocol, sys_info, the object pickle, storage keys, then raw storages."""
    if _load_plain(f, source) != MAGIC_NUMBER:
        raise UnpicklingError(f"{source}: invalid magic number; corrupt file?")
    if _load_plain(f, source) != PROTOCOL_VERSION:
        raise UnpicklingError(f"{source}: invalid protocol version")
    _load_plain(f, source)  # sys_info

    storages = {}  # root key -> Storage (data filled in after the object pickle)
    views = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or not pid:
            raise UnpicklingError(f"{source}: bad persistent id {pid!r}")
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind == "module":
            raise UnpicklingError(f"{source} pickles a whole nn.Module (class {pid[1]!r}); ember loads state_dicts. "
                                  "Save model.state_dict() instead.")
        if kind != "storage":
            raise UnpicklingError(f"{source}: unknown persistent id type {kind!r}")
        storage_type, root_key, location, numel, view_metadata = pid[1:]
        if not isinstance(storage_type, StorageType):
            raise UnpicklingError(f"{source}: storage of unknown type {storage_type!r}")
        location = location.decode("ascii") if isinstance(location, bytes) else location
        root = storages.get(root_key)
        if root is None:
            root = storages[root_key] = Storage(np.empty(int(numel), dtype=storage_type.dtype.np), location)
        if view_metadata is not None:
            view_key, offset, size = view_metadata
            if view_key not in views:
                offset, size = int(offset), int(size)
                if offset < 0 or offset + size > root.array.size:
                    raise UnpicklingError(f"{source}: storage view {view_key!r} lies outside its storage")
                # a slice shares the root's buffer, which is filled after the object pickle
                views[view_key] = Storage(root.array[offset:offset + size], location)
            return views[view_key]
        return root

    obj = unpickler_class(weights_only)(f, persistent_load, source).load()
    keys = _load_plain(f, source)
    for key in keys:
        st = storages.get(key)
        if st is None:
            raise UnpicklingError(f"{source}: storage key {key!r} was not referenced by the data")
        (numel,) = struct.unpack("<q", _read_exact(f, 8, source, f"storage {key}"))
        if numel != st.array.size:
            raise UnpicklingError(f"{source}: storage {key} holds {numel} elements, expected {st.array.size}")
        buf = st.array.view(np.uint8)
        if f.readinto(memoryview(buf)) != buf.size:
            raise UnpicklingError(f"{source} is truncated (in storage {key})")
    return restore(obj)


def _as_int(x):
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def load_legacy_tar(f, weights_only: bool, source: str, restore):
    """The oldest format: a tar with 'storages', 'tensors' and 'pickle' members."""
    with tarfile.open(fileobj=f, mode="r:") as tar:
        def member(name):
            m = tar.extractfile(name)
            if m is None:
                raise UnpicklingError(f"{source}: tar checkpoint has no {name!r} member")
            return io.BytesIO(m.read())

        objects = {}
        sf = member("storages")
        for _ in range(_load_plain(sf, source)):
            key, location, storage_type = _load_plain(sf, source)
            if not isinstance(storage_type, StorageType):
                raise UnpicklingError(f"{source}: storage of unknown type {storage_type!r}")
            (numel,) = struct.unpack("<q", _read_exact(sf, 8, source, f"storage {key}"))
            dt = storage_type.dtype.np
            raw = _read_exact(sf, numel * dt.itemsize, source, f"storage {key}")
            objects[key] = Storage(np.frombuffer(raw, dtype=dt).copy(), location)
        for target, root, offset, numel in _load_plain(sf, source):
            r = objects[root]
            objects[target] = Storage(r.array[offset:offset + numel], r.location)

        from ._unpickler import rebuild_tensor

        tf = member("tensors")
        for _ in range(_load_plain(tf, source)):
            key, storage_id, _orig_type = _load_plain(tf, source)
            (ndim,) = struct.unpack("<i", _read_exact(tf, 4, source, "tensor header"))
            _read_exact(tf, 4, source, "tensor header")
            size = struct.unpack(f"<{ndim}q", _read_exact(tf, 8 * ndim, source, "tensor sizes"))
            stride = struct.unpack(f"<{ndim}q", _read_exact(tf, 8 * ndim, source, "tensor strides"))
            (offset,) = struct.unpack("<q", _read_exact(tf, 8, source, "tensor offset"))
            objects[key] = rebuild_tensor(objects[storage_id], offset, size, stride)

        def persistent_load(pid):
            if isinstance(pid, tuple):
                raise UnpicklingError(f"{source} pickles a whole nn.Module; ember loads state_dicts")
            for key in (pid, _as_int(pid)):
                if key in objects:
                    return objects[key]
            raise UnpicklingError(f"{source}: unknown object id {pid!r}")

        obj = unpickler_class(weights_only)(member("pickle"), persistent_load, source).load()
    return restore(obj)
