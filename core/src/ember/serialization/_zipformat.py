"""torch's zip checkpoint layout: `<name>/data.pkl`, `<name>/data/<key>` raw storages, version records.

Records are stored uncompressed with their data aligned to 64 bytes (as torch writes them), so a
storage can be memory-mapped straight from the file.
"""

from __future__ import annotations

import mmap
import struct
import zipfile
import zlib

import numpy as np

ALIGNMENT = 64
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... name length, extra length (30 bytes)


class CheckpointError(RuntimeError):
    pass


# ---------------------------------------------------------------------------- writing
class AlignedZipWriter:
    """Writes stored (uncompressed) records whose data starts on a 64-byte boundary."""

    def __init__(self, fileobj, prefix: str):
        self.zf = zipfile.ZipFile(fileobj, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self.fp = fileobj
        self.prefix = prefix

    def write(self, name: str, data) -> None:
        full = f"{self.prefix}/{name}"
        if isinstance(data, np.ndarray):
            data = data.reshape(-1).view(np.uint8)  # bytes of any dtype (bfloat16 has no buffer format)
        mv = memoryview(data)
        info = zipfile.ZipInfo(full, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        size = mv.nbytes
        zip64 = size >= zipfile.ZIP64_LIMIT
        # local header: 30 bytes + name + extra (+ 20 bytes of zip64 extra that zipfile adds for big records)
        start = self.zf.start_dir
        base = start + 30 + len(full.encode()) + (20 if zip64 else 0)
        pad = (-(base + 4)) % ALIGNMENT
        info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # 'FB' padding field, as torch
        with self.zf.open(info, mode="w", force_zip64=zip64) as out:
            chunk = 64 << 20
            for i in range(0, size, chunk):
                out.write(mv[i:i + chunk])

    def close(self):
        self.zf.close()


# ---------------------------------------------------------------------------- reading
class ZipCheckpoint:
    """Random access to the records of a torch zip checkpoint, with safety checks on names and sizes."""

    def __init__(self, path_or_file, source: str):
        self.source = source
        try:
            self.zf = zipfile.ZipFile(path_or_file)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise CheckpointError(f"{source} is not a readable zip checkpoint (truncated or corrupt?): {e}") from None
        if not infos:
            raise CheckpointError(f"{source} is an empty zip archive, not a checkpoint")
        for info in infos:
            name = info.filename
            if name.startswith("/") or "\\" in name or any(part == ".." for part in name.split("/")):
                raise CheckpointError(f"{source} has a record whose name escapes the archive: {name!r}")
        pkl = [i.filename for i in infos if i.filename.endswith("/data.pkl") or i.filename == "data.pkl"]
        if not pkl:
            raise CheckpointError(f"{source} has no data.pkl record: not a torch/ember checkpoint")
        self.prefix = pkl[0][: -len("data.pkl")]
        self.infos = {i.filename: i for i in infos}
        self._fp = self.zf.fp
        self._map = None

    def has(self, name: str) -> bool:
        return self.prefix + name in self.infos

    def read(self, name: str) -> bytes:
        info = self._info(name)
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise CheckpointError(f"{self.source}: record {info.filename!r} is damaged: {e}") from None

    def _info(self, name):
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise CheckpointError(f"{self.source} has no record {self.prefix + name!r} (the checkpoint is incomplete)")
        return info

    def data_offset(self, name: str) -> int:
        """Where a stored record's bytes start in the file."""
        info = self._info(name)
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(f"{self.source}: record {info.filename!r} is compressed and can't be mapped")
        fp = self._fp
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise CheckpointError(f"{self.source}: bad local header for record {info.filename!r} (truncated file?)")
        fields = _LOCAL_HEADER.unpack(header)
        return info.header_offset + 30 + fields[-2] + fields[-1]

    def read_array(self, name: str, dtype: np.dtype, numel: int) -> np.ndarray:
        """A writable array holding the record, read straight into its buffer."""
        info = self._info(name)
        nbytes = numel * dtype.itemsize
        if info.file_size < nbytes:
            raise CheckpointError(f"{self.source}: storage record {info.filename!r} holds {info.file_size} bytes, "
                                  f"but {numel} elements of {dtype} need {nbytes}")
        out = np.empty(numel, dtype=dtype)
        if info.compress_type == zipfile.ZIP_STORED:
            fp = self._fp
            fp.seek(self.data_offset(name))
            got = fp.readinto(memoryview(out.view(np.uint8)))
            if got != nbytes:
                raise CheckpointError(f"{self.source}: storage record {info.filename!r} is truncated "
                                      f"({got} of {nbytes} bytes)")
        else:
            raw = self.read(name)
            out.view(np.uint8)[:] = np.frombuffer(raw, dtype=np.uint8, count=nbytes)
        return out

    def map_array(self, path: str, name: str, dtype: np.dtype, numel: int) -> np.ndarray:
        """A view of a stored record in one copy-on-write map of the whole file (mmap=True)."""
        info = self._info(name)
        nbytes = numel * dtype.itemsize
        offset = self.data_offset(name)
        if self._map is None:
            with open(path, "rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)  # private: writes never reach the file
        if info.file_size < nbytes or offset + nbytes > len(self._map):
            raise CheckpointError(f"{self.source}: storage record {info.filename!r} is truncated")
        if numel == 0:
            return np.empty(0, dtype=dtype)
        return np.frombuffer(self._map, dtype=dtype, count=numel, offset=offset)

    def close(self):
        self.zf.close()
