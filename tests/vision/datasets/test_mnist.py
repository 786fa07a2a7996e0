"""MNIST family: fake IDX .gz files served over 127.0.0.1, downloaded through emberdata's catalog."""

import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms as T
from embervision import datasets

_spec = importlib.util.spec_from_file_location("vision_fake_files", os.path.join(os.path.dirname(__file__), "_fake.py"))
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)


def mnist_files(rng, n_train=7, n_test=5, prefix="", label_high=10):
    files = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        files[f"{prefix}{split}-images-idx3-ubyte"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        files[f"{prefix}{split}-labels-idx1-ubyte"] = rng.integers(0, label_high, (n,), dtype=np.uint8)
    return files


@pytest.mark.parametrize("cls,record", [
    (datasets.MNIST, "mnist"), (datasets.FashionMNIST, "fashion-mnist"), (datasets.KMNIST, "kmnist"),
])
def test_download_and_samples(tmp_path, server, catalog, cls, record):
    rng = np.random.default_rng(0)
    arrays = mnist_files(rng)
    catalog(record, [server.add(name + ".gz", fake.gz(fake.idx_bytes(a))) for name, a in arrays.items()])
    root = tmp_path / "data"
    train = cls(str(root), train=True, download=True)
    test = cls(str(root), train=False)
    assert len(train) == 7 and len(test) == 5
    assert os.path.isfile(root / cls.__name__ / "raw" / "train-images-idx3-ubyte")
    img, label = train[3]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), arrays["train-images-idx3-ubyte"][3])
    assert isinstance(label, int) and label == int(arrays["train-labels-idx1-ubyte"][3])
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (7, 28, 28)
    assert train.targets.dtype == ember.int64
    assert len(train.classes) == 10 and train.class_to_idx[train.classes[4]] == 4
    assert "Split: Train" in repr(train) and "Split: Test" in repr(test)
    # a second download=True finds the files and fetches nothing
    before = dict(server.requests)
    cls(str(root), download=True)
    assert server.requests == before


def test_transforms_are_applied(tmp_path, server, catalog):
    arrays = mnist_files(np.random.default_rng(1))
    catalog("mnist", [server.add(n + ".gz", fake.gz(fake.idx_bytes(a))) for n, a in arrays.items()])
    ds = datasets.MNIST(str(tmp_path), download=True, transform=T.ToTensor(), target_transform=lambda y: y + 100)
    x, y = ds[0]
    assert isinstance(x, ember.Tensor) and tuple(x.shape) == (1, 28, 28) and x.dtype == ember.float32
    np.testing.assert_allclose(x.numpy()[0], arrays["train-images-idx3-ubyte"][0] / 255.0, rtol=1e-6)
    assert y == int(arrays["train-labels-idx1-ubyte"][0]) + 100


def test_missing_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it"):
        datasets.MNIST(str(tmp_path))


def test_corrupt_idx_names_the_file(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    arrays = mnist_files(np.random.default_rng(2))
    for name, a in arrays.items():
        (raw / name).write_bytes(fake.idx_bytes(a))
    (raw / "train-images-idx3-ubyte").write_bytes(fake.idx_bytes(arrays["train-images-idx3-ubyte"])[:-100])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*corrupt or truncated"):
        datasets.MNIST(str(tmp_path))
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x01\x02\x03\x04garbage")
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte: not an IDX file"):
        datasets.MNIST(str(tmp_path))


def test_bad_checksum_from_server_is_refused(tmp_path, server, catalog):
    arrays = mnist_files(np.random.default_rng(3))
    specs = [server.add(n + ".gz", fake.gz(fake.idx_bytes(a))) for n, a in arrays.items()]
    # the server now sends other bytes than the record's md5 describes
    server.add(specs[0].filename, fake.gz(b"tampered"))
    catalog("mnist", specs)
    import emberdata

    with pytest.raises(emberdata.ChecksumError, match=specs[0].filename):
        datasets.MNIST(str(tmp_path), download=True)


def test_emnist_zip_split(tmp_path, server, catalog):
    rng = np.random.default_rng(4)
    members = {}
    arrays = {}
    for kind, n in (("train", 6), ("test", 4)):
        arrays[kind] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        members[f"gzip/emnist-letters-{kind}-images-idx3-ubyte.gz"] = fake.gz(fake.idx_bytes(arrays[kind]))
        labels = rng.integers(1, 27, (n,), dtype=np.uint8)
        members[f"gzip/emnist-letters-{kind}-labels-idx1-ubyte.gz"] = fake.gz(fake.idx_bytes(labels))
    catalog("emnist", [server.add("gzip.zip", fake.zip_bytes(members))])
    ds = datasets.EMNIST(str(tmp_path), split="letters", download=True)
    assert len(ds) == 6 and ds.classes[0] == "N/A" and len(ds.classes) == 27
    assert len(datasets.EMNIST(str(tmp_path), split="letters", train=False)) == 4
    assert not os.path.exists(tmp_path / "EMNIST" / "raw" / "gzip")
    with pytest.raises(ValueError, match="Unknown value 'cursive' for argument split"):
        datasets.EMNIST(str(tmp_path), split="cursive")


def test_qmnist_extended_labels(tmp_path, server, catalog):
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, (5, 8)).astype(">i4")
    catalog("qmnist", [
        server.add("qmnist-train-images-idx3-ubyte.gz", fake.gz(fake.idx_bytes(images))),
        server.add("qmnist-train-labels-idx2-int.gz", fake.gz(fake.idx_bytes(labels))),
    ])
    ds = datasets.QMNIST(str(tmp_path), what="train", download=True)
    img, target = ds[2]
    assert img.size == (28, 28) and target == int(labels[2, 0])
    full = datasets.QMNIST(str(tmp_path), what="train", compat=False)
    assert full[2][1].tolist() == labels[2].astype(np.int64).tolist()
    with pytest.raises(ValueError, match="for argument what"):
        datasets.QMNIST(str(tmp_path), what="valid")
