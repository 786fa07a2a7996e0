"""Streaming checksums (md5, sha256) and integrity checks for downloaded files."""

from __future__ import annotations

import hashlib
import os

__all__ = ["calculate_md5", "calculate_sha256", "check_md5", "check_sha256", "check_integrity"]

_CHUNK = 1024 * 1024

PathLike = str | os.PathLike


def _new(algorithm: str):  # -> hashlib hash object
    # md5 is an integrity check here, not a security one; say so for FIPS-mode interpreters.
    return hashlib.new(algorithm, usedforsecurity=False)


def _hash_file(fpath: PathLike, algorithms: tuple[str, ...], chunk_size: int = _CHUNK) -> dict[str, str]:
    """Hex digests of ``fpath`` for each algorithm, reading the file once in chunks."""
    hashers = {name: _new(name) for name in algorithms}
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            for h in hashers.values():
                h.update(chunk)
    return {name: h.hexdigest() for name, h in hashers.items()}


def calculate_md5(fpath: PathLike, chunk_size: int = _CHUNK) -> str:
    """Hex md5 of a file, streamed in ``chunk_size`` pieces."""
    return _hash_file(fpath, ("md5",), chunk_size)["md5"]


def calculate_sha256(fpath: PathLike, chunk_size: int = _CHUNK) -> str:
    """Hex sha256 of a file, streamed in ``chunk_size`` pieces."""
    return _hash_file(fpath, ("sha256",), chunk_size)["sha256"]


def check_md5(fpath: PathLike, md5: str, chunk_size: int = _CHUNK) -> bool:
    """True if the file's md5 equals ``md5`` (case-insensitive)."""
    return calculate_md5(fpath, chunk_size) == md5.lower()


def check_sha256(fpath: PathLike, sha256: str, chunk_size: int = _CHUNK) -> bool:
    """True if the file's sha256 equals ``sha256`` (case-insensitive)."""
    return calculate_sha256(fpath, chunk_size) == sha256.lower()


def checksum_mismatches(
    fpath: PathLike, md5: str | None = None, sha256: str | None = None, hash_prefix: str | None = None
) -> list[str]:
    """Each failed check as ``"md5: expected X, got Y"``; empty when all given checksums match."""
    wanted = []
    if md5:
        wanted.append("md5")
    if sha256 or hash_prefix:
        wanted.append("sha256")
    if not wanted:
        return []
    got = _hash_file(fpath, tuple(wanted))
    problems = []
    if md5 and got["md5"] != md5.lower():
        problems.append(f"md5: expected {md5.lower()}, got {got['md5']}")
    if sha256 and got["sha256"] != sha256.lower():
        problems.append(f"sha256: expected {sha256.lower()}, got {got['sha256']}")
    if hash_prefix and not got["sha256"].startswith(hash_prefix.lower()):
        problems.append(f"sha256 prefix: expected {hash_prefix.lower()}..., got {got['sha256']}")
    return problems


def check_integrity(fpath: PathLike, md5: str | None = None, sha256: str | None = None) -> bool:
    """True if ``fpath`` is a file and matches every checksum given (no checksum: existence suffices)."""
    if not os.path.isfile(fpath):
        return False
    return not checksum_mismatches(fpath, md5=md5, sha256=sha256)
