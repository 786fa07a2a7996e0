"""Streaming checksums and check_integrity."""

from __future__ import annotations

import hashlib

import pytest

import emberdata


@pytest.fixture
def blob(tmp_path, payload):
    path = tmp_path / "blob.bin"
    path.write_bytes(payload)
    return path


@pytest.mark.parametrize("chunk_size", [7, 4096, 1 << 20, 1 << 24])
def test_calculations_match_hashlib_for_any_chunk_size(blob, payload, chunk_size):
    assert emberdata.calculate_md5(blob, chunk_size=chunk_size) == hashlib.md5(payload).hexdigest()
    assert emberdata.calculate_sha256(blob, chunk_size=chunk_size) == hashlib.sha256(payload).hexdigest()


def test_check_integrity(blob, payload, tmp_path):
    md5 = hashlib.md5(payload).hexdigest()
    sha = hashlib.sha256(payload).hexdigest()
    assert emberdata.check_integrity(blob)  # no checksum: existence is enough
    assert emberdata.check_integrity(blob, md5=md5)
    assert emberdata.check_integrity(blob, md5=md5.upper(), sha256=sha.upper())
    assert emberdata.check_md5(blob, md5) and emberdata.check_sha256(blob, sha)
    assert not emberdata.check_integrity(blob, md5="0" * 32)
    assert not emberdata.check_integrity(blob, md5=md5, sha256="0" * 64)
    assert not emberdata.check_integrity(tmp_path / "missing.bin")
    assert not emberdata.check_integrity(tmp_path)  # a folder is not a file


def test_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert emberdata.calculate_md5(path) == "d41d8cd98f00b204e9800998ecf8427e"
