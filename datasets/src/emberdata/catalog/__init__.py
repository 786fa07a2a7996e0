"""The catalog: one declarative record per standard dataset and weight file.

Domain packages look files up here instead of keeping URL constants::

    rec = emberdata.catalog.get("mnist")           # Record: files (urls, md5/sha256, size), licence, citation
    paths = emberdata.catalog.fetch("mnist", root)  # downloads every file of the record, returns their paths
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Sequence

from .._cache import get_checkpoints_dir, get_datasets_dir
from ._types import KINDS, FileSpec, Record

__all__ = ["FileSpec", "Record", "default_root", "fetch", "get", "list", "register"]

_RECORDS: dict[str, Record] = {}
_ALIASES: dict[str, str] = {}


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def register(record: Record, overwrite: bool = False) -> Record:
    """Add ``record`` (looked up by its name and aliases, case-insensitive, ``_`` == ``-``) and return it."""
    if not isinstance(record, Record):
        raise TypeError(f"register() takes a catalog.Record, got {type(record).__name__}")
    keys = [_key(record.name), *(_key(a) for a in record.aliases)]
    if not overwrite:
        taken = [k for k in keys if k in _RECORDS or k in _ALIASES]
        if taken:
            raise ValueError(f"catalog already has {', '.join(taken)}; pass overwrite=True to replace")
    _RECORDS[keys[0]] = record
    for alias in keys[1:]:
        _ALIASES[alias] = keys[0]
    return record


def get(name: str) -> Record:
    """The record called ``name`` (or one of its aliases); KeyError lists the known names."""
    key = _key(name)
    key = _ALIASES.get(key, key)
    try:
        return _RECORDS[key]
    except KeyError:
        raise KeyError(f"no catalog record {name!r}; known: {', '.join(list())}") from None


def list(kind: str | None = None) -> builtins.list[str]:  # shadows the builtin on purpose: catalog.list()
    """Sorted names of the records, optionally only those of ``kind`` ("dataset" or "weights")."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, got {kind!r}")
    return sorted(r.name for r in _RECORDS.values() if kind is None or r.kind == kind)


def default_root(record: Record | str) -> str:
    """Where fetch() puts a record's files by default: ``datasets/<name>`` or ``hub/checkpoints``."""
    record = get(record) if isinstance(record, str) else record
    if record.kind == "weights":
        return get_checkpoints_dir()
    return os.path.join(get_datasets_dir(), record.name)


def fetch(
    name: str,
    root: str | os.PathLike | None = None,
    *,
    files: Sequence[str] | None = None,
    extract: bool = False,
    **download_kwargs,
) -> builtins.list[str]:
    """Download the files of record ``name`` (or those named in ``files``) into ``root``; return their paths.

    ``root`` defaults to :func:`default_root`. With ``extract=True`` archives are also extracted into
    ``root``. Other keywords (progress, timeout, max_retries, backoff) go to ``download_url``.
    """
    from ..extract import extract_archive

    record = get(name)
    root = default_root(record) if root is None else os.fspath(root)
    paths = []
    for spec in record.select(files):
        path = spec.download(root, **download_kwargs)
        if extract and _is_archive(path):
            extract_archive(path, root)
        paths.append(path)
    return paths


def _is_archive(path: str) -> bool:
    return path.lower().endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".zip"))


def _load() -> None:
    from . import _audio, _text, _vision, _weights

    for module in (_vision, _audio, _text, _weights):
        for record in module.RECORDS:
            register(record)


_load()
