"""STL10, SVHN, Flowers102, OxfordIIITPet: fake files in the real formats served over 127.0.0.1.

SVHN and Flowers102 store labels as MATLAB .mat files; reading them needs scipy (the extra
ember-vision[scipy]). Without scipy those tests skip, and test_svhn_without_scipy checks the message.
"""

import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

import embervision.transforms as T
from embervision import datasets

_spec = importlib.util.spec_from_file_location("vision_fake_files", os.path.join(os.path.dirname(__file__), "_fake.py"))
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)

HAS_SCIPY = importlib.util.find_spec("scipy") is not None
needs_scipy = pytest.mark.skipif(not HAS_SCIPY, reason="SVHN/Flowers102 .mat files need scipy (ember-vision[scipy])")
STL_CLASSES = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"]


def stl_images(rng, n):
    return rng.integers(0, 256, (n, 3, 96, 96), dtype=np.uint8)


def stl_bytes(images):
    return np.ascontiguousarray(images.transpose(0, 1, 3, 2)).tobytes()  # column-major per channel on disk


def test_stl10(tmp_path, server, catalog):
    rng = np.random.default_rng(0)
    train, test, unlabeled = stl_images(rng, 4), stl_images(rng, 3), stl_images(rng, 2)
    train_y = np.array([1, 10, 3, 4], dtype=np.uint8)
    members = {
        "stl10_binary/train_X.bin": stl_bytes(train), "stl10_binary/train_y.bin": train_y.tobytes(),
        "stl10_binary/test_X.bin": stl_bytes(test), "stl10_binary/test_y.bin": bytes([2, 2, 7]),
        "stl10_binary/unlabeled_X.bin": stl_bytes(unlabeled),
        "stl10_binary/class_names.txt": "\n".join(STL_CLASSES).encode() + b"\n",
        "stl10_binary/fold_indices.txt": b"0 2\n" + b"1 3\n" * 9,
    }
    catalog("stl10", [server.add("stl10_binary.tar.gz", fake.tar_gz(members))])
    ds = datasets.STL10(str(tmp_path), split="train", download=True)
    assert len(ds) == 4 and ds.classes == STL_CLASSES
    img, label = ds[1]
    assert isinstance(img, Image.Image) and img.size == (96, 96) and label == 9
    np.testing.assert_array_equal(np.asarray(img), train[1].transpose(1, 2, 0))
    assert len(datasets.STL10(str(tmp_path), split="test")) == 3
    both = datasets.STL10(str(tmp_path), split="train+unlabeled")
    assert len(both) == 6 and both[5][1] == -1
    fold = datasets.STL10(str(tmp_path), split="train", folds=0)
    assert len(fold) == 2 and fold[1][1] == 2
    with pytest.raises(ValueError, match=r"range \[0, 10\)"):
        datasets.STL10(str(tmp_path), folds=10)
    with pytest.raises(ValueError, match="for argument split"):
        datasets.STL10(str(tmp_path), split="val")


def test_stl10_missing(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.STL10(str(tmp_path))


@needs_scipy
def test_svhn(tmp_path, server, catalog):
    from scipy.io import savemat
    import io

    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8)
    y = np.array([[1], [10], [3], [10], [9]], dtype=np.uint8)
    buf = io.BytesIO()
    savemat(buf, {"X": x, "y": y})
    record = datasets.SVHN.split_list
    catalog("svhn", [server.add(record["train"], buf.getvalue()),
                     server.add(record["test"], b"unused"), server.add(record["extra"], b"unused")])
    ds = datasets.SVHN(str(tmp_path), split="train", download=True, transform=T.PILToTensor())
    assert len(ds) == 5
    img, label = ds[1]
    assert tuple(img.shape) == (3, 32, 32) and label == 0  # 10 means the digit 0
    np.testing.assert_array_equal(img.numpy(), x[:, :, :, 1].transpose(2, 0, 1))
    assert [ds[i][1] for i in range(5)] == [1, 0, 3, 0, 9]


@needs_scipy
def test_svhn_corrupt_file_named(tmp_path, server, catalog):
    record = datasets.SVHN.split_list
    catalog("svhn", [server.add(record["train"], b"MATLAB 5.0 MAT-file, but not really" * 5),
                     server.add(record["test"], b"x"), server.add(record["extra"], b"x")])
    with pytest.raises(RuntimeError, match="train_32x32.mat: corrupt MATLAB file"):
        datasets.SVHN(str(tmp_path), download=True)


def test_svhn_without_scipy(tmp_path, monkeypatch):
    import sys

    from embervision.datasets.svhn import load_mat

    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    with pytest.raises(RuntimeError, match=r"needs scipy: pip install 'ember-vision\[scipy\]'"):
        load_mat(str(tmp_path / "train_32x32.mat"))


@needs_scipy
def test_flowers102(tmp_path, server, catalog):
    from scipy.io import savemat
    import io

    rng = np.random.default_rng(2)
    members = {f"jpg/image_{i:05d}.jpg": fake.jpeg_bytes(rng) for i in range(1, 7)}
    labels, setid = io.BytesIO(), io.BytesIO()
    savemat(labels, {"labels": np.array([[5, 1, 102, 7, 7, 3]])})
    savemat(setid, {"trnid": np.array([[1, 3]]), "valid": np.array([[2]]), "tstid": np.array([[4, 5, 6]])})
    catalog("flowers-102", [server.add("102flowers.tgz", fake.tar_gz(members)),
                            server.add("imagelabels.mat", labels.getvalue()),
                            server.add("setid.mat", setid.getvalue())])
    train = datasets.Flowers102(str(tmp_path), split="train", download=True)
    assert len(train) == 2 and [train[i][1] for i in range(2)] == [4, 101]
    assert train[0][0].mode == "RGB" and train[0][0].size == (16, 12)
    assert [d[1] for d in datasets.Flowers102(str(tmp_path), split="test")] == [6, 6, 2]
    assert len(datasets.Flowers102(str(tmp_path), split="val")) == 1


def test_oxford_iiit_pet(tmp_path, server, catalog):
    rng = np.random.default_rng(3)
    ids = {"Abyssinian_1": (1, 1), "great_pyrenees_2": (2, 2), "Abyssinian_3": (1, 1), "boxer_4": (3, 2)}
    images = {f"images/{i}.jpg": fake.jpeg_bytes(rng) for i in ids}
    lines = "".join(f"{i} {c} {s} 1\n" for i, (c, s) in ids.items()).encode()
    trimaps = {f"annotations/trimaps/{i}.png": fake.png_bytes(rng.integers(1, 4, (12, 16), dtype=np.uint8))
               for i in ids}
    anns = {"annotations/trainval.txt": lines, "annotations/test.txt": b"boxer_4 3 2 1\n", **trimaps}
    catalog("oxford-iiit-pet", [server.add("images.tar.gz", fake.tar_gz(images)),
                                server.add("annotations.tar.gz", fake.tar_gz(anns))])
    ds = datasets.OxfordIIITPet(str(tmp_path), download=True, target_types=["category", "binary-category",
                                                                             "segmentation"])
    assert len(ds) == 4 and ds.classes == ["Abyssinian", "Great Pyrenees", "Boxer"]
    img, (cat, binary, seg) = ds[1]
    assert img.mode == "RGB" and cat == 1 and binary == 1 and seg.size == (16, 12)
    test = datasets.OxfordIIITPet(str(tmp_path), split="test", transform=T.ToTensor())
    x, y = test[0]
    assert tuple(x.shape) == (3, 12, 16) and y == 2
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.OxfordIIITPet(str(tmp_path), transforms=lambda a, b: (a, b), transform=T.ToTensor())
    with pytest.raises(ValueError, match="target_types"):
        datasets.OxfordIIITPet(str(tmp_path), target_types="bbox")


def test_oxford_missing(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.OxfordIIITPet(str(tmp_path))
