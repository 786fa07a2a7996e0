"""The two record types of the catalog: a file to fetch, and a dataset / weight file made of such files."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["FileSpec", "Record"]

_HEX = re.compile(r"^[0-9a-f]+$")
KINDS = ("dataset", "weights")


def _check_hex(value: str | None, length: int | None, what: str, owner: str) -> None:
    if value is None:
        return
    if not _HEX.match(value) or (length is not None and len(value) != length):
        raise ValueError(f"{owner}: {what} must be {length or 'some'} lowercase hex digits, got {value!r}")


@dataclass(frozen=True)
class FileSpec:
    """One file: its name on disk, its URLs (first the primary, then mirrors in order) and checksums.

    ``md5`` / ``sha256`` are None only where no published checksum exists; ``hash_prefix`` is the leading
    sha256 digits published in torch.hub-style file names (``resnet18-f37072fd.pth``); ``size`` is in bytes.
    """

    filename: str
    urls: tuple[str, ...]
    md5: str | None = None
    sha256: str | None = None
    hash_prefix: str | None = None
    size: int | None = None

    def __post_init__(self) -> None:
        urls = (self.urls,) if isinstance(self.urls, str) else tuple(self.urls)
        object.__setattr__(self, "urls", urls)
        if not self.filename or os.path.isabs(self.filename) or ".." in re.split(r"[/\\]", self.filename):
            raise ValueError(f"file name must be a plain relative name, got {self.filename!r}")
        if not urls or not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            raise ValueError(f"{self.filename}: urls must be a non-empty sequence of http(s) URLs, got {urls!r}")
        _check_hex(self.md5, 32, "md5", self.filename)
        _check_hex(self.sha256, 64, "sha256", self.filename)
        _check_hex(self.hash_prefix, None, "hash_prefix", self.filename)
        if self.size is not None and (not isinstance(self.size, int) or self.size <= 0):
            raise ValueError(f"{self.filename}: size must be a positive number of bytes, got {self.size!r}")

    @property
    def url(self) -> str:
        """The primary URL."""
        return self.urls[0]

    @property
    def mirrors(self) -> tuple[str, ...]:
        """The fallback URLs, tried in order after the primary."""
        return self.urls[1:]

    def download(self, root: str | os.PathLike, **kwargs) -> str:
        """Download this file into ``root`` (checksummed, resumable, locked) and return its path."""
        from ..download import download_url

        return download_url(
            self.url,
            root,
            self.filename,
            md5=self.md5,
            sha256=self.sha256,
            mirrors=self.mirrors,
            hash_prefix=self.hash_prefix,
            **kwargs,
        )


@dataclass(frozen=True)
class Record:
    """A standard dataset or weight file: what to fetch, and where it comes from (licence, citation, homepage)."""

    name: str
    files: tuple[FileSpec, ...]
    kind: str = "dataset"
    homepage: str | None = None
    licence: str | None = None
    citation: str | None = None
    description: str = ""
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        if not self.name:
            raise ValueError("a catalog record needs a name")
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if not self.files or not all(isinstance(f, FileSpec) for f in self.files):
            raise ValueError(f"{self.name}: files must be a non-empty sequence of FileSpec")
        names = [f.filename for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate file names {names}")

    @property
    def filenames(self) -> tuple[str, ...]:
        """The file names, in order."""
        return tuple(f.filename for f in self.files)

    def file(self, filename: str) -> FileSpec:
        """The FileSpec named ``filename``."""
        for f in self.files:
            if f.filename == filename:
                return f
        raise KeyError(f"{self.name} has no file {filename!r}; files: {', '.join(self.filenames)}")

    def select(self, filenames: Sequence[str] | None) -> tuple[FileSpec, ...]:
        """The FileSpecs named in ``filenames`` (all when None), in record order."""
        if filenames is None:
            return self.files
        wanted = [filenames] if isinstance(filenames, str) else list(filenames)
        chosen = [self.file(n) for n in wanted]
        return tuple(f for f in self.files if f in chosen)
