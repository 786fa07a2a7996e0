"""Safe extraction of .tar(.gz/.bz2/.xz), .zip and single .gz/.bz2/.xz files.

Every member is checked here, not by tarfile's extraction filter (Python 3.10 has none): absolute paths,
``..``, links resolving outside the target, and device files / fifos are refused with an error naming the
member and the archive. Members are written into a staging folder next to the target (in its parent) and
moved into place only when the whole archive extracted cleanly; a marker file
``<target>/.<archive>.extracted`` is written last, so :func:`is_extracted` never mistakes an interrupted
extraction for a complete one.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import json
import lzma
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile

from ._lock import FileLock

__all__ = ["UnsafeArchiveError", "extract_archive", "is_extracted"]

_TAR_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".tbz2", ".txz", ".tar")
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1024 * 1024


class UnsafeArchiveError(RuntimeError):
    """An archive member would land outside the target folder, or is a device file / fifo."""


def _refuse(member: str, archive: str, why: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(f"refusing to extract member {member!r} of archive {archive}: {why}")


def _split(name: str) -> tuple[list[str], str | None]:
    """Path components of an archive name, and the reason it is unsafe (None if safe)."""
    if "\x00" in name:
        return [], "NUL byte in the name"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return [], "absolute path"
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if ".." in parts:
        return [], "path escapes the target ('..')"
    return parts, None


def _inside(path: str, root_real: str) -> bool:
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _copy_stream(src, dst) -> None:
    shutil.copyfileobj(src, dst, _CHUNK)


class _Extractor:
    """Writes checked members into a private staging folder ``root``."""

    def __init__(self, root: str, archive: str) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.archive = archive
        self.symlinks = 0

    def _target(self, member: str, parts: list[str]) -> str:
        """Path for a new member; its parent must resolve inside root; whatever is there is removed."""
        target = os.path.join(self.root, *parts)
        parent = os.path.dirname(target)
        if not _inside(parent, self.root_real):
            raise _refuse(member, self.archive, "its folder resolves outside the target through a symlink")
        os.makedirs(parent, exist_ok=True)
        if os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)
        return target

    def directory(self, member: str, parts: list[str]) -> None:
        target = os.path.join(self.root, *parts)
        if not _inside(target, self.root_real):
            raise _refuse(member, self.archive, "folder resolves outside the target through a symlink")
        if os.path.lexists(target) and not os.path.isdir(target):
            os.unlink(target)
        os.makedirs(target, exist_ok=True)

    def file(self, member: str, parts: list[str], src, mode: int | None, mtime: float | None = None) -> None:
        target = self._target(member, parts)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(target, flags, 0o644), "wb") as dst:
            _copy_stream(src, dst)
        if mode:
            os.chmod(target, (mode & 0o755) | 0o600)  # no setuid/setgid/sticky, no group/other write
        if mtime is not None:
            os.utime(target, (mtime, mtime))

    def symlink(self, member: str, parts: list[str], linkname: str) -> None:
        if not linkname:
            raise _refuse(member, self.archive, "symlink with an empty target")
        if linkname.startswith(("/", "\\")) or _DRIVE.match(linkname):
            raise _refuse(member, self.archive, f"symlink to absolute path {linkname!r}")
        target = self._target(member, parts)
        if not _inside(os.path.join(os.path.dirname(target), linkname), self.root_real):
            raise _refuse(member, self.archive, f"symlink to {linkname!r} points outside the target")
        os.symlink(linkname, target)
        self.symlinks += 1

    def hardlink(self, member: str, parts: list[str], linkname: str) -> None:
        src_parts, problem = _split(linkname)
        if problem:
            raise _refuse(member, self.archive, f"hard link to {linkname!r}: {problem}")
        src = os.path.join(self.root, *src_parts)
        if not _inside(src, self.root_real):
            raise _refuse(member, self.archive, f"hard link to {linkname!r} points outside the target")
        if not os.path.isfile(src):
            raise _refuse(member, self.archive, f"hard link to {linkname!r}, which is not a file extracted before it")
        target = self._target(member, parts)
        try:
            os.link(os.path.realpath(src), target)
        except OSError:
            shutil.copy2(src, target)

    def check_symlinks(self) -> None:
        """Refuse if any symlink in the finished tree resolves outside it (links can be chained)."""
        if not self.symlinks:
            return
        for folder, dirs, files in os.walk(self.root):
            for name in dirs + files:
                path = os.path.join(folder, name)
                if os.path.islink(path) and not _inside(path, self.root_real):
                    rel = os.path.relpath(path, self.root)
                    raise _refuse(rel, self.archive, f"symlink to {os.readlink(path)!r} resolves outside the target")


def _extract_tar(archive: str, staging: str) -> _Extractor:
    out = _Extractor(staging, archive)
    with tarfile.open(archive, "r:*") as tar:
        for m in tar:
            parts, problem = _split(m.name)
            if problem:
                raise _refuse(m.name, archive, problem)
            if not parts:
                continue  # the archive's own root folder "." / "./"
            if m.isdir():
                out.directory(m.name, parts)
            elif m.issym():
                out.symlink(m.name, parts, m.linkname)
            elif m.islnk():
                out.hardlink(m.name, parts, m.linkname)
            elif m.isreg():
                src = tar.extractfile(m)
                with src:
                    out.file(m.name, parts, src, m.mode, m.mtime)
            elif m.ischr() or m.isblk():
                raise _refuse(m.name, archive, "device file")
            elif m.isfifo():
                raise _refuse(m.name, archive, "fifo")
            else:
                raise _refuse(m.name, archive, f"unsupported member type {m.type!r}")
    return out


def _extract_zip(archive: str, staging: str) -> _Extractor:
    out = _Extractor(staging, archive)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts, problem = _split(info.filename)
            if problem:
                raise _refuse(info.filename, archive, problem)
            if not parts:
                continue
            mode = info.external_attr >> 16  # unix st_mode when written on unix; 0 otherwise
            kind = stat.S_IFMT(mode)
            if info.is_dir() or kind == stat.S_IFDIR:
                out.directory(info.filename, parts)
            elif kind == stat.S_IFLNK:
                out.symlink(info.filename, parts, zf.read(info).decode("utf-8", "surrogateescape"))
            elif kind in (0, stat.S_IFREG):
                with zf.open(info) as src:
                    out.file(info.filename, parts, src, stat.S_IMODE(mode))
            elif kind in (stat.S_IFCHR, stat.S_IFBLK):
                raise _refuse(info.filename, archive, "device file")
            elif kind == stat.S_IFIFO:
                raise _refuse(info.filename, archive, "fifo")
            else:
                raise _refuse(info.filename, archive, f"unsupported file type {oct(kind)}")
    return out


def _detect(path: str) -> tuple[str, str]:
    """("tar" | "zip" | "compressed", matched suffix), by name and else by content."""
    lower = os.path.basename(path).lower()
    for suffix in _TAR_SUFFIXES:
        if lower.endswith(suffix):
            return "tar", suffix
    if lower.endswith(".zip"):
        return "zip", ".zip"
    for suffix in _COMPRESSED:
        if lower.endswith(suffix):
            return "compressed", suffix
    if zipfile.is_zipfile(path):
        return "zip", ""
    if tarfile.is_tarfile(path):
        return "tar", ""
    supported = ", ".join((*_TAR_SUFFIXES, ".zip", *_COMPRESSED))
    raise ValueError(f"cannot extract {path}: unknown archive type (supported: {supported})")


def _staging_home(to_path: str) -> str:
    """to_path's parent when writable and on the same filesystem (so renames are atomic), else to_path."""
    parent = os.path.dirname(to_path.rstrip(os.sep)) or to_path
    try:
        if parent != to_path and os.access(parent, os.W_OK) and os.stat(parent).st_dev == os.stat(to_path).st_dev:
            return parent
    except OSError:
        pass
    return to_path


def _move(src: str, dst: str) -> None:
    """os.replace, merging into a folder that appeared meanwhile, copying across filesystems."""
    try:
        os.replace(src, dst)
    except OSError as e:
        if e.errno in (errno.ENOTEMPTY, errno.EEXIST) and os.path.isdir(src) and os.path.isdir(dst):
            _merge(src, dst)
        elif e.errno == errno.EXDEV:
            tmp = f"{dst}.partial-{os.getpid()}"
            if os.path.isdir(src) and not os.path.islink(src):
                shutil.copytree(src, tmp, symlinks=True)
            else:
                shutil.copy2(src, tmp, follow_symlinks=False)
            os.replace(tmp, dst)
        else:
            raise


def _merge(src: str, dst: str) -> None:
    """Move src's entries into dst: files replace files, folders merge into existing folders."""
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        s_is_dir = os.path.isdir(s) and not os.path.islink(s)
        if s_is_dir and os.path.isdir(d):  # d may be the user's own symlink to a folder: merge into it
            _merge(s, d)
            continue
        if os.path.lexists(d):
            if os.path.isdir(d) and not os.path.islink(d):
                shutil.rmtree(d)
            elif s_is_dir:
                os.unlink(d)
        _move(s, d)


def _marker_path(archive: str, to_path: str) -> str:
    return os.path.join(to_path, f".{os.path.basename(archive)}.extracted")


def _write_marker(archive: str, to_path: str, entries: list[str]) -> None:
    marker = _marker_path(archive, to_path)
    record = {"archive": os.path.basename(archive), "size": os.path.getsize(archive), "entries": entries}
    tmp = f"{marker}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(tmp, marker)


def is_extracted(from_path: str | os.PathLike, to_path: str | os.PathLike | None = None) -> bool:
    """True if ``from_path`` was completely extracted into ``to_path`` (its marker and top-level entries exist)."""
    from_path = os.path.abspath(os.path.expanduser(os.fspath(from_path)))
    to_path = os.path.dirname(from_path) if to_path is None else os.path.abspath(os.path.expanduser(to_path))
    try:
        with open(_marker_path(from_path, to_path), encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return False
    if os.path.exists(from_path) and os.path.getsize(from_path) != record.get("size"):
        return False
    return all(os.path.lexists(os.path.join(to_path, e)) for e in record.get("entries", []))


def _try_lock(path: str) -> FileLock | None:
    try:
        return FileLock(path).acquire()
    except OSError:  # e.g. the archive sits in a read-only folder: extract without the lock
        return None


def extract_archive(
    from_path: str | os.PathLike, to_path: str | os.PathLike | None = None, remove_finished: bool = False
) -> str:
    """Safely extract ``from_path`` into ``to_path`` (default: its folder) and return ``to_path``.

    For a single compressed file (.gz/.bz2/.xz, not .tar.*) the decompressed file's path is returned.
    Raises :class:`UnsafeArchiveError` for a member that escapes ``to_path`` or is a device file / fifo;
    then nothing of the archive is written to ``to_path``.
    """
    from_path = os.path.abspath(os.path.expanduser(os.fspath(from_path)))
    to_path = os.path.dirname(from_path) if to_path is None else os.path.abspath(os.path.expanduser(to_path))
    kind, suffix = _detect(from_path)
    os.makedirs(to_path, exist_ok=True)
    archive_name = os.path.basename(from_path)
    prefix = f".{os.path.basename(to_path.rstrip(os.sep)) or 'root'}.{archive_name}.extracting-"
    home = _staging_home(to_path)
    lock = _try_lock(from_path + ".lock")  # the archive's download lock: one extraction of it at a time
    try:
        if lock is not None:  # nobody else is extracting this archive: leftovers are from a killed run
            for name in os.listdir(home):
                if name.startswith(prefix):
                    shutil.rmtree(os.path.join(home, name), ignore_errors=True)
        staging = tempfile.mkdtemp(prefix=prefix, dir=home)
        try:
            if kind == "tar":
                _extract_tar(from_path, staging).check_symlinks()
            elif kind == "zip":
                _extract_zip(from_path, staging).check_symlinks()
            else:
                out_name = archive_name[: -len(suffix)]
                if not out_name:
                    raise ValueError(f"cannot name the file decompressed from {from_path}")
                with _COMPRESSED[suffix](from_path, "rb") as src, open(os.path.join(staging, out_name), "xb") as dst:
                    _copy_stream(src, dst)
            entries = sorted(os.listdir(staging))
            _merge(staging, to_path)
            _write_marker(from_path, to_path, entries)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        if lock is not None:
            lock.release()
    if remove_finished:
        os.remove(from_path)
    return os.path.join(to_path, out_name) if kind == "compressed" else to_path
