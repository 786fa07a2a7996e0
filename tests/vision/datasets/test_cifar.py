"""CIFAR10/100: fake python-pickle batches in a .tar.gz served over 127.0.0.1; malicious pickles refused."""

import importlib.util
import os
import pickle

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms as T
from embervision import datasets
from embervision.datasets.utils import safe_pickle_load

_spec = importlib.util.spec_from_file_location("vision_fake_files", os.path.join(os.path.dirname(__file__), "_fake.py"))
fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake)

CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def cifar10_archive(rng, per_batch=3):
    members, expected = {}, {}
    for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, per_batch).tolist()
        expected[name] = (data, labels)
        members[f"cifar-10-batches-py/{name}"] = fake.cifar_pickle(
            {"batch_label": f"{name} of 6", "labels": labels, "data": data,
             "filenames": [f"img_{i}.png" for i in range(per_batch)]})
    members["cifar-10-batches-py/batches.meta"] = fake.cifar_pickle(
        {"num_cases_per_batch": per_batch, "label_names": CIFAR10_NAMES, "num_vis": 3072})
    members["cifar-10-batches-py/readme.html"] = b"<html></html>"
    return fake.tar_gz(members), expected


def test_cifar10_download_and_samples(tmp_path, server, catalog):
    archive, expected = cifar10_archive(np.random.default_rng(0))
    catalog("cifar-10", [server.add("cifar-10-python.tar.gz", archive)])
    train = datasets.CIFAR10(str(tmp_path), train=True, download=True)
    test = datasets.CIFAR10(str(tmp_path), train=False)
    assert len(train) == 15 and len(test) == 3
    assert train.classes == CIFAR10_NAMES and train.class_to_idx["ship"] == 8
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    img, label = train[4]  # second image of data_batch_2
    data, labels = expected["data_batch_2"]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), data[1].reshape(3, 32, 32).transpose(1, 2, 0))
    assert label == labels[1]
    ds = datasets.CIFAR10(str(tmp_path), train=False, transform=T.ToTensor(), target_transform=str)
    x, y = ds[0]
    assert isinstance(x, ember.Tensor) and tuple(x.shape) == (3, 32, 32) and y == str(expected["test_batch"][1][0])


def test_cifar100(tmp_path, server, catalog):
    rng = np.random.default_rng(1)
    fine = [f"class{i}" for i in range(100)]
    members = {}
    for name, n in (("train", 4), ("test", 2)):
        members[f"cifar-100-python/{name}"] = fake.cifar_pickle({
            "filenames": ["x.png"] * n, "batch_label": name, "fine_labels": rng.integers(0, 100, n).tolist(),
            "coarse_labels": rng.integers(0, 20, n).tolist(), "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8)})
    members["cifar-100-python/meta"] = fake.cifar_pickle(
        {"fine_label_names": fine, "coarse_label_names": [f"super{i}" for i in range(20)]})
    catalog("cifar-100", [server.add("cifar-100-python.tar.gz", fake.tar_gz(members))])
    ds = datasets.CIFAR100(str(tmp_path), download=True)
    assert len(ds) == 4 and ds.classes == fine and 0 <= ds[3][1] < 100
    assert len(datasets.CIFAR100(str(tmp_path), train=False)) == 2


def test_missing(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use download=True"):
        datasets.CIFAR10(str(tmp_path))


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def _write_batches(tmp_path, evil_bytes=None):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in datasets.CIFAR10.train_list + datasets.CIFAR10.test_list:
        (folder / name).write_bytes(fake.cifar_pickle({"labels": [1], "data": np.zeros((1, 3072), np.uint8)}))
    (folder / "batches.meta").write_bytes(fake.cifar_pickle({"label_names": CIFAR10_NAMES}))
    if evil_bytes is not None:
        (folder / "data_batch_3").write_bytes(evil_bytes)
    return folder


def test_malicious_pickle_is_refused_naming_the_global(tmp_path):
    _write_batches(tmp_path, pickle.dumps({"labels": [1], "data": _Evil()}, protocol=2))
    with pytest.raises(RuntimeError, match=r"data_batch_3: refusing to unpickle global '(posix|os|nt)\.system'"):
        datasets.CIFAR10(str(tmp_path))


@pytest.mark.parametrize("payload", [
    pickle.dumps(ember.Tensor, protocol=2),
    b"cbuiltins\neval\n(S'1+1'\ntR.",
    b"\x80\x02cnumpy\nload\nq\x00.",
])
def test_restricted_unpickler_refuses_other_globals(tmp_path, payload):
    path = tmp_path / "batch"
    path.write_bytes(payload)
    with pytest.raises(RuntimeError, match="refusing to unpickle global"):
        safe_pickle_load(str(path))


def test_truncated_batch_names_the_file(tmp_path):
    folder = _write_batches(tmp_path)
    data = (folder / "data_batch_1").read_bytes()
    (folder / "data_batch_1").write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="data_batch_1"):
        datasets.CIFAR10(str(tmp_path))


def test_safe_pickle_reads_numpy_arrays_and_plain_values(tmp_path):
    obj = {"a": [1, 2.5, "s", b"raw", None, True], "arr": np.arange(6, dtype=np.int16).reshape(2, 3)}
    for protocol in (2, 4):
        path = tmp_path / f"p{protocol}"
        path.write_bytes(pickle.dumps(obj, protocol=protocol))
        back = safe_pickle_load(str(path))
        assert back["a"] == obj["a"]
        np.testing.assert_array_equal(back["arr"], obj["arr"])
