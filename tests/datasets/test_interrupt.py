"""A process killed mid-download or mid-extraction leaves nothing a later run would take as complete."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import textwrap
import time

import emberdata


def _wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_kill_during_download_then_resume(server, tmp_path, payload):
    half = len(payload) // 2
    url = server.add("/file.bin", payload, stall_at=half)  # sends half, then hangs until released
    digest = hashlib.md5(payload).hexdigest()
    code = f"import emberdata; emberdata.download_url({url!r}, {str(tmp_path)!r}, md5={digest!r}, progress=False)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        route = server.routes["/file.bin"]
        assert route.stalled.wait(30), "the download never started"
        part = tmp_path / "file.bin.part"
        _wait_for(lambda: part.exists() and part.stat().st_size > 0)
        proc.kill()  # SIGKILL: no cleanup code runs
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        server.routes["/file.bin"].release.set()
    assert not (tmp_path / "file.bin").exists()  # nothing at the final path
    kept = part.stat().st_size
    assert 0 < kept <= half

    server.routes["/file.bin"].stall_at = None
    path = emberdata.download_url(url, tmp_path, md5=digest, progress=False, backoff=0.01)
    with open(path, "rb") as f:
        assert f.read() == payload
    assert server.hits("/file.bin")[-1]["Range"] == f"bytes={kept}-"  # the later run resumed the .part file


_KILL_MID_EXTRACTION = textwrap.dedent(
    """
    import os, sys
    import emberdata.extract as ex

    written = []
    original = ex._copy_stream

    def copy_then_die(src, dst):
        original(src, dst)
        dst.flush()
        written.append(1)
        if len(written) == 3:
            os._exit(9)  # like SIGKILL: no finally blocks, no cleanup

    ex._copy_stream = copy_then_die
    ex.extract_archive(sys.argv[1], sys.argv[2])
    """
)


def test_kill_during_extraction_leaves_no_partial_tree(tmp_path):
    archive = tmp_path / "data.tar.gz"
    files = {f"data/part{i}.bin": os.urandom(1000) for i in range(6)}
    files["README"] = b"readme"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = tmp_path / "out" / "target"

    proc = subprocess.run([sys.executable, "-c", _KILL_MID_EXTRACTION, str(archive), str(target)])
    assert proc.returncode == 9
    assert os.listdir(target) == []  # three members were written, but only to the staging folder
    assert not emberdata.is_extracted(archive, target)
    leftovers = [n for n in os.listdir(tmp_path / "out") if n != "target"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".target.data.tar.gz.extracting-")

    emberdata.extract_archive(archive, target)  # a later run completes and clears the stale staging folder
    assert os.listdir(tmp_path / "out") == ["target"]
    for name, data in files.items():
        assert (target / name).read_bytes() == data
    assert emberdata.is_extracted(archive, target)
