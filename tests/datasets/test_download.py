"""download_url / download_and_extract_archive against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import socket
import sys
import tarfile
import threading
import time
import types

import pytest

import emberdata
from emberdata.download import download_url as _download_url_target  # picklable target for spawn


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def test_success(server, tmp_path, payload, fast):
    url = server.add("/data/file.bin", payload)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), sha256=sha256(payload), **fast)
    assert path == os.path.join(tmp_path, "file.bin")
    assert read(path) == payload
    assert not os.path.exists(path + ".part")
    assert len(server.hits("/data/file.bin")) == 1
    assert "Range" not in server.hits("/data/file.bin")[0]


def test_explicit_filename_and_no_checksum(server, tmp_path, payload, fast):
    url = server.add("/x", payload)
    path = emberdata.download_url(url, tmp_path / "sub", filename="named.bin", **fast)
    assert path == os.path.join(tmp_path, "sub", "named.bin")
    assert read(path) == payload


def test_existing_valid_file_is_not_downloaded(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload)
    (tmp_path / "file.bin").write_bytes(payload)
    assert emberdata.download_url(url, tmp_path, md5=md5(payload), **fast) == str(tmp_path / "file.bin")
    assert server.hits("/file.bin") == []


def test_existing_corrupt_file_is_downloaded_again(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload)
    (tmp_path / "file.bin").write_bytes(b"corrupt")
    emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(tmp_path / "file.bin") == payload
    assert len(server.hits("/file.bin")) == 1


@pytest.mark.parametrize("kind", ["md5", "sha256"])
def test_checksum_mismatch_deletes_partial_and_names_both_checksums(server, tmp_path, payload, fast, kind):
    url = server.add("/file.bin", payload)
    wrong = b"something else"
    expected = md5(wrong) if kind == "md5" else sha256(wrong)
    actual = md5(payload) if kind == "md5" else sha256(payload)
    with pytest.raises(emberdata.ChecksumError) as info:
        emberdata.download_url(url, tmp_path, **{kind: expected}, **fast)
    message = str(info.value)
    assert f"expected {expected}" in message and f"got {actual}" in message
    assert "file.bin" in message and url in message
    assert not (tmp_path / "file.bin").exists()
    assert not (tmp_path / "file.bin.part").exists()


def test_dropped_connection_resumes_with_range(server, tmp_path, payload, fast):
    half = len(payload) // 2
    url = server.add("/file.bin", payload, drop_after=half)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload
    hits = server.hits("/file.bin")
    assert len(hits) == 2
    assert "Range" not in hits[0]
    assert hits[1]["Range"] == f"bytes={half}-"  # the second request asked only for the missing half


def test_repeated_drops_still_complete(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload, drop_after=40_000, drop_requests=5)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), max_retries=1, **fast)
    assert read(path) == payload
    ranges = [h.get("Range") for h in server.hits("/file.bin")]
    assert ranges == [None] + [f"bytes={40_000 * k}-" for k in range(1, 6)]


def test_server_ignoring_range_restarts_from_zero(server, tmp_path, payload, fast):
    half = len(payload) // 2
    (tmp_path / "file.bin.part").write_bytes(payload[:half])
    url = server.add("/file.bin", payload, ignore_range=True)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload  # 200 instead of 206: the part was rewritten, not appended to
    assert server.hits("/file.bin")[0]["Range"] == f"bytes={half}-"


def test_stale_partial_with_wrong_bytes_is_redownloaded_from_zero(server, tmp_path, payload, fast):
    (tmp_path / "file.bin.part").write_bytes(b"x" * 1000)
    url = server.add("/file.bin", payload)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload
    ranges = [h.get("Range") for h in server.hits("/file.bin")]
    assert ranges == ["bytes=1000-", None]


def test_complete_partial_answered_416_is_verified_and_kept(server, tmp_path, payload, fast):
    (tmp_path / "file.bin.part").write_bytes(payload)
    url = server.add("/file.bin", payload)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload
    assert [h.get("Range") for h in server.hits("/file.bin")] == [f"bytes={len(payload)}-"]


def test_404_on_first_mirror_then_second(server, tmp_path, payload, fast):
    first = server.add("/one/file.bin", status=404)
    second = server.add("/two/file.bin", payload)
    path = emberdata.download_url(first, tmp_path, md5=md5(payload), mirrors=[second], **fast)
    assert read(path) == payload
    assert len(server.hits("/one/file.bin")) == 1  # a 4xx is not retried
    assert len(server.hits("/two/file.bin")) == 1


def test_all_mirrors_failing_names_every_url_and_the_target(server, tmp_path, fast):
    first = server.add("/one/file.bin", status=404)
    second = server.add("/two/file.bin", status=403)
    with pytest.raises(emberdata.DownloadError) as info:
        emberdata.download_url(first, tmp_path, mirrors=[second], **fast)
    message = str(info.value)
    assert first in message and second in message and "404" in message and "403" in message
    assert str(tmp_path / "file.bin") in message


def test_500_then_success_on_retry(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload, fail_statuses=(500,))
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload
    assert len(server.hits("/file.bin")) == 2


def test_several_5xx_then_success(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload, fail_statuses=(503, 502, 500))
    emberdata.download_url(url, tmp_path, md5=md5(payload), max_retries=3, **fast)
    assert len(server.hits("/file.bin")) == 4


def test_persistent_5xx_gives_up_after_max_retries_then_tries_mirror(server, tmp_path, payload, fast):
    url = server.add("/bad/file.bin", status=500)
    mirror = server.add("/good/file.bin", payload)
    path = emberdata.download_url(url, tmp_path, mirrors=[mirror], max_retries=2, **fast)
    assert read(path) == payload
    assert len(server.hits("/bad/file.bin")) == 3  # first try + 2 retries
    with pytest.raises(emberdata.DownloadError, match="gave up after 2 retries"):
        emberdata.download_url(url, tmp_path / "again", max_retries=2, **fast)


def test_backoff_grows_exponentially(server, tmp_path, payload, monkeypatch):
    sleeps = []
    monkeypatch.setattr("emberdata.download.time.sleep", sleeps.append)
    url = server.add("/file.bin", payload, fail_statuses=(500, 500, 500))
    emberdata.download_url(url, tmp_path, progress=False, backoff=0.25, max_retries=3)
    assert sleeps == [0.25, 0.5, 1.0]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_is_followed(server, tmp_path, payload, fast, code):
    target = server.add("/new/file.bin", payload)
    url = server.add("/old/file.bin", redirect=target, redirect_code=code)
    path = emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(path) == payload
    assert len(server.hits("/new/file.bin")) == 1


def test_resume_through_a_redirect_keeps_the_range_header(server, tmp_path, payload, fast):
    half = len(payload) // 2
    target = server.add("/new/file.bin", payload, drop_after=half)
    url = server.add("/old/file.bin", redirect=target)
    emberdata.download_url(url, tmp_path, md5=md5(payload), **fast)
    assert read(tmp_path / "file.bin") == payload
    assert server.hits("/new/file.bin")[1]["Range"] == f"bytes={half}-"


def test_too_many_redirects_is_an_error(server, tmp_path, fast):
    url = server.add("/loop", redirect="/loop")
    with pytest.raises(emberdata.DownloadError, match="/loop"):
        emberdata.download_url(url, tmp_path, filename="f", **fast)


def test_connection_refused_is_retried_then_reported(tmp_path, fast):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/file.bin"
    with pytest.raises(emberdata.DownloadError) as info:
        emberdata.download_url(url, tmp_path, max_retries=2, **fast)
    assert url in str(info.value) and "gave up after 2 retries" in str(info.value)
    assert not isinstance(info.value, emberdata.ChecksumError)


def test_offline_mode_fails_fast_naming_file_url_and_target(server, tmp_path, payload, fast, monkeypatch):
    monkeypatch.setenv("EMBER_OFFLINE", "1")
    url = server.add("/file.bin", payload)
    mirror = server.add("/mirror/file.bin", payload)
    root = tmp_path / "root"
    start = time.monotonic()
    with pytest.raises(emberdata.OfflineError) as info:
        emberdata.download_url(url, root, md5=md5(payload), mirrors=[mirror], **fast)
    assert time.monotonic() - start < 5.0  # fails at once: no connection attempt, no retries
    message = str(info.value)
    assert "file.bin" in message and url in message and mirror in message
    assert str(root / "file.bin") in message and "EMBER_OFFLINE" in message and md5(payload) in message
    assert server.requests == []
    assert not root.exists()


def test_offline_mode_uses_a_cached_file(tmp_path, payload, fast, monkeypatch):
    monkeypatch.setenv("EMBER_OFFLINE", "1")
    (tmp_path / "file.bin").write_bytes(payload)
    path = emberdata.download_url("http://127.0.0.1:9/file.bin", tmp_path, md5=md5(payload), **fast)
    assert path == str(tmp_path / "file.bin")
    assert emberdata.is_offline()


def test_dns_failure_fails_fast_without_retries(tmp_path, fast, monkeypatch):
    calls = []

    def no_dns(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # nothing leaves this process
    url = "http://datasets.example.invalid/pub/file.bin"
    mirror = "http://mirror.example.invalid/file.bin"
    start = time.monotonic()
    with pytest.raises(emberdata.OfflineError) as info:
        emberdata.download_url(url, tmp_path, mirrors=[mirror], max_retries=5, **fast)
    assert time.monotonic() - start < 5.0  # no backoff sleeps despite max_retries=5
    assert calls == ["datasets.example.invalid", "mirror.example.invalid"]  # one try per host, no retries
    message = str(info.value)
    assert "file.bin" in message and url in message and str(tmp_path / "file.bin") in message


def test_waits_for_the_lock_then_reuses_the_file(server, tmp_path, payload, fast):
    url = server.add("/file.bin", payload)
    result = {}
    with emberdata.FileLock(tmp_path / "file.bin.lock"):
        worker = threading.Thread(
            target=lambda: result.setdefault("path", emberdata.download_url(url, tmp_path, md5=md5(payload), **fast))
        )
        worker.start()
        worker.join(0.3)
        assert worker.is_alive()  # blocked on the lock
        (tmp_path / "file.bin").write_bytes(payload)  # the "other process" finishes the file
    worker.join(10)
    assert result["path"] == str(tmp_path / "file.bin")
    assert server.hits("/file.bin") == []  # integrity re-checked after the lock: no download


def test_two_processes_download_once(server, tmp_path, payload):
    # ~1 s to serve, so the second process arrives while the first is still downloading
    url = server.add("/file.bin", payload, chunk_delay=0.05)
    kwargs = {"md5": md5(payload), "progress": False, "backoff": 0.01}
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_download_url_target, args=(url, str(tmp_path)), kwargs=kwargs) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(server.hits("/file.bin")) == 1
    assert read(tmp_path / "file.bin") == payload
    assert not (tmp_path / "file.bin.part").exists()


class _FakeTqdm:
    instances: list = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.n = kwargs.get("initial", 0)
        _FakeTqdm.instances.append(self)

    def update(self, n):
        self.n += n

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def fake_tqdm(monkeypatch):
    _FakeTqdm.instances = []
    module = types.ModuleType("tqdm")
    module.tqdm = _FakeTqdm
    monkeypatch.setitem(sys.modules, "tqdm", module)
    return _FakeTqdm


def test_progress_bar_on_a_terminal(server, tmp_path, payload, fake_tqdm, monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    url = server.add("/file.bin", payload)
    emberdata.download_url(url, tmp_path, progress=True)
    (bar,) = fake_tqdm.instances
    assert bar.kwargs["unit"] == "B" and bar.kwargs["unit_scale"] and bar.kwargs["total"] == len(payload)
    assert bar.n == len(payload)


def test_progress_bar_starts_at_the_resume_offset(server, tmp_path, payload, fake_tqdm, monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    half = len(payload) // 2
    url = server.add("/file.bin", payload, drop_after=half)
    emberdata.download_url(url, tmp_path, progress=True, backoff=0.01)
    first, second = fake_tqdm.instances
    assert second.kwargs["initial"] == half and second.kwargs["total"] == len(payload)
    assert second.n == len(payload)


@pytest.mark.parametrize("terminal, progress", [(False, True), (True, False)])
def test_quiet_without_terminal_or_when_disabled(server, tmp_path, payload, fake_tqdm, monkeypatch, terminal, progress):
    monkeypatch.setattr(sys, "stderr", _Terminal() if terminal else io.StringIO())
    url = server.add("/file.bin", payload)
    emberdata.download_url(url, tmp_path, progress=progress)
    assert fake_tqdm.instances == []
    assert sys.stderr.getvalue() == ""


def test_quiet_on_a_terminal_without_tqdm(server, tmp_path, payload, monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ImportError
    url = server.add("/file.bin", payload)
    emberdata.download_url(url, tmp_path, progress=True)
    assert read(tmp_path / "file.bin") == payload
    assert sys.stderr.getvalue() == ""


def test_hash_prefix(server, tmp_path, payload, fast):
    url = server.add("/model-abc.pth", payload)
    emberdata.download_url(url, tmp_path, hash_prefix=sha256(payload)[:8], **fast)
    with pytest.raises(emberdata.ChecksumError, match="sha256 prefix: expected 00000000"):
        emberdata.download_url(url, tmp_path / "other", hash_prefix="00000000", **fast)


def test_download_and_extract_archive(server, tmp_path, fast):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in [("pkg/a.txt", b"alpha"), ("pkg/b.txt", b"beta")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    url = server.add("/pkg.tar.gz", blob)
    out = emberdata.download_and_extract_archive(
        url, tmp_path / "dl", tmp_path / "out", md5=md5(blob), remove_finished=True, **fast
    )
    assert out == str(tmp_path / "out")
    assert (tmp_path / "out" / "pkg" / "a.txt").read_bytes() == b"alpha"
    assert (tmp_path / "out" / "pkg" / "b.txt").read_bytes() == b"beta"
    assert not (tmp_path / "dl" / "pkg.tar.gz").exists()
    assert emberdata.is_extracted(tmp_path / "dl" / "pkg.tar.gz", tmp_path / "out")


def test_filename_cannot_be_inferred(tmp_path, fast):
    with pytest.raises(ValueError, match="filename"):
        emberdata.download_url("http://127.0.0.1:9/", tmp_path, **fast)
