"""The catalog: record structure (no network), lookups, registration, and fetch() against 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile

import pytest

import emberdata
from emberdata import catalog
from emberdata.catalog import FileSpec, Record

REQUIRED = [
    "mnist",
    "fashion-mnist",
    "kmnist",
    "emnist",
    "cifar-10",
    "cifar-100",
    "svhn",
    "yesno",
    "speech-commands-v0.02",
    *(
        f"librispeech-{s}"
        for s in ("dev-clean", "dev-other", "test-clean", "test-other", "train-clean-100", "train-clean-360")
    ),
    "librispeech-train-other-500",
    "ag-news",
    "imdb",
    "wikitext-2",
    "wikitext-103",
    "ptb",
    "sst-2",
]


@pytest.fixture
def private_catalog(monkeypatch):
    """Registrations made by a test are undone afterwards."""
    monkeypatch.setattr(catalog, "_RECORDS", dict(catalog._RECORDS))
    monkeypatch.setattr(catalog, "_ALIASES", dict(catalog._ALIASES))


def test_required_records_exist():
    names = catalog.list()
    assert names == sorted(names)
    for name in REQUIRED:
        assert name in names
    assert set(catalog.list("dataset")) >= set(REQUIRED)
    assert catalog.list("weights") and not set(catalog.list("weights")) & set(catalog.list("dataset"))


@pytest.mark.parametrize("name", catalog.list())
def test_record_structure(name):
    record = catalog.get(name)
    assert isinstance(record, Record) and record.name == name and record.kind in ("dataset", "weights")
    assert isinstance(record.licence, str) and record.licence
    assert isinstance(record.citation, str) and record.citation
    assert record.homepage.startswith(("http://", "https://"))
    assert record.files
    for f in record.files:
        assert f.urls and all(re.match(r"^https?://[^/]+/", u) for u in f.urls)
        assert os.path.basename(f.filename) == f.filename
        # a checksum, or an explicit None where none is published (then at least the torch.hub prefix)
        assert f.md5 is None or re.fullmatch(r"[0-9a-f]{32}", f.md5)
        assert f.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", f.sha256)
        assert f.md5 or f.sha256 or f.hash_prefix, f"{name}/{f.filename} has no checksum at all"
        assert f.size is None or f.size > 0


def test_known_values():
    mnist = catalog.get("mnist")
    first = mnist.file("train-images-idx3-ubyte.gz")
    assert first.urls == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
        "http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz",
    )
    assert first.md5 == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert first.url == first.urls[0] and first.mirrors == first.urls[1:]
    cifar = catalog.get("cifar-10").files[0]
    assert cifar.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert cifar.md5 == "c58f30108f718f92721af3b95e74349a"
    assert catalog.get("yesno").files[0].sha256.startswith("c3f49e0c")


@pytest.mark.parametrize(
    "alias, name",
    [("CIFAR10", "cifar-10"), ("FashionMNIST", "fashion-mnist"), ("ag_news", "ag-news"), ("SST2", "sst-2")],
)
def test_lookup_is_case_insensitive_with_aliases(alias, name):
    assert catalog.get(alias) is catalog.get(name)


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError, match="mnist"):
        catalog.get("no-such-dataset")
    with pytest.raises(ValueError):
        catalog.list("nonsense")
    with pytest.raises(KeyError, match="train-images"):
        catalog.get("mnist").file("nope")


def test_register_refuses_duplicates_unless_overwrite(private_catalog):
    record = Record("my-set", (FileSpec("a.bin", ("http://127.0.0.1:9/a.bin",)),), aliases=("myset",))
    catalog.register(record)
    assert catalog.get("MY_SET") is record and catalog.get("myset") is record
    with pytest.raises(ValueError, match="already"):
        catalog.register(record)
    catalog.register(record, overwrite=True)
    with pytest.raises(TypeError):
        catalog.register({"name": "x"})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filename": "a", "urls": ()}, "urls"),
        ({"filename": "a", "urls": ("ftp://x/a",)}, "urls"),
        ({"filename": "../a", "urls": ("http://x/a",)}, "file name"),
        ({"filename": "a", "urls": ("http://x/a",), "md5": "abc"}, "md5"),
        ({"filename": "a", "urls": ("http://x/a",), "sha256": "A" * 64}, "sha256"),
        ({"filename": "a", "urls": ("http://x/a",), "size": 0}, "size"),
    ],
)
def test_filespec_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FileSpec(**kwargs)


def test_record_validation():
    spec = FileSpec("a", ("http://x/a",))
    with pytest.raises(ValueError, match="kind"):
        Record("x", (spec,), kind="model")
    with pytest.raises(ValueError, match="files"):
        Record("x", ())
    with pytest.raises(ValueError, match="duplicate"):
        Record("x", (spec, spec))


def test_default_root():
    assert catalog.default_root("mnist") == os.path.join(emberdata.get_datasets_dir(), "mnist")
    assert catalog.default_root("resnet18-imagenet1k-v1") == emberdata.get_checkpoints_dir()


def test_fetch_downloads_every_file_into_the_default_root(server, private_catalog, payload):
    other = payload[::-1]
    record = Record(
        "local-set",
        (
            FileSpec(
                "a.bin",
                (server.add("/gone/a.bin", status=404), server.add("/a.bin", payload)),
                md5=hashlib.md5(payload).hexdigest(),
            ),
            FileSpec("b.bin", (server.add("/b.bin", other),), sha256=hashlib.sha256(other).hexdigest()),
        ),
        licence="test",
        citation="test",
        homepage="http://127.0.0.1/",
    )
    catalog.register(record)
    paths = catalog.fetch("local-set", progress=False, backoff=0.01)
    root = os.path.join(emberdata.get_datasets_dir(), "local-set")
    assert paths == [os.path.join(root, "a.bin"), os.path.join(root, "b.bin")]
    with open(paths[1], "rb") as f:
        assert f.read() == other
    assert catalog.fetch("local-set", files=["b.bin"], progress=False) == [paths[1]]  # cached: no new request
    assert len(server.hits("/b.bin")) == 1


def test_fetch_with_extract(server, private_catalog, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("inner/x.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"xyz"))
    blob = buf.getvalue()
    spec = FileSpec("x.tar.gz", (server.add("/x.tar.gz", blob),), md5=hashlib.md5(blob).hexdigest())
    catalog.register(Record("archived", (spec,)))
    catalog.fetch("archived", tmp_path, extract=True, progress=False)
    assert (tmp_path / "inner" / "x.txt").read_bytes() == b"xyz"
