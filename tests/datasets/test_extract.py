"""extract_archive: every format extracts; hostile members are refused and nothing lands outside the target."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import stat
import tarfile
import zipfile

import pytest

import emberdata

GOOD = {"pkg/a.txt": b"alpha\n", "pkg/sub/b.bin": bytes(range(256)) * 40, "top.txt": b"top"}


# ---------------------------------------------------------------------------------------------- builders


def tar_member(name, data=None, *, type=tarfile.REGTYPE, linkname="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type = type
    info.linkname = linkname
    info.mode = mode
    info.size = len(data) if data is not None else 0
    return info, data


def make_tar(path, members, mode="w"):
    with tarfile.open(path, mode) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def zip_member(name, data=b"", *, unix_mode=None):
    info = zipfile.ZipInfo(name)  # ZipInfo keeps the name as given: "../x" and "/x" stay hostile
    if unix_mode is not None:
        info.create_system = 3
        info.external_attr = unix_mode << 16
    return info, data


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in members:
            zf.writestr(info, data)
    return str(path)


def good_members_tar():
    members = [tar_member("pkg", type=tarfile.DIRTYPE, mode=0o755)]
    members += [tar_member(name, data) for name, data in GOOD.items()]
    members.append(tar_member("pkg/link", type=tarfile.SYMTYPE, linkname="a.txt"))
    members.append(tar_member("pkg/hard", type=tarfile.LNKTYPE, linkname="pkg/a.txt"))
    return members


def good_members_zip():
    members = [zip_member("pkg/")]
    members += [zip_member(name, data) for name, data in GOOD.items()]
    members.append(zip_member("pkg/link", b"a.txt", unix_mode=stat.S_IFLNK | 0o777))
    return members


def snapshot(root):
    """Every path under root (links not followed) with a digest of each regular file."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest()
            else:
                out[rel] = "link" if os.path.islink(path) else "dir"
    return out


@pytest.fixture
def sandbox(tmp_path):
    """tmp/src (archives), tmp/box/target (extraction target), tmp/box/outside/secret.txt (must stay intact)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "box" / "target").mkdir(parents=True)
    (tmp_path / "box" / "outside").mkdir()
    (tmp_path / "box" / "outside" / "secret.txt").write_text("secret")
    return tmp_path


# ---------------------------------------------------------------------------------------------- good archives


@pytest.mark.parametrize(
    "suffix, mode",
    [(".tar", "w"), (".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar.bz2", "w:bz2"), (".tar.xz", "w:xz")],
)
def test_tar_formats_extract(sandbox, suffix, mode):
    archive = make_tar(sandbox / "src" / f"data{suffix}", good_members_tar(), mode)
    target = sandbox / "box" / "target"
    assert not emberdata.is_extracted(archive, target)
    assert emberdata.extract_archive(archive, target) == str(target)
    for name, data in GOOD.items():
        assert (target / name).read_bytes() == data
    assert os.readlink(target / "pkg" / "link") == "a.txt"
    assert (target / "pkg" / "link").read_bytes() == GOOD["pkg/a.txt"]
    assert (target / "pkg" / "hard").read_bytes() == GOOD["pkg/a.txt"]
    assert emberdata.is_extracted(archive, target)
    assert sorted(os.listdir(sandbox / "box")) == ["outside", "target"]  # the staging folder is gone


def test_zip_extracts(sandbox):
    archive = make_zip(sandbox / "src" / "data.zip", good_members_zip())
    target = sandbox / "box" / "target"
    emberdata.extract_archive(archive, target)
    for name, data in GOOD.items():
        assert (target / name).read_bytes() == data
    assert os.readlink(target / "pkg" / "link") == "a.txt"
    assert emberdata.is_extracted(archive, target)


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_single_compressed_file(sandbox, suffix, opener):
    archive = sandbox / "src" / f"train-images-idx3-ubyte{suffix}"
    with opener(archive, "wb") as f:
        f.write(GOOD["pkg/sub/b.bin"])
    out = emberdata.extract_archive(archive, sandbox / "box" / "target")
    assert out == str(sandbox / "box" / "target" / "train-images-idx3-ubyte")
    with open(out, "rb") as f:
        assert f.read() == GOOD["pkg/sub/b.bin"]


def test_default_target_is_the_archive_folder_and_remove_finished(sandbox):
    archive = make_tar(sandbox / "src" / "data.tar.gz", good_members_tar(), "w:gz")
    assert emberdata.extract_archive(archive, remove_finished=True) == str(sandbox / "src")
    assert (sandbox / "src" / "top.txt").read_bytes() == b"top"
    assert not os.path.exists(archive)


def test_extracting_again_overwrites(sandbox):
    archive = make_tar(sandbox / "src" / "data.tar", good_members_tar())
    target = sandbox / "box" / "target"
    emberdata.extract_archive(archive, target)
    (target / "top.txt").write_text("edited")
    emberdata.extract_archive(archive, target)
    assert (target / "top.txt").read_bytes() == b"top"


def test_archives_sharing_a_top_folder_merge(sandbox):
    # LibriSpeech: each subset's archive holds LibriSpeech/<subset>/...
    one = make_tar(sandbox / "src" / "dev.tar.gz", [tar_member("LibriSpeech/dev/x.txt", b"dev")], "w:gz")
    two = make_tar(sandbox / "src" / "test.tar.gz", [tar_member("LibriSpeech/test/y.txt", b"test")], "w:gz")
    target = sandbox / "box" / "target"
    emberdata.extract_archive(one, target)
    emberdata.extract_archive(two, target)
    assert (target / "LibriSpeech" / "dev" / "x.txt").read_bytes() == b"dev"
    assert (target / "LibriSpeech" / "test" / "y.txt").read_bytes() == b"test"
    assert emberdata.is_extracted(one, target) and emberdata.is_extracted(two, target)


def test_permissions_are_sanitised(sandbox):
    archive = make_tar(sandbox / "src" / "m.tar", [tar_member("run.sh", b"#!/bin/sh\n", mode=0o6777)])
    emberdata.extract_archive(archive, sandbox / "box" / "target")
    mode = stat.S_IMODE(os.stat(sandbox / "box" / "target" / "run.sh").st_mode)
    assert mode == 0o755  # executable kept; setuid/setgid and group/other write dropped


def test_unknown_format_is_a_value_error(sandbox):
    path = sandbox / "src" / "notes.txt"
    path.write_text("not an archive")
    with pytest.raises(ValueError, match="unknown archive type"):
        emberdata.extract_archive(path, sandbox / "box" / "target")


def test_format_detected_by_content_without_a_suffix(sandbox):
    archive = make_zip(sandbox / "src" / "download", good_members_zip())
    emberdata.extract_archive(archive, sandbox / "box" / "target")
    assert (sandbox / "box" / "target" / "top.txt").read_bytes() == b"top"


# ---------------------------------------------------------------------------------------------- hostile archives

HOSTILE_TAR = {
    "dotdot": ("../outside/evil.txt", [tar_member("../outside/evil.txt", b"x")]),
    "dotdot-nested": ("pkg/../../outside/evil.txt", [tar_member("pkg/../../outside/evil.txt", b"x")]),
    "absolute": ("/ABS/evil.txt", [tar_member("/ABS/evil.txt", b"x")]),
    "symlink-out": ("link", [tar_member("link", type=tarfile.SYMTYPE, linkname="../outside")]),
    "symlink-absolute": ("link", [tar_member("link", type=tarfile.SYMTYPE, linkname="/etc")]),
    "symlink-then-write-through": (
        "link",
        [
            tar_member("link", type=tarfile.SYMTYPE, linkname="../outside"),
            tar_member("link/evil.txt", b"x"),
        ],
    ),
    "symlink-chain-then-write": (
        "l1/evil.txt",
        [
            # l1 -> d/.. is inside while d does not exist; d -> . then makes l1 the target's parent
            tar_member("l1", type=tarfile.SYMTYPE, linkname="d/.."),
            tar_member("d", type=tarfile.SYMTYPE, linkname="."),
            tar_member("l1/evil.txt", b"x"),
        ],
    ),
    "symlink-chain-left-dangling": (
        "l1",
        [
            tar_member("l1", type=tarfile.SYMTYPE, linkname="d/.."),
            tar_member("d", type=tarfile.SYMTYPE, linkname="."),
        ],
    ),
    "hardlink-etc-passwd": ("passwd", [tar_member("passwd", type=tarfile.LNKTYPE, linkname="/etc/passwd")]),
    "hardlink-dotdot": (
        "secret",
        [tar_member("secret", type=tarfile.LNKTYPE, linkname="../outside/secret.txt")],
    ),
    "char-device": ("dev/null", [tar_member("dev/null", type=tarfile.CHRTYPE)]),
    "block-device": ("dev/sda", [tar_member("dev/sda", type=tarfile.BLKTYPE)]),
    "fifo": ("pipe", [tar_member("pipe", type=tarfile.FIFOTYPE)]),
}

HOSTILE_ZIP = {
    "dotdot": ("../outside/evil.txt", [zip_member("../outside/evil.txt", b"x")]),
    "dotdot-nested": ("pkg/../../outside/evil.txt", [zip_member("pkg/../../outside/evil.txt", b"x")]),
    "absolute": ("/ABS/evil.txt", [zip_member("/ABS/evil.txt", b"x")]),
    "backslash-dotdot": ("..\\outside\\evil.txt", [zip_member("..\\outside\\evil.txt", b"x")]),
    "symlink-out": ("link", [zip_member("link", b"../outside", unix_mode=stat.S_IFLNK | 0o777)]),
    "symlink-absolute": ("link", [zip_member("link", b"/etc", unix_mode=stat.S_IFLNK | 0o777)]),
    "fifo": ("pipe", [zip_member("pipe", b"", unix_mode=stat.S_IFIFO | 0o644)]),
    "char-device": ("null", [zip_member("null", b"", unix_mode=stat.S_IFCHR | 0o644)]),
}


def _with_good_members_first(members, builder):
    """Hostile members after some good ones, so a partial extraction would have something to leave behind."""
    return [builder("fine/ok.txt", b"ok"), *members]


def _check_refused(sandbox, archive, member, error):
    message = str(error)
    assert repr(member) in message and str(archive) in message
    assert snapshot(sandbox / "box") == {"outside": "dir", "outside/secret.txt": _SECRET, "target": "dir"}
    assert not os.path.exists(os.path.join(os.sep, "ABS"))
    assert not emberdata.is_extracted(archive, sandbox / "box" / "target")


_SECRET = hashlib.sha256(b"secret").hexdigest()


@pytest.mark.parametrize("case", sorted(HOSTILE_TAR))
@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_hostile_tar_is_refused(sandbox, case, mode):
    member, members = HOSTILE_TAR[case]
    archive = make_tar(sandbox / "src" / f"evil-{case}.tar", _with_good_members_first(members, tar_member), mode)
    with pytest.raises(emberdata.UnsafeArchiveError) as info:
        emberdata.extract_archive(archive, sandbox / "box" / "target")
    _check_refused(sandbox, archive, member, info.value)


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIP))
def test_hostile_zip_is_refused(sandbox, case):
    member, members = HOSTILE_ZIP[case]
    archive = make_zip(sandbox / "src" / f"evil-{case}.zip", _with_good_members_first(members, zip_member))
    with pytest.raises(emberdata.UnsafeArchiveError) as info:
        emberdata.extract_archive(archive, sandbox / "box" / "target")
    _check_refused(sandbox, archive, member, info.value)


def test_refusal_leaves_an_existing_target_untouched(sandbox):
    target = sandbox / "box" / "target"
    (target / "keep.txt").write_text("keep")
    archive = make_tar(sandbox / "src" / "evil.tar", [tar_member("top.txt", b"new"), tar_member("../x", b"x")])
    with pytest.raises(emberdata.UnsafeArchiveError):
        emberdata.extract_archive(archive, target)
    assert sorted(os.listdir(target)) == ["keep.txt"]


def test_symlink_inside_pointing_up_within_the_target_is_allowed(sandbox):
    members = [
        tar_member("a/b/c.txt", b"c"),
        tar_member("a/b/up", type=tarfile.SYMTYPE, linkname="../../top.txt"),
        tar_member("top.txt", b"top"),
    ]
    archive = make_tar(sandbox / "src" / "ok.tar", members)
    target = sandbox / "box" / "target"
    emberdata.extract_archive(archive, target)
    assert (target / "a" / "b" / "up").read_bytes() == b"top"
