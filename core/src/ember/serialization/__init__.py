"""ember.save / ember.load in PyTorch's checkpoint formats, without torch.

`save` writes torch's zip format (so `torch.load(path, weights_only=True)` opens it) atomically:
a temporary file in the target's folder, fsync, rename. `load` reads the zip format, the pre-1.6
stream format and the old tar format through a restricted unpickler (`weights_only=True`, the
default) that rebuilds only tensors, storages, OrderedDict and plain containers.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import uuid

from .._device import device as _device_cls
from .._tensor import Tensor
from ._legacy import load_legacy_stream, load_legacy_tar
from ._pickler import StorageTable, dumps
from ._storage import Storage, StorageType
from ._unpickler import UnpicklingError, unpickler_class
from ._zipformat import AlignedZipWriter, CheckpointError, ZipCheckpoint

DEFAULT_PROTOCOL = 2

__all__ = ["save", "load", "CheckpointError", "UnpicklingError", "DEFAULT_PROTOCOL"]


# ---------------------------------------------------------------------------- save
def _write_checkpoint(obj, fileobj, prefix: str, pickle_protocol: int) -> None:
    storages = StorageTable()
    data_pkl = dumps(obj, storages, pickle_protocol)
    w = AlignedZipWriter(fileobj, prefix)
    try:
        w.write("data.pkl", data_pkl)
        w.write(".format_version", b"1")
        w.write(".storage_alignment", b"64")
        w.write("byteorder", b"little")
        for key, array in storages.records:
            w.write(f"data/{key}", array)
        w.write("version", b"3\n")
        w.write(".data/serialization_id", uuid.uuid4().hex.encode().ljust(40, b"0"))
    finally:
        w.close()


def save(obj, f, pickle_module=None, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Save `obj` (tensors, state_dicts, nested containers) in torch's zip checkpoint format.

    To a path, the write is atomic: an interrupted save never replaces a good checkpoint with a
    truncated one.
    """
    if not _use_new_zipfile_serialization:
        raise ValueError("ember.save writes only the zip checkpoint format (the pre-1.6 format is read, not written)")
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        prefix = os.path.splitext(os.path.basename(path))[0] or "archive"
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _write_checkpoint(obj, out, prefix, pickle_protocol)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        _fsync_dir(folder)
        return
    _write_checkpoint(obj, f, "archive", pickle_protocol)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- load
def _target_device(map_location, location: str, t: Tensor):
    """Where a tensor saved on `location` goes under torch's map_location rules (None: stay as it is)."""
    if map_location is None:
        target = location
    elif isinstance(map_location, (str, _device_cls)):
        target = str(map_location)
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
        target = str(target)
    elif callable(map_location):
        out = map_location(t, location)
        return out if isinstance(out, Tensor) else (location if out is None else out)
    else:
        raise TypeError(f"map_location should be a string, device, dict or callable, got {type(map_location)}")
    return target


def _restore_locations(obj, map_location):
    """Move every loaded tensor to its device (saved location through map_location), keeping shared identity."""
    from .. import cuda

    memo = {}

    def fix(x):
        if isinstance(x, Tensor):
            key = id(x)
            if key in memo:
                return memo[key]
            location = x.__dict__.pop("_saved_location", "cpu")
            target = _target_device(map_location, location, x)
            if isinstance(target, Tensor):
                res = target
            elif target in ("cpu", None) or str(target).startswith("cpu"):
                res = x
            else:
                if str(target).startswith("cuda") and not cuda.is_available():
                    raise RuntimeError(
                        "Attempting to deserialize object on a CUDA device but ember.cuda.is_available() is False. "
                        "If you are running on a CPU-only machine, please use ember.load with "
                        "map_location='cpu' to map your storages to the CPU.")
                moved = x.to(target)
                if x._requires_grad and moved is not x:
                    moved = moved.detach().requires_grad_(True)
                res = moved if type(x) is Tensor else _rewrap_like(x, moved)
            memo[key] = res
            return res
        if isinstance(x, dict):
            for k, v in list(x.items()):
                new = fix(v)
                if new is not v:
                    x[k] = new
            return x
        if isinstance(x, list):
            x[:] = [fix(v) for v in x]
            return x
        if isinstance(x, tuple) and not hasattr(x, "_fields"):
            return tuple(fix(v) for v in x) if type(x) is tuple else type(x)(fix(v) for v in x)
        if isinstance(x, tuple):  # namedtuple
            return type(x)(*(fix(v) for v in x))
        return x

    return fix(obj)


def _rewrap_like(original, moved):
    """Keep the class (e.g. nn.Parameter) of a tensor moved to another device."""
    cls = type(original)
    try:
        return cls(moved, requires_grad=original.requires_grad)
    except TypeError:
        return moved


def _open(f):
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{path}'")
        return open(path, "rb"), path, path, True
    if isinstance(f, (bytes, bytearray)):
        return io.BytesIO(f), None, "<bytes>", True
    name = getattr(f, "name", None)
    return f, name if isinstance(name, str) and os.path.exists(name) else None, name or "<file object>", False


def load(f, map_location=None, pickle_module=None, *, weights_only: bool = True, mmap: bool = False, **kwargs):
    """Load what `save`/`torch.save` wrote. weights_only=True refuses any pickle global beyond tensors and
    plain containers, naming it; mmap=True maps storages from the file instead of reading them."""
    if weights_only is None:
        weights_only = True
    fileobj, path, source, owned = _open(f)
    try:
        head = fileobj.read(4)
        fileobj.seek(0)
        if head[:2] == b"PK":
            return _load_zip(fileobj, path, source, map_location, weights_only, mmap)
        if mmap:
            raise RuntimeError(f"mmap=True needs a zip checkpoint; {source} is in torch's legacy format")
        restore = lambda obj: _restore_locations(obj, map_location)
        if _is_tar(fileobj):
            return load_legacy_tar(fileobj, weights_only, source, restore)
        try:
            return load_legacy_stream(fileobj, weights_only, source, restore)
        except (EOFError, pickle.UnpicklingError, ValueError, struct_error()) as e:
            if isinstance(e, UnpicklingError) and "Weights only" in str(e):
                raise
            raise UnpicklingError(f"{source} is not a torch/ember checkpoint (or it is truncated): {e}") from e
    finally:
        if owned:
            fileobj.close()


def struct_error():
    import struct

    return struct.error


def _is_tar(fileobj) -> bool:
    pos = fileobj.tell()
    fileobj.seek(257)
    magic = fileobj.read(5)
    fileobj.seek(pos)
    return magic == b"ustar"


def _load_zip(fileobj, path, source, map_location, weights_only, mmap):
    ckpt = ZipCheckpoint(fileobj, source)
    if mmap and path is None:
        raise ValueError("mmap=True needs a file path (or a file object with a real .name)")
    storages = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] not in ("storage", b"storage"):
            raise UnpicklingError(f"{source}: unexpected persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType):
            raise UnpicklingError(f"{source}: storage of unknown type {storage_type!r}")
        key = str(key)
        st = storages.get(key)
        if st is None:
            dt = storage_type.dtype.np
            name = f"data/{key}"
            arr = ckpt.map_array(path, name, dt, int(numel)) if mmap else ckpt.read_array(name, dt, int(numel))
            st = storages[key] = Storage(arr, location.decode() if isinstance(location, bytes) else location)
        return st

    try:
        if ckpt.has("byteorder") and ckpt.read("byteorder") not in (b"little",):
            raise CheckpointError(f"{source} was written on a big-endian machine; ember reads little-endian files")
        obj = unpickler_class(weights_only)(io.BytesIO(ckpt.read("data.pkl")), persistent_load, source).load()
    except (EOFError, ValueError) as e:
        raise UnpicklingError(f"{source}: data.pkl is damaged: {e}") from e
    finally:
        if not mmap:
            ckpt.close()
    return _restore_locations(obj, map_location)
